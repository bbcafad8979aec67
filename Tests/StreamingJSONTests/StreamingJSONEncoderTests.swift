import Foundation
import Testing

@testable import StreamingJSON

/// The streaming encoder is held to Foundation's JSONEncoder (the outside implementation it
/// stands in for) on the shapes Codable can produce: the same document, and every scalar
/// spelled byte for byte the same. (JSONEncoder orders an object's members by hashing, a
/// different order each run; the streaming encoder writes them in encoding order.)
struct StreamingJSONEncoderTests {
    static func foundation(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func streaming(_ value: some Encodable) throws -> String {
        String(decoding: try StreamingJSONEncoder().encode(value), as: UTF8.self)
    }

    /// The same document: both parse, to equal values.
    static func expectSame(_ value: some Encodable, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let expected = try foundation(value)
        let written = try streaming(value)
        let parse = { (text: String) in
            try JSONSerialization.jsonObject(with: Data(text.utf8), options: .fragmentsAllowed) as? NSObject
        }
        let parsed = try parse(written)
        #expect(parsed != nil, "not JSON: \(written)", sourceLocation: sourceLocation)
        #expect(parsed == (try parse(expected)), "\(written)\nagainst JSONEncoder's\n\(expected)", sourceLocation: sourceLocation)
    }

    /// The same bytes: for values whose objects have at most one member.
    static func expectSameBytes(_ value: some Encodable, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let written = try streaming(value)
        #expect(written == (try foundation(value)), sourceLocation: sourceLocation)
    }

    struct Leaves: Codable {
        var string = "plain"
        var int = -42
        var int8: Int8 = -8
        var int16: Int16 = 16
        var int32: Int32 = .min
        var int64: Int64 = .max
        var uint: UInt = 7
        var uint8: UInt8 = 255
        var uint16: UInt16 = 65535
        var uint32: UInt32 = .max
        var uint64: UInt64 = .max
        var yes = true
        var no = false
        var double = 0.1
        var wholeDouble = 3.0
        var hugeDouble = 1e300
        var tinyDouble = Double.leastNonzeroMagnitude
        var negativeZero = -0.0
        var float: Float = 0.1
        var wholeFloat: Float = 2
        var data = Data([0, 1, 2, 250, 251, 255])
        var emptyData = Data()
        var url = URL(string: "https://example.com/a/b?c=d")!
        var absent: String? = nil
        var present: String? = "here"
    }

    @Test func leavesAreSpelledAsJSONEncoderSpellsThem() throws {
        try Self.expectSame(Leaves())
        for (label, child) in Mirror(reflecting: Leaves()).children {
            guard let leaf = child as? any Encodable else {
                Issue.record("\(label ?? "?") is not Encodable")
                continue
            }
            try Self.expectSameBytes([leaf].map(AnyLeaf.init))
            try Self.expectSameBytes(["key": AnyLeaf(leaf)])
        }
    }

    /// Integers on either side of every count of decimal digits, and the extremes.
    static func digitBoundaries() -> (signed: [Int64], unsigned: [UInt64]) {
        var signed: [Int64] = [0, -1, .min, .max]
        var unsigned: [UInt64] = [0, .max]
        var power: UInt64 = 1
        for _ in 0..<19 {
            unsigned += [power - 1, power, power + 1]
            signed += [Int64(power) - 1, -Int64(power), Int64(power) + 1]
            power *= 10
        }
        return (signed, unsigned)
    }

    @Test func integersAtEveryDigitBoundary() throws {
        let (signed, unsigned) = Self.digitBoundaries()
        try Self.expectSameBytes(signed)
        try Self.expectSameBytes(unsigned)
        try Self.expectSameBytes(signed.map { Int32(truncatingIfNeeded: $0) })
        try Self.expectSameBytes(unsigned.map { UInt16(truncatingIfNeeded: $0) })
    }

    struct AnyLeaf: Encodable {
        let leaf: any Encodable
        init(_ leaf: any Encodable) { self.leaf = leaf }
        func encode(to encoder: any Encoder) throws {
            try leaf.encodeAsSingleValue(to: encoder)
        }
    }

    @Test func stringsAreEscapedAsJSONEncoderEscapesThem() throws {
        var controls = ""
        for scalar in 0..<0x20 { controls.unicodeScalars.append(Unicode.Scalar(UInt8(scalar))) }
        for text in [
            "", "quote \" backslash \\ slash / end", controls, "\u{7F} delete", "é ü 日本 🐳 \u{2028}\u{2029}",
            "trailing \\", "\"", "a\nb\tc\rd",
        ] {
            try Self.expectSameBytes(text)
            try Self.expectSameBytes([text: [text]])
        }
    }

    struct Inner: Codable { var name: String; var values: [Int] }
    struct Outer: Codable {
        var inner: Inner
        var list: [Inner]
        var nested: [[Inner]]
        var empty: [Inner]
        var optionalInner: Inner?
        var labels: [String: String]
        var byNumber: [Int: String]
        var after = "after the containers"
    }

    @Test func nestedContainersCloseWhereJSONEncoderClosesThem() throws {
        let inner = Inner(name: "x", values: [1, 2, 3])
        try Self.expectSame(
            Outer(
                inner: inner, list: [inner, Inner(name: "", values: [])], nested: [[], [inner], [inner, inner]],
                empty: [], optionalInner: nil, labels: ["com.docker.stack.namespace": "web", "empty": ""],
                byNumber: [1: "one", 22: "twenty-two"]))
        try Self.expectSame([[[Int]]]([[[]], [[1], [2, 3]], []]))
        try Self.expectSame([Inner?]([nil, inner, nil]))
    }

    /// Written by hand: nested containers opened through the container API, explicit nulls.
    struct HandWritten: Encodable {
        enum Keys: String, CodingKey { case a, b, c, d, e }
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            var b = container.nestedContainer(keyedBy: Keys.self, forKey: .b)
            try b.encodeNil(forKey: .a)
            var list = b.nestedUnkeyedContainer(forKey: .c)
            try list.encode(1)
            var deeper = list.nestedContainer(keyedBy: Keys.self)
            try deeper.encode("deep", forKey: .d)
            try list.encodeNil()
            var listInList = list.nestedUnkeyedContainer()
            try listInList.encode(true)
            #expect(list.count == 4)
            try container.encode(5, forKey: .e)
            _ = container.nestedUnkeyedContainer(forKey: .a)
            _ = container.nestedContainer(keyedBy: Keys.self, forKey: .c)
        }
    }

