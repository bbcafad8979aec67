import Foundation

/// The base64 variants the swarm files use, decoded strictly (no whitespace, no foreign
/// characters) so malformed input is reported instead of silently skipped.
enum Base64Text {
    /// Standard alphabet, with `=` padding (Go's `base64.StdEncoding`).
    static func decodeStandard(_ text: String) -> Data? {
        guard !text.isEmpty else { return Data() }
        guard text.utf8.count % 4 == 0 else { return nil }
        guard text.utf8.allSatisfy({ isStandardAlphabet($0) || $0 == UInt8(ascii: "=") }) else { return nil }
        return Data(base64Encoded: text)
    }

    /// Standard alphabet without padding (Go's `base64.RawStdEncoding`).
    static func decodeStandardUnpadded(_ text: String) -> Data? {
        guard text.utf8.allSatisfy(isStandardAlphabet) else { return nil }
        guard text.utf8.count % 4 != 1 else { return nil }
        let padded = text + String(repeating: "=", count: (4 - text.utf8.count % 4) % 4)
        return Data(base64Encoded: padded)
    }

    static func encodeStandard(_ data: Data) -> String {
        data.base64EncodedString()
    }

    static func encodeStandardUnpadded(_ data: Data) -> String {
        var text = data.base64EncodedString()
        while text.hasSuffix("=") { text.removeLast() }
        return text
    }

    /// URL-safe alphabet; padding accepted but not required (Go's `base64.URLEncoding` writes it).
    static func decodeURLSafe(_ bytes: Data) -> Data? {
        var standard = [UInt8]()
        standard.reserveCapacity(bytes.count + 3)
        var sawPadding = false
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "-"):
                guard !sawPadding else { return nil }
                standard.append(UInt8(ascii: "+"))
            case UInt8(ascii: "_"):
                guard !sawPadding else { return nil }
                standard.append(UInt8(ascii: "/"))
            case UInt8(ascii: "="):
                sawPadding = true
                standard.append(byte)
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"):
                guard !sawPadding else { return nil }
                standard.append(byte)
            default:
                return nil
            }
        }
        if !sawPadding {
            guard standard.count % 4 != 1 else { return nil }
            standard.append(contentsOf: [UInt8](repeating: UInt8(ascii: "="), count: (4 - standard.count % 4) % 4))
        }
        return Data(base64Encoded: Data(standard))
    }

    /// URL-safe alphabet with `=` padding, as ASCII bytes.
    static func encodeURLSafe(_ data: Data) -> Data {
        Data(data.base64EncodedData().map { byte in
            switch byte {
            case UInt8(ascii: "+"): UInt8(ascii: "-")
            case UInt8(ascii: "/"): UInt8(ascii: "_")
            default: byte
            }
        })
    }

    private static func isStandardAlphabet(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "/"):
            true
        default:
            false
        }
    }
}
