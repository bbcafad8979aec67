import Foundation
import Testing

@testable import StreamingJSON

/// `JSONWriter` is held to Foundation's JSONEncoder the same way as the streaming encoder:
/// a conformance written by hand must produce the document, and every scalar the bytes,
/// that JSONEncoder writes for the type's `Encodable` conformance.
struct JSONWriterTests {
    static func foundation(_ value: some Encodable) throws -> String {
        try StreamingJSONEncoderTests.foundation(value)
    }

    static func written(_ value: some JSONWritable) throws -> String {
        var json = JSONWriter()
        try json.write(value)
        return String(decoding: json.bytes, as: UTF8.self)
    }

    static func expectSameBytes(_ value: some Encodable & JSONWritable, sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(try written(value) == (try foundation(value)), sourceLocation: sourceLocation)
    }

    static func expectSameDocument(_ value: some Encodable & JSONWritable, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let parse = { (text: String) in
            try JSONSerialization.jsonObject(with: Data(text.utf8), options: .fragmentsAllowed) as? NSObject
        }
        let mine = try written(value)
        let parsed = try parse(mine)
        #expect(parsed != nil, "not JSON: \(mine)", sourceLocation: sourceLocation)
        #expect(parsed == (try parse(foundation(value))), "\(mine)", sourceLocation: sourceLocation)
    }

    @Test func scalarsAreSpelledAsJSONEncoderSpellsThem() throws {
        var controls = ""
        for scalar in 0..<0x20 { controls.unicodeScalars.append(Unicode.Scalar(UInt8(scalar))) }
        let strings = ["", "quote \" backslash \\ slash / end", controls, "\u{7F} é 日本 🐳 \u{2028}", "trailing \\"]
        try Self.expectSameBytes(strings)
        let (signed, unsigned) = StreamingJSONEncoderTests.digitBoundaries()
        try Self.expectSameBytes(signed)
        try Self.expectSameBytes(unsigned)
        try Self.expectSameBytes(signed.map { Int32(truncatingIfNeeded: $0) })
        try Self.expectSameBytes(unsigned.map { UInt32(truncatingIfNeeded: $0) })
        try Self.expectSameBytes(signed.map { Int(truncatingIfNeeded: $0) })
        try Self.expectSameBytes([true, false])
        try Self.expectSameBytes([0.1, 3.0, 1e300, -0.0, Double.leastNonzeroMagnitude])
        try Self.expectSameBytes([Float(0.1), 2, 0.25])
        try Self.expectSameBytes([Data([0, 1, 2, 250, 251, 255]), Data()])
        try Self.expectSameBytes([[String]]([[], ["a"], ["b", "c"]]))
        try Self.expectSameBytes(["only": ["member"]])
        try Self.expectSameBytes([String: String]())
    }

    @Test func nonFiniteNumbersAreRefusedLikeJSONEncoderRefusesThem() {
        for value in [Double.nan, .infinity, -.infinity] {
            #expect(throws: EncodingError.self) { try Self.written([value]) }
            #expect(throws: EncodingError.self) { try Self.foundation([value]) }
        }
        #expect(throws: EncodingError.self) { try Self.written(["ratio": Float.nan]) }
    }

    /// A conformance written the way the Engine API's types write theirs.
    struct Member: Codable, JSONWritable {
        var name: String
        var values: [Int64]?
        var labels: [String: String]?
        var inner: [Member]?
        var flag: Bool?
        enum CodingKeys: String, CodingKey { case name = "Name", values = "Values", labels = "Labels", inner = "Inner", flag = "Flag" }

        func writeJSON(to json: inout JSONWriter) throws {
            try json.object { json in
                try json.member(CodingKeys.name, name)
                try json.member(CodingKeys.values, values)
                try json.member(CodingKeys.labels, labels)
                try json.member(CodingKeys.inner, inner)
                try json.member(CodingKeys.flag, flag)
            }
        }
    }

    @Test func objectsLeaveAbsentMembersOutAndSeparateTheRest() throws {
        let leaf = Member(name: "leaf")
        try Self.expectSameBytes(leaf)
        try Self.expectSameBytes([leaf, leaf])
        let full = Member(
            name: "full \"quoted\"", values: [1, -2], labels: ["a": "1", "b": ""],
            inner: [leaf, Member(name: "", values: [], labels: [:], inner: [], flag: false)], flag: true)
        try Self.expectSameDocument(full)
        try Self.expectSameDocument(["first": full, "second": leaf])
        try Self.expectSameDocument([[full], [], [leaf, full]])
    }

    @Test func documentsWrittenOneAfterAnotherStandAlone() throws {
        var json = JSONWriter()
        try json.write(Member(name: "a"))
        try json.write(Member(name: "b"))
        #expect(String(decoding: json.bytes, as: UTF8.self) == #"{"Name":"a"}{"Name":"b"}"#)
    }
}