    @Test func containersOpenedByHandAreClosedInOrder() throws {
        try Self.expectSame(HandWritten())
        try Self.expectSame([HandWritten(), HandWritten()])
    }

    /// Go's embedded structs: two values encoded into one encoder's one object.
    struct Embedded: Encodable {
        var base = Inner(name: "base", values: [9])
        enum Keys: String, CodingKey { case extra = "Extra" }
        func encode(to encoder: any Encoder) throws {
            try base.encode(to: encoder)
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode("more", forKey: .extra)
        }
    }

    struct Nothing: Encodable {
        func encode(to encoder: any Encoder) throws {}
    }

    struct NoMembers: Codable {}

    struct SingleValues: Encodable {
        var inner = Inner(name: "through a single value container", values: [])
        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode(inner)
        }
    }

    @Test func unusualEncodersMatch() throws {
        try Self.expectSame(Embedded())
        try Self.expectSame(["embedded": Embedded()])
        try Self.expectSame(["nothing": Nothing()])
        try Self.expectSame([NoMembers(), NoMembers()])
        try Self.expectSame(["single": SingleValues()])
    }

    class Base: Encodable {
        var id = "base-id"
        enum Keys: String, CodingKey { case id }
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(id, forKey: .id)
        }
    }

    final class Derived: Base {
        var extra = [1, 2]
        enum DerivedKeys: String, CodingKey { case extra, base, list, unused }
        override func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: DerivedKeys.self)
            try container.encode(extra, forKey: .extra)
            try super.encode(to: container.superEncoder())
            try super.encode(to: container.superEncoder(forKey: .base))
            var list = container.nestedUnkeyedContainer(forKey: .list)
            try list.encode(3)
            try super.encode(to: list.superEncoder())
            try list.encode(4)
            _ = container.superEncoder(forKey: .unused)
        }
    }

    @Test func superEncodersWriteWhereTheyWereAskedFor() throws {
        try Self.expectSame(Derived())
    }

    @Test func nonFiniteNumbersAreRefusedLikeJSONEncoderRefusesThem() throws {
        for value in [Double.nan, .infinity, -.infinity] {
            #expect(throws: EncodingError.self) { try Self.streaming(["value": value]) }
            #expect(throws: EncodingError.self) { try Self.foundation(["value": value]) }
        }
        #expect(throws: EncodingError.self) { try Self.streaming([Float.nan]) }
    }
}

extension Encodable {
    /// The leaf through a single-value container with its own type (Data, URL, ...) seen, as
    /// the encoders see a member of that type.
    fileprivate func encodeAsSingleValue(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(self)
    }
}
