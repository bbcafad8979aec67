import Foundation
import SwarmFormats
import SwarmProto
import Testing

/// Random multi-segment logs written with WALWriter, then one byte changed anywhere a CRC or
/// the framing covers: WALSalvageReader (what `repair` builds on) returns exactly the records
/// before the damaged one and names the segments it could not use; WALReader never returns
/// anything past the damage.
@Suite struct WALSalvagePropertyTests {
    struct Located {
        let segment: Int
        let record: WALTestRecords.Located
    }

    /// The bytes a change to which the format detects at that record: the length word's
    /// length, the record's CRC field and its data. Not the record type (etcd's CRC covers
    /// the data only, so a changed type is not corruption the format can see) and not the
    /// padding bits or bytes (a padding change shifts or leaves the *next* frame).
    static func detectableRange(_ record: WALTestRecords.Located) -> Range<Int> {
        (record.frameStart + 8 + 2)..<record.recordEnd
    }

    @Test("a byte changed anywhere in a multi-segment log: the salvage is the records before it", arguments: [1, 2, 3, 4] as [UInt64])
    func changedByteAnywhere(seed: UInt64) throws {
        let root = try WALTestRecords.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let directory = root.appendingPathComponent("wal")
        let (steps, model) = WALWriterPropertyTests.history(seed: seed + 1000, steps: 150, bigEvery: 1000)
        try WALWriterPropertyTests.write(steps, to: directory, segmentSize: 16 * 1024)
        let segments = try WALReader(directory: directory).segmentNames()
        #expect(segments.count >= 3, "the log spans several segments")
        let files = segments.map { directory.appendingPathComponent($0.fileName) }
        let originals = try files.map { try Data(contentsOf: $0) }
        var all: [Located] = []
        for (index, file) in files.enumerated() {
            for record in try WALTestRecords.records(of: file).records {
                // The record starts with its type field (tag 1, a one-byte value): the bytes
                // `detectableRange` leaves out.
                #expect(originals[index][record.frameStart + 8] == 0x08)
                all.append(Located(segment: index, record: record))
            }
        }
        let clean = try WALSalvageReader(directory: directory).read()
        #expect(clean.stop == nil && clean.unreadSegments.isEmpty)
        #expect(try clean.contents.entries.map { try clean.contents.raftEntry($0) } == model.entries)

        var random = SeededGenerator(seed: seed)
        var damagedSegments = Set<Int>()
        for trial in 0..<80 {
            guard let target = all.randomElement(using: &random) else { break }
            let range = Self.detectableRange(target.record)
            guard !range.isEmpty else { continue }
            let offset = Int.random(in: range, using: &random)
            var damaged = originals[target.segment]
            damaged[offset] ^= UInt8.random(in: 1...255, using: &random)
            try damaged.write(to: files[target.segment])
            defer { try? originals[target.segment].write(to: files[target.segment]) }
            damagedSegments.insert(target.segment)

            // What must be read: every record before the damaged one, in log order.
            var want = WALWriterPropertyTests.Model()
            for located in all {
                if located.segment == target.segment && located.record.frameStart == target.record.frameStart { break }
                switch located.record.record.type {
                case 2: want.apply([try RaftEntry(serializedBytes: located.record.record.data)])
                case 3: want.hardState = try RaftHardState(serializedBytes: located.record.record.data)
                default: break
                }
            }
            let place = "seed \(seed) trial \(trial): byte \(offset) of \(segments[target.segment].fileName), record at \(target.record.frameStart)"
            let salvage = try WALSalvageReader(directory: directory).read()
            #expect(salvage.stop != nil, "\(place)")
            #expect(salvage.stopPosition?.segment == segments[target.segment].fileName, "\(place)")
            #expect(salvage.stopPosition?.offset == target.record.frameStart, "\(place)")
            #expect(try salvage.contents.entries.map { try salvage.contents.raftEntry($0) } == want.entries, "\(place)")
            #expect(salvage.contents.hardState == want.hardState, "\(place)")
            #expect(salvage.unreadSegments == Array(segments[(target.segment + 1)...]), "\(place)")

            // The plain reader refuses the log, or (last segment only) reads it as torn there.
            do {
                let contents = try WALReader(directory: directory).readAll()
                #expect(target.segment == segments.count - 1 && contents.tornTail != nil, "\(place): read as whole")
                #expect(try contents.entries.map { try contents.raftEntry($0) } == want.entries, "\(place)")
            } catch {
                // Corruption is reported, not read past.
            }
        }
        #expect(damagedSegments.count > 2, "damage reached several segments")
    }
}
