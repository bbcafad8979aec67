import Foundation

/// Encodes `Encodable` values to the JSON Foundation's `JSONEncoder` writes with
/// `outputFormatting = [.withoutEscapingSlashes]` and its default strategies, byte for byte
/// (keys in the order they are encoded, `Data` as base64, `URL` as its absolute string, floats
/// as `description` without a trailing `.0`, non-finite floats refused).
///
/// Why not `JSONEncoder`: it builds a tree of every value before writing any of it, and on a
/// 3000-service swarm rendering the service list with it was most of the embedded manager's
/// boot. This one writes each value where it stands, which asks one thing of `encode(to:)`
/// that JSONEncoder does not: containers are used inside out, as synthesized conformances
/// use them. Once a container writes its next member, the containers opened inside it are
/// finished (writing to one again traps), and a key written twice is written twice.
public struct StreamingJSONEncoder: Sendable {
    public init() {}

    public func encode(_ value: some Encodable) throws -> Data {
        Data(try encodeBytes(value))
    }

    public func encodeBytes(_ value: some Encodable) throws -> [UInt8] {
        let sink = JSONSink()
        try JSONValueEncoder(sink: sink, parent: nil, key: nil).encodeValue(value)
        return sink.bytes
    }
}

/// The `Encoder` one value is encoded with. It writes at the sink's current position; the
/// container it opens, if any, sits one level deeper than `base`.
final class JSONValueEncoder: Encoder {
    let sink: JSONSink
    let base: Int
    private let parent: JSONValueEncoder?
    private let key: (any CodingKey)?
    @exclusivity(unchecked) private var wrote = false
    let userInfo: [CodingUserInfoKey: Any] = [:]

    init(sink: JSONSink, parent: JSONValueEncoder?, key: (any CodingKey)?) {
        self.sink = sink
        self.base = sink.depth
        self.parent = parent
        self.key = key
    }

    /// Built only when asked for (errors, and the rare type that reads it).
    var codingPath: [any CodingKey] {
        var path: [any CodingKey] = []
        var node: JSONValueEncoder? = self
        while let current = node {
            if let key = current.key { path.append(key) }
            node = current.parent
        }
        return path.reversed()
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        openIfNeeded(UInt8(ascii: "{"), closer: UInt8(ascii: "}"))
        return KeyedEncodingContainer(JSONKeyedContainer<Key>(encoder: self, depth: base + 1))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        openIfNeeded(UInt8(ascii: "["), closer: UInt8(ascii: "]"))
        return JSONUnkeyedContainer(encoder: self, depth: base + 1)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        JSONSingleValueContainer(encoder: self)
    }

    /// A value that asks for its container twice (Go's embedded structs, written as two
    /// `encode(to:)` calls on one encoder) gets the same one.
    private func openIfNeeded(_ opener: UInt8, closer: UInt8) {
        guard !wrote else { return }
        wrote = true
        sink.open(opener, closer: closer)
    }

    func markWritten() { wrote = true }

    /// Writes `value` here: scalars directly, anything else through its own `encode(to:)`;
    /// whatever it opened is closed before returning.
    func encodeValue<T: Encodable>(_ value: T) throws {
        if try encodeScalar(value) { return }
        let child = JSONValueEncoder(sink: sink, parent: self, key: nil)
        try child.encodeNested(value)
    }

    func encodeValue<T: Encodable>(_ value: T, forKey key: any CodingKey) throws {
        if try encodeScalar(value) { return }
        let child = JSONValueEncoder(sink: sink, parent: self, key: key)
        try child.encodeNested(value)
    }

    private func encodeNested<T: Encodable>(_ value: T) throws {
        try value.encode(to: self)
        // A value that wrote nothing is an empty object, as JSONEncoder writes it.
        if !wrote { sink.bytes.append(contentsOf: JSONSink.emptyObject) }
        sink.close(downTo: base)
    }

    /// The types JSONEncoder writes itself rather than through their `encode(to:)`: the
    /// primitives (whose `encode(to:)` comes back to the container's overload for them, which
    /// defaults to the generic one), `Data` and `URL`.
    private func encodeScalar<T: Encodable>(_ value: T) throws -> Bool {
        // Comparing types is cheap; a failed dynamic cast per candidate was not.
        if T.self == String.self, let string = value as? String { sink.string(string) }
        else if T.self == Bool.self, let bool = value as? Bool { sink.bool(bool) }
        else if try encodeNumber(value) {}
        else if T.self == Data.self, let data = value as? Data { sink.string(data.base64EncodedString()) }
        else if T.self == URL.self, let url = value as? URL { sink.string(url.absoluteString) }
        else { return false }
        return true
    }

    private func encodeNumber<T: Encodable>(_ value: T) throws -> Bool {
        if T.self == UInt64.self, let number = value as? UInt64 { sink.integer(number) }
        else if T.self == Int64.self, let number = value as? Int64 { sink.integer(number) }
        else if T.self == Int.self, let number = value as? Int { sink.integer(Int64(number)) }
        else if T.self == UInt32.self, let number = value as? UInt32 { sink.integer(UInt64(number)) }
        else if T.self == Int32.self, let number = value as? Int32 { sink.integer(Int64(number)) }
        else if T.self == UInt.self, let number = value as? UInt { sink.integer(UInt64(number)) }
        else if T.self == UInt16.self, let number = value as? UInt16 { sink.integer(UInt64(number)) }
        else if T.self == Int16.self, let number = value as? Int16 { sink.integer(Int64(number)) }
        else if T.self == UInt8.self, let number = value as? UInt8 { sink.integer(UInt64(number)) }
        else if T.self == Int8.self, let number = value as? Int8 { sink.integer(Int64(number)) }
        else if T.self == Double.self, let number = value as? Double { try sink.float(number, codingPath: codingPath) }
        else if T.self == Float.self, let number = value as? Float { try sink.float(number, codingPath: codingPath) }
        else { return false }
        return true
    }
}
