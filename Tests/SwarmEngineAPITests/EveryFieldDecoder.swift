import Foundation

/// Builds a value of any `Decodable` type with every optional member present, every array
/// and dictionary holding two entries, and strings that need escaping: the value that shows
/// whether a hand-written `JSONWritable` conformance left a member out. Synthesized
/// conformances do not check what they decode, so any type of the Engine API's can be
/// filled this way.
struct EveryFieldDecoder: Decoder {
    var codingPath: [any CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    static func filled<T: Decodable>(_ type: T.Type) throws -> T {
        try T(from: EveryFieldDecoder())
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(Keyed<Key>(codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedDecodingContainer {
        Unkeyed(codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueDecodingContainer {
        Single(codingPath: codingPath)
    }

    /// The text every string is: the path it stands at, and characters JSON must escape.
    static func text(_ path: [any CodingKey]) -> String {
        "\(path.map(\.stringValue).joined(separator: ".")) \"q\" \\ / é 🐳\n"
    }

    fileprivate static func value<T: Decodable>(_ type: T.Type, at path: [any CodingKey]) throws -> T {
        // Past this depth a type would be recursive; nothing in the Engine API is.
        guard path.count < 16 else {
            throw DecodingError.dataCorrupted(.init(codingPath: path, debugDescription: "too deep"))
        }
        switch type {
        case is String.Type: return try cast(text(path), type, path)
        case is Bool.Type: return try cast(true, type, path)
        case is Float.Type: return try cast(Float(0.75), type, path)
        case is Double.Type: return try cast(0.5, type, path)
        case is Int.Type: return try cast(-7, type, path)
        case is Int64.Type: return try cast(Int64(-1_000_000_007), type, path)
        case is Int32.Type: return try cast(Int32(-70_000), type, path)
        case is UInt64.Type: return try cast(UInt64.max, type, path)
        case is UInt32.Type: return try cast(UInt32(0o644), type, path)
        case is UInt8.Type: return try cast(UInt8(250), type, path)
        default: return try T(from: EveryFieldDecoder(codingPath: path))
        }
    }

    private static func cast<T>(_ value: Any, _ type: T.Type, _ path: [any CodingKey]) throws -> T {
        guard let value = value as? T else {
            throw DecodingError.typeMismatch(type, .init(codingPath: path, debugDescription: "no value for \(type)"))
        }
        return value
    }

    struct Keyed<Key: CodingKey>: KeyedDecodingContainerProtocol {
        var codingPath: [any CodingKey]
        /// Only dictionaries ask; their keys take any string.
        var allKeys: [Key] { ["first", "second"].compactMap(Key.init(stringValue:)) }
        func contains(_ key: Key) -> Bool { true }
        func decodeNil(forKey key: Key) throws -> Bool { false }
        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
            try EveryFieldDecoder.value(type, at: codingPath + [key])
        }
        func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) -> KeyedDecodingContainer<NestedKey> {
            KeyedDecodingContainer(Keyed<NestedKey>(codingPath: codingPath + [key]))
        }
        func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedDecodingContainer {
            Unkeyed(codingPath: codingPath + [key])
        }
        func superDecoder() -> any Decoder { EveryFieldDecoder(codingPath: codingPath) }
        func superDecoder(forKey key: Key) -> any Decoder { EveryFieldDecoder(codingPath: codingPath + [key]) }
    }

    struct Unkeyed: UnkeyedDecodingContainer {
        var codingPath: [any CodingKey]
        var count: Int? { 2 }
        var currentIndex = 0
        var isAtEnd: Bool { currentIndex >= 2 }

        init(codingPath: [any CodingKey]) { self.codingPath = codingPath }

        private var indexKey: any CodingKey { Index(intValue: currentIndex) }

        mutating func decodeNil() throws -> Bool { false }
        mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
            defer { currentIndex += 1 }
            return try EveryFieldDecoder.value(type, at: codingPath + [indexKey])
        }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) -> KeyedDecodingContainer<NestedKey> {
            defer { currentIndex += 1 }
            return KeyedDecodingContainer(Keyed<NestedKey>(codingPath: codingPath + [indexKey]))
        }
        mutating func nestedUnkeyedContainer() -> any UnkeyedDecodingContainer {
            defer { currentIndex += 1 }
            return Unkeyed(codingPath: codingPath + [indexKey])
        }
        mutating func superDecoder() -> any Decoder {
            defer { currentIndex += 1 }
            return EveryFieldDecoder(codingPath: codingPath + [indexKey])
        }
    }

    struct Single: SingleValueDecodingContainer {
        var codingPath: [any CodingKey]
        func decodeNil() -> Bool { false }
        func decode<T: Decodable>(_ type: T.Type) throws -> T {
            try EveryFieldDecoder.value(type, at: codingPath)
        }
    }

    struct Index: CodingKey {
        var intValue: Int?
        var stringValue: String { "\(intValue ?? 0)" }
        init(intValue: Int) { self.intValue = intValue }
        init?(stringValue: String) { nil }
    }
}
