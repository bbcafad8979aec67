import Foundation

/// A value that writes its own JSON: the document `JSONEncoder` writes for its `Encodable`
/// conformance, without Codable's dispatch.
///
/// Why: through `Encodable`, every member of every object is a call through a type-erased
/// container, and every absent optional one still costs a lookup of `Optional<T>`'s type
/// metadata. On a 3000-service swarm that was half of rendering the service list the
/// embedded manager boots into. A conformance lists its members again, by their `CodingKeys`,
/// and its tests hold it to the type's `Encodable` conformance (for the Engine API's types:
/// `StreamingRenderTests`, with every optional member filled).
public protocol JSONWritable {
    func writeJSON(to json: inout JSONWriter) throws
}

/// Writes JSON values in place. Scalars are spelled by the same code as the streaming
/// encoder's; objects take their members in the order they are written, absent optionals
/// left out (as `encodeIfPresent` leaves them out).
///
/// Everything here is inlinable so that a conformance in another module is specialized
/// for its member types instead of calling through them generically.
public struct JSONWriter {
    /// What has been written so far.
    public var bytes: [UInt8] { buffer }
    @usableFromInline var buffer: [UInt8]
    /// Whether the next member or element needs a comma before it.
    @usableFromInline var separate = false

    public init(capacity: Int = 0) {
        buffer = []
        buffer.reserveCapacity(capacity)
    }

    /// Writes `value` as the whole document (or the next one, for a caller joining several).
    @inlinable
    public mutating func write(_ value: some JSONWritable) throws {
        separate = false
        try value.writeJSON(to: &self)
    }

    /// An object whose members `body` writes with `member(_:_:)`.
    @inlinable
    public mutating func object(_ body: (inout JSONWriter) throws -> Void) rethrows {
        buffer.append(UInt8(ascii: "{"))
        separate = false
        try body(&self)
        buffer.append(UInt8(ascii: "}"))
        separate = true
    }

    /// A member of the object being written; nothing when `value` is nil.
    @inlinable
    public mutating func member<Key: CodingKey, Value: JSONWritable>(_ key: Key, _ value: Value?) throws {
        guard let value else { return }
        try member(key.stringValue, value)
    }

    @inlinable
    mutating func member(_ name: String, _ value: some JSONWritable) throws {
        if separate { buffer.append(UInt8(ascii: ",")) }
        JSONScalars.string(name, to: &buffer)
        buffer.append(UInt8(ascii: ":"))
        try value.writeJSON(to: &self)
        separate = true
    }

    /// An array of `elements`.
    @inlinable
    public mutating func array<S: Sequence>(_ elements: S) throws where S.Element: JSONWritable {
        buffer.append(UInt8(ascii: "["))
        separate = false
        for element in elements {
            if separate { buffer.append(UInt8(ascii: ",")) }
            try element.writeJSON(to: &self)
            separate = true
        }
        buffer.append(UInt8(ascii: "]"))
        separate = true
    }

    // Scalars: each is one complete value.

    @inlinable
    public mutating func string(_ value: String) {
        JSONScalars.string(value, to: &buffer)
    }

    @inlinable
    public mutating func integer(_ value: Int64) {
        JSONScalars.integer(value, to: &buffer)
    }

    @inlinable
    public mutating func integer(_ value: UInt64) {
        JSONScalars.integer(value, to: &buffer)
    }

    @inlinable
    public mutating func bool(_ value: Bool) {
        JSONScalars.bool(value, to: &buffer)
    }

    @inlinable
    public mutating func float<F: BinaryFloatingPoint & CustomStringConvertible>(_ value: F) throws {
        try JSONScalars.float(value, to: &buffer, codingPath: [])
    }
}

extension String: JSONWritable {
    @inlinable public func writeJSON(to json: inout JSONWriter) { json.string(self) }
}

extension Bool: JSONWritable {
    @inlinable public func writeJSON(to json: inout JSONWriter) { json.bool(self) }
}

extension Int: JSONWritable {
    @inlinable public func writeJSON(to json: inout JSONWriter) { json.integer(Int64(self)) }
}

extension Int64: JSONWritable {
    @inlinable public func writeJSON(to json: inout JSONWriter) { json.integer(self) }
}

extension Int32: JSONWritable {
    @inlinable public func writeJSON(to json: inout JSONWriter) { json.integer(Int64(self)) }
}

extension UInt64: JSONWritable {
    @inlinable public func writeJSON(to json: inout JSONWriter) { json.integer(self) }
}

extension UInt32: JSONWritable {
    @inlinable public func writeJSON(to json: inout JSONWriter) { json.integer(UInt64(self)) }
}

extension Double: JSONWritable {
    @inlinable public func writeJSON(to json: inout JSONWriter) throws { try json.float(self) }
}

extension Float: JSONWritable {
    @inlinable public func writeJSON(to json: inout JSONWriter) throws { try json.float(self) }
}

/// Base64, as JSONEncoder's default data strategy writes it.
extension Data: JSONWritable {
    @inlinable public func writeJSON(to json: inout JSONWriter) { json.string(base64EncodedString()) }
}

extension Array: JSONWritable where Element: JSONWritable {
    @inlinable public func writeJSON(to json: inout JSONWriter) throws { try json.array(self) }
}

/// Members in the dictionary's own order, as JSONEncoder writes a `[String: Value]`.
extension Dictionary: JSONWritable where Key == String, Value: JSONWritable {
    @inlinable
    public func writeJSON(to json: inout JSONWriter) throws {
        try json.object { json in
            for (name, value) in self { try json.member(name, value) }
        }
    }
}
