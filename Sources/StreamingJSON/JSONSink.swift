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

    // MARK: Scalars

    func string(_ value: String) { JSONScalars.string(value, to: &bytes) }

    func integer(_ value: Int64) { JSONScalars.integer(value, to: &bytes) }

    func integer(_ value: UInt64) { JSONScalars.integer(value, to: &bytes) }

    func bool(_ value: Bool) { JSONScalars.bool(value, to: &bytes) }

    func null() { JSONScalars.null(to: &bytes) }

    func float<F: BinaryFloatingPoint & CustomStringConvertible>(_ value: F, codingPath: @autoclosure () -> [any CodingKey]) throws {
        try JSONScalars.float(value, to: &bytes, codingPath: codingPath())
    }
}
