import Foundation

/// One `Name: value` header line of a PEM block (RFC 1421 style), as written before the
/// blank line that precedes the base64 body.
public struct PEMHeader: Sendable, Equatable, CustomStringConvertible {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }

    public var description: String { "\(name): \(value)" }
}

/// A PEM block with its headers kept in file order.
///
/// Parsing follows Go's `encoding/pem` (which wrote every swarm file): header lines are the
/// lines containing `:` right after the BEGIN line, name and value are trimmed, the body is
/// base64 with line breaks. `encoded(headerOrder:)` writes the block back, by default in the
/// order Go's encoder uses, so a rewritten file looks like swarmkit's.
public struct PEMBlock: Sendable, Equatable {
    /// The label between `BEGIN ` and the dashes, e.g. `PRIVATE KEY`.
    public var type: String
    /// Headers in the order they appeared (or will be written).
    public var headers: [PEMHeader]
    /// The decoded body (DER).
    public var bytes: Data

    public init(type: String, headers: [PEMHeader] = [], bytes: Data) {
        self.type = type
        self.headers = headers
        self.bytes = bytes
    }

    /// The value of the header with this name (exact, case-sensitive; when a name repeats the
    /// last one wins, as in Go's header map).
    public func header(_ name: String) -> String? {
        headers.last { $0.name == name }?.value
    }

    /// Sets (replacing in place) or appends a header; `nil` removes it.
    public mutating func setHeader(_ name: String, _ value: String?) {
        if let value {
            if let index = headers.firstIndex(where: { $0.name == name }) {
                headers[index].value = value
                let later = headers.index(after: index)
                headers[later...].removeAll { $0.name == name }
            } else {
                headers.append(PEMHeader(name: name, value: value))
            }
        } else {
            headers.removeAll { $0.name == name }
        }
    }

    // MARK: parsing

    /// The first PEM block in `text`.
    public static func parse(_ text: String) throws(PEMError) -> PEMBlock {
        var scanner = PEMScanner(text: text)
        guard let block = try scanner.next() else { throw PEMError.noPEMBlock }
        return block
    }

    public static func parse(_ data: Data) throws(PEMError) -> PEMBlock {
        try parse(try text(of: data))
    }

    /// Every PEM block in `text`, in order (e.g. a certificate chain).
    public static func parseAll(_ text: String) throws(PEMError) -> [PEMBlock] {
        var scanner = PEMScanner(text: text)
        var blocks: [PEMBlock] = []
        while let block = try scanner.next() { blocks.append(block) }
        return blocks
    }

    public static func parseAll(_ data: Data) throws(PEMError) -> [PEMBlock] {
        try parseAll(try text(of: data))
    }

    private static func text(of data: Data) throws(PEMError) -> String {
        guard let text = String(data: data, encoding: .utf8) else { throw PEMError.notText }
        return text
    }

    // MARK: encoding

    /// Go's `pem.Encode` header order: `Proc-Type` first, then the other names sorted by bytes.
    public static func goHeaderOrder(_ headers: [PEMHeader]) -> [PEMHeader] {
        let procType = headers.filter { $0.name == "Proc-Type" }
        let rest = headers.filter { $0.name != "Proc-Type" }
            .sorted { Array($0.name.utf8).lexicographicallyPrecedes(Array($1.name.utf8)) }
        return procType + rest
    }

    public enum HeaderOrder: Sendable {
        /// The order Go's encoder uses (what swarmkit's files look like).
        case go
        /// `headers` as they are.
        case asGiven
    }

    /// PEM text: BEGIN line, headers, a blank line when there are headers, the body in
    /// 64-character base64 lines, END line, each line ending in `\n`.
    public func encoded(headerOrder: HeaderOrder = .go) -> String {
        var out = "-----BEGIN \(type)-----\n"
        let ordered = headerOrder == .go ? Self.goHeaderOrder(headers) : headers
        for header in ordered {
            out += "\(header.name): \(header.value)\n"
        }
        if !ordered.isEmpty { out += "\n" }
        let body = bytes.base64EncodedString()
        var index = body.startIndex
        while index < body.endIndex {
            let end = body.index(index, offsetBy: 64, limitedBy: body.endIndex) ?? body.endIndex
            out += body[index..<end] + "\n"
            index = end
        }
        out += "-----END \(type)-----\n"
        return out
    }

    public func encodedData(headerOrder: HeaderOrder = .go) -> Data {
        Data(encoded(headerOrder: headerOrder).utf8)
    }
}

public enum PEMError: Error, Sendable, Equatable, CustomStringConvertible {
    case notText
    case noPEMBlock
    case missingEnd(type: String)
    case mismatchedEnd(begin: String, end: String)
    case badBase64(type: String)

    public var description: String {
        switch self {
        case .notText: "not a PEM file (not UTF-8 text)"
        case .noPEMBlock: "no PEM block found"
        case .missingEnd(let type): "PEM block \"\(type)\" has no END line"
        case .mismatchedEnd(let begin, let end): "PEM block \"\(begin)\" ends with \"\(end)\""
        case .badBase64(let type): "PEM block \"\(type)\" has an invalid base64 body"
        }
    }
}

/// Walks the lines of a text and yields PEM blocks; text outside blocks is ignored.
struct PEMScanner {
    private var lines: [Substring]
    private var position = 0

    init(text: String) {
        lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
            .map { line in line.hasSuffix("\r") ? line.dropLast() : line }
    }

    mutating func next() throws(PEMError) -> PEMBlock? {
        while position < lines.count {
            let line = lines[position].trimmingCharacters(in: .whitespaces)
            position += 1
            guard let type = Self.label(of: line, marker: "BEGIN") else { continue }
            return try readBlock(type: type)
        }
        return nil
    }

    private mutating func readBlock(type: String) throws(PEMError) -> PEMBlock {
        var headers: [PEMHeader] = []
        // Header lines come first; the first line without a colon ends them.
        while position < lines.count, let colon = lines[position].firstIndex(of: ":"),
              Self.label(of: String(lines[position]), marker: "END") == nil {
            let line = lines[position]
            headers.append(PEMHeader(
                name: line[..<colon].trimmingCharacters(in: .whitespaces),
                value: line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
            position += 1
        }
        var body = ""
        while position < lines.count {
            let line = lines[position].trimmingCharacters(in: .whitespaces)
            position += 1
            if let end = Self.label(of: line, marker: "END") {
                guard end == type else { throw PEMError.mismatchedEnd(begin: type, end: end) }
                guard let bytes = Base64Text.decodeStandard(body) else { throw PEMError.badBase64(type: type) }
                return PEMBlock(type: type, headers: headers, bytes: bytes)
            }
            body += line
        }
        throw PEMError.missingEnd(type: type)
    }

    /// `-----BEGIN X-----` → `X` (for marker `BEGIN`).
    private static func label(of line: String, marker: String) -> String? {
        let prefix = "-----\(marker) "
        let suffix = "-----"
        guard line.hasPrefix(prefix), line.hasSuffix(suffix), line.count >= prefix.count + suffix.count else { return nil }
        return String(line.dropFirst(prefix.count).dropLast(suffix.count))
    }
}
