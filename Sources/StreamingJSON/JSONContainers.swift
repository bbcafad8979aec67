import Foundation

/// An object's members, written as they are encoded.
struct JSONKeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let encoder: JSONValueEncoder
    let depth: Int

    var codingPath: [any CodingKey] { encoder.codingPath }
    private var sink: JSONSink { encoder.sink }

    mutating func encodeNil(forKey key: Key) throws {
        sink.key(key.stringValue, at: depth)
        sink.null()
    }

    mutating func encode(_ value: Bool, forKey key: Key) throws {
        sink.key(key.stringValue, at: depth)
        sink.bool(value)
    }

    mutating func encode(_ value: String, forKey key: Key) throws {
        sink.key(key.stringValue, at: depth)
        sink.string(value)
    }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        sink.key(key.stringValue, at: depth)
        try encoder.encodeValue(value, forKey: key)
    }

    /// Synthesized conformances call this for every optional member, absent or not; the
    /// standard library's default spent twice as long looking up `Optional<T>`'s type
    /// metadata (perf, rendering 3000 services).
    mutating func encodeIfPresent<T: Encodable>(_ value: T?, forKey key: Key) throws {
        guard let value else { return }
        sink.key(key.stringValue, at: depth)
        try encoder.encodeValue(value, forKey: key)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type, forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        sink.key(key.stringValue, at: depth)
        sink.open(UInt8(ascii: "{"), closer: UInt8(ascii: "}"))
        return KeyedEncodingContainer(JSONKeyedContainer<NestedKey>(encoder: encoder, depth: depth + 1))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        sink.key(key.stringValue, at: depth)
        sink.open(UInt8(ascii: "["), closer: UInt8(ascii: "]"))
        return JSONUnkeyedContainer(encoder: encoder, depth: depth + 1)
    }

    mutating func superEncoder() -> any Encoder {
        superEncoder(named: "super")
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        superEncoder(named: key.stringValue)
    }

    /// The value comes later, through the returned encoder; until it does, the member reads
    /// `{}` (what JSONEncoder writes for an encoder nothing was written to).
    private func superEncoder(named name: String) -> any Encoder {
        sink.key(name, at: depth)
        sink.awaitValue(at: depth, true)
        return JSONDeferredEncoder(sink: sink, depth: depth)
    }
}

/// An array's elements, written as they are encoded.
struct JSONUnkeyedContainer: UnkeyedEncodingContainer {
    let encoder: JSONValueEncoder
    let depth: Int

    var codingPath: [any CodingKey] { encoder.codingPath }
    var count: Int { encoder.sink.count(at: depth) }
    private var sink: JSONSink { encoder.sink }

    mutating func encodeNil() throws {
        sink.beginElement(at: depth)
        sink.null()
    }

    mutating func encode(_ value: String) throws {
        sink.beginElement(at: depth)
        sink.string(value)
    }

    mutating func encode<T: Encodable>(_ value: T) throws {
        sink.beginElement(at: depth)
        try encoder.encodeValue(value)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        sink.beginElement(at: depth)
        sink.open(UInt8(ascii: "{"), closer: UInt8(ascii: "}"))
        return KeyedEncodingContainer(JSONKeyedContainer<NestedKey>(encoder: encoder, depth: depth + 1))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        sink.beginElement(at: depth)
        sink.open(UInt8(ascii: "["), closer: UInt8(ascii: "]"))
        return JSONUnkeyedContainer(encoder: encoder, depth: depth + 1)
    }

    mutating func superEncoder() -> any Encoder {
        sink.beginElement(at: depth)
        sink.awaitValue(at: depth, true)
        return JSONDeferredEncoder(sink: sink, depth: depth)
    }
}

/// One value written in place: the encoder's own position.
struct JSONSingleValueContainer: SingleValueEncodingContainer {
    let encoder: JSONValueEncoder

    var codingPath: [any CodingKey] { encoder.codingPath }

    mutating func encodeNil() throws {
        encoder.markWritten()
        encoder.sink.null()
    }

    mutating func encode(_ value: String) throws {
        encoder.markWritten()
        encoder.sink.string(value)
    }

    mutating func encode(_ value: Bool) throws {
        encoder.markWritten()
        encoder.sink.bool(value)
    }

    mutating func encode<T: Encodable>(_ value: T) throws {
        encoder.markWritten()
        try encoder.encodeValue(value)
    }
}

/// The encoder `superEncoder` hands out: its value fills the member or element written
/// for it, if it comes before the container moves on.
final class JSONDeferredEncoder: Encoder {
    private let sink: JSONSink
    private let depth: Int
    let codingPath: [any CodingKey] = []
    let userInfo: [CodingUserInfoKey: Any] = [:]

    init(sink: JSONSink, depth: Int) {
        self.sink = sink
        self.depth = depth
    }

    private func take() -> JSONValueEncoder {
        sink.close(downTo: depth)
        sink.awaitValue(at: depth, false)
        return JSONValueEncoder(sink: sink, parent: nil, key: nil)
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        take().container(keyedBy: type)
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        take().unkeyedContainer()
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        take().singleValueContainer()
    }
}
