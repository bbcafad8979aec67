import Crypto
import Foundation

/// One recipient stanza of an age header: `-> type arg…` followed by a wrapped body.
struct AgeStanza: Equatable {
    var type: String
    var arguments: [String]
    var body: Data
}

/// The age header: version line, stanzas, and the `---` MAC line.
struct AgeHeader {
    static let versionLine = "age-encryption.org/v1"
    static let fileKeySize = 16
    static let payloadNonceSize = 16
    static let defaultMaxHeaderSize = 1 << 20

    var stanzas: [AgeStanza]
    var mac: Data

    /// Everything the MAC covers: the header up to and including `---`.
    static func macInput(_ stanzas: [AgeStanza]) -> Data {
        var text = versionLine + "\n"
        for stanza in stanzas {
            text += (["->", stanza.type] + stanza.arguments).joined(separator: " ") + "\n"
            let encoded = AgeBase64.encode(stanza.body)
            var index = encoded.startIndex
            // Full 64-column lines, then a final shorter (possibly empty) line.
            while true {
                let end = encoded.index(index, offsetBy: 64, limitedBy: encoded.endIndex) ?? encoded.endIndex
                text += encoded[index..<end] + "\n"
                if encoded.distance(from: index, to: end) < 64 { break }
                index = end
            }
        }
        text += "---"
        return Data(text.utf8)
    }

    static func macKey(fileKey: SymmetricKey) -> SymmetricKey {
        HKDF<SHA256>.deriveKey(inputKeyMaterial: fileKey, salt: Data(), info: Data("header".utf8), outputByteCount: 32)
    }

    static func computeMAC(_ stanzas: [AgeStanza], fileKey: SymmetricKey) -> Data {
        Data(HMAC<SHA256>.authenticationCode(for: macInput(stanzas), using: macKey(fileKey: fileKey)))
    }

    /// The serialized header including the final newline after the MAC.
    static func encode(_ stanzas: [AgeStanza], fileKey: SymmetricKey) -> Data {
        var data = macInput(stanzas)
        data.append(contentsOf: Array(" \(AgeBase64.encode(computeMAC(stanzas, fileKey: fileKey)))\n".utf8))
        return data
    }

    func verifyMAC(fileKey: SymmetricKey) throws {
        guard HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: Self.macInput(stanzas), using: Self.macKey(fileKey: fileKey)) else {
            throw AgeError.headerMACMismatch
        }
    }

    /// Incrementally finds the end of the header: the newline after the first line starting with
    /// `---` (stanza lines start with `->` and body lines are base64, which has no `-`).
    struct EndScanner {
        private var lineStart = 0
        private var position = 0

        /// The index just past the MAC line's newline, or nil if the header is not complete yet.
        mutating func scan(_ bytes: [UInt8]) -> Int? {
            while position < bytes.count {
                if bytes[position] == 0x0A {
                    let line = bytes[lineStart..<position]
                    if line.starts(with: [0x2D, 0x2D, 0x2D]) { return position + 1 }
                    lineStart = position + 1
                }
                position += 1
            }
            return nil
        }
    }

    /// Parses a complete header (as delimited by `headerEnd`) strictly.
    static func parse(_ bytes: ArraySlice<UInt8>) throws -> AgeHeader {
        guard bytes.last == 0x0A else { throw AgeError.malformedHeader("missing final newline") }
        var lines = bytes.dropLast().split(separator: 0x0A, omittingEmptySubsequences: false).map { Array($0) }
        guard let first = lines.first, first == Array(versionLine.utf8) else {
            if let first = lines.first, first.starts(with: Array("age-encryption.org/".utf8)) {
                throw AgeError.unsupportedVersion
            }
            throw AgeError.malformedHeader("missing age-encryption.org/v1 line")
        }
        lines.removeFirst()
        guard let macLine = lines.popLast() else { throw AgeError.malformedHeader("missing MAC line") }
        let macPrefix = Array("--- ".utf8)
        guard macLine.starts(with: macPrefix),
              let mac = AgeBase64.decode(macLine.dropFirst(macPrefix.count)), mac.count == 32
        else { throw AgeError.malformedHeader("invalid MAC line") }

        var stanzas = [AgeStanza]()
        var index = 0
        while index < lines.count {
            let line = lines[index]
            index += 1
            guard line.starts(with: Array("-> ".utf8)) else { throw AgeError.malformedHeader("expected a stanza line") }
            let fields = line.dropFirst(3).split(separator: 0x20, omittingEmptySubsequences: false)
            guard fields.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0 >= 33 && $0 <= 126 } }) else {
                throw AgeError.malformedHeader("invalid stanza argument")
            }
            let strings = fields.map { String(decoding: $0, as: UTF8.self) }
            guard let type = strings.first else { throw AgeError.malformedHeader("stanza without a type") }
            var body = Data()
            while true {
                guard index < lines.count else { throw AgeError.malformedHeader("stanza body not terminated") }
                let bodyLine = lines[index]
                index += 1
                guard bodyLine.count <= 64, let chunk = AgeBase64.decode(bodyLine[...]) else {
                    throw AgeError.malformedHeader("invalid stanza body")
                }
                body.append(chunk)
                if bodyLine.count < 64 { break }
            }
            stanzas.append(AgeStanza(type: type, arguments: Array(strings.dropFirst()), body: body))
        }
        guard !stanzas.isEmpty else { throw AgeError.malformedHeader("no stanzas") }
        return AgeHeader(stanzas: stanzas, mac: mac)
    }
}

/// Base64 as age writes it: `Base64Text`'s unpadded standard form, plus the spec's rule
/// that only the canonical encoding (zero trailing bits) is accepted.
enum AgeBase64 {
    static func encode(_ data: Data) -> String { Base64Text.encodeStandardUnpadded(data) }

    static func decode(_ bytes: ArraySlice<UInt8>) -> Data? { decode(String(decoding: bytes, as: UTF8.self)) }

    static func decode(_ text: String) -> Data? {
        guard let data = Base64Text.decodeStandardUnpadded(text), encode(data) == text else { return nil }
        return data
    }
}
