import Foundation

/// The bytes written so far and the containers still open, shared by every encoder and
/// container of one `StreamingJSONEncoder.encode` call.
///
/// Containers are written as they are used, so a container cannot say when it ends: one is
/// closed when a container further out writes its next element, or when the value that
/// opened it is done.
final class JSONSink {
    struct Frame {
        /// `}` or `]`.
        let closer: UInt8
        var count = 0
        /// A key was written for a value that has not been written yet (`superEncoder`).
        var awaitingValue = false
    }

    // One sink belongs to one encode call on one thread, and no access to these overlaps
    // another: the runtime's exclusivity checks on them were a fifth of the encoding time.
    @exclusivity(unchecked) var bytes: [UInt8] = []
    @exclusivity(unchecked) private(set) var frames: [Frame] = []

    var depth: Int { frames.count }

    func open(_ opener: UInt8, closer: UInt8) {
        bytes.append(opener)
        frames.append(Frame(closer: closer))
    }

    /// Closes every container deeper than `depth`.
    func close(downTo depth: Int) {
        while frames.count > depth {
            let frame = frames.removeLast()
            if frame.awaitingValue { bytes.append(contentsOf: Self.emptyObject) }
            bytes.append(frame.closer)
        }
    }

    /// Starts the next element of the container at `depth`: closes what is open inside it,
    /// then writes the separator.
    func beginElement(at depth: Int) {
        precondition(depth <= frames.count, "a JSON container was written to after a container outside it moved on")
        close(downTo: depth)
        let index = depth - 1
        if frames[index].awaitingValue {
            bytes.append(contentsOf: Self.emptyObject)
            frames[index].awaitingValue = false
        }
        if frames[index].count > 0 { bytes.append(UInt8(ascii: ",")) }
        frames[index].count += 1
    }

    func count(at depth: Int) -> Int { frames[depth - 1].count }

    func awaitValue(at depth: Int, _ awaiting: Bool) { frames[depth - 1].awaitingValue = awaiting }

    func key(_ key: String, at depth: Int) {
        beginElement(at: depth)
        string(key)
        bytes.append(UInt8(ascii: ":"))
    }

    static let emptyObject: [UInt8] = Array("{}".utf8)

    // MARK: Scalars, spelled as Foundation's JSONEncoder spells them

    func string(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { utf8 in
            var start = 0
            for (index, byte) in utf8.enumerated() where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<index]))
                escape(byte)
                start = index + 1
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start...]))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private func escape(_ byte: UInt8) {
        bytes.append(UInt8(ascii: "\\"))
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(byte)
        case 0x08: bytes.append(UInt8(ascii: "b"))
        case 0x0C: bytes.append(UInt8(ascii: "f"))
        case 0x0A: bytes.append(UInt8(ascii: "n"))
        case 0x0D: bytes.append(UInt8(ascii: "r"))
        case 0x09: bytes.append(UInt8(ascii: "t"))
        default:
            let hex = { (digit: UInt8) in digit < 10 ? UInt8(ascii: "0") + digit : UInt8(ascii: "a") + digit - 10 }
            bytes.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex(byte >> 4), hex(byte & 0xF)])
        }
    }

    /// Digits written straight into the buffer: going through `String(value)` built a string
    /// for every number of every object.
    func integer(_ value: Int64) {
        if value < 0 {
            bytes.append(UInt8(ascii: "-"))
            integer(value.magnitude)
        } else {
            integer(UInt64(value))
        }
    }

    func integer(_ value: UInt64) {
        guard value >= 10 else {
            bytes.append(UInt8(ascii: "0") + UInt8(value))
            return
        }
        var digits = 0
        var rest = value
        while rest > 0 {
            digits += 1
            rest /= 10
        }
        let end = bytes.count + digits
        bytes.append(contentsOf: repeatElement(0, count: digits))
        bytes.withUnsafeMutableBufferPointer { buffer in
            var rest = value
            var index = end
            while rest > 0 {
                index -= 1
                buffer[index] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
            }
        }
    }

    func bool(_ value: Bool) {
        if value { bytes.append(contentsOf: "true".utf8) } else { bytes.append(contentsOf: "false".utf8) }
    }

    func null() {
        bytes.append(contentsOf: "null".utf8)
    }

    func float<F: BinaryFloatingPoint & CustomStringConvertible>(_ value: F, codingPath: @autoclosure () -> [any CodingKey]) throws {
        guard value.isFinite else {
            throw EncodingError.invalidValue(
                value, EncodingError.Context(codingPath: codingPath(), debugDescription: "Unable to encode \(value) directly in JSON."))
        }
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        bytes.append(contentsOf: text.utf8)
    }
}
