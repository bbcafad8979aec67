import Foundation
import SwarmFormats
import SwarmProto
import Testing

/// Random logs written with WALWriter and read back with WALReader: what was written is what
/// is read, across segment cuts, tail rewrites, crashes at every point.
@Suite struct WALWriterPropertyTests {
    /// What the reader must return: entries with the uncommitted-tail rule applied, the last
    /// hard state, the snapshot records.
    struct Model {
        var entries: [RaftEntry] = []
        var hardState = RaftHardState()
        var snapshots: [WALSnapshot] = []
        /// How many saves overwrote part of the tail (so a test can tell it was exercised).
        var rewrites = 0

        var lastIndex: UInt64 { entries.last?.index ?? 0 }

        mutating func apply(_ new: [RaftEntry]) {
            guard let first = new.first else { return }
            if first.index <= lastIndex { rewrites += 1 }
            entries.removeSubrange(Int(first.index - 1)...)
            entries.append(contentsOf: new)
        }
    }

    struct Step {
        enum Kind { case save(RaftHardState, [RaftEntry]), snapshot(WALSnapshot) }
        let kind: Kind
    }

    /// A random history as raft produces one: terms only grow, a new leader may rewrite the
    /// uncommitted tail, commits only grow and never pass the last index, snapshots are taken
    /// at committed indexes.
    static func history(seed: UInt64, steps: Int, bigEvery: Int = 25) -> (steps: [Step], model: Model) {
        var random = SeededGenerator(seed: seed)
        var model = Model()
        var term: UInt64 = 1
        var commit: UInt64 = 0
        var snapshotIndex: UInt64 = 0
        var out: [Step] = []
        for step in 0..<steps {
            let roll = Int.random(in: 0..<100, using: &random)
            if roll < 5 && commit > snapshotIndex {
                var snapshot = WALSnapshot()
                snapshot.index = UInt64.random(in: (snapshotIndex + 1)...commit, using: &random)
                snapshot.term = model.entries[Int(snapshot.index - 1)].term
                var conf = RaftConfState()
                conf.voters = [1, 2, 3]
                snapshot.confState = conf
                snapshotIndex = snapshot.index
                model.snapshots.append(snapshot)
                out.append(Step(kind: .snapshot(snapshot)))
                continue
            }
            var first = model.lastIndex + 1
            if roll < 15 && model.lastIndex > max(commit, snapshotIndex) {
                // A new leader overwrites part of the uncommitted tail.
                term += 1
                first = UInt64.random(in: (max(commit, snapshotIndex) + 1)...model.lastIndex, using: &random)
            } else if roll < 20 {
                term += 1
            }
            // Rewrites always carry entries; otherwise some saves hold only a hard state.
            let count = (20..<30).contains(roll) ? 0 : Int.random(in: 1...6, using: &random)
            var entries: [RaftEntry] = []
            for i in 0..<count {
                let size: Int
                if step % bigEvery == 0 && i == 0 {
                    size = Int.random(in: 20_000...120_000, using: &random)
                } else {
                    size = [0, 1, 7, 8, 9, 100, 511, 512, 513, 1500, 4000].randomElement(using: &random) ?? 0
                }
                let byte = UInt8.random(in: 1...255, using: &random)
                let type: RaftEntryType = Int.random(in: 0..<10, using: &random) == 0 ? .entryConfChange : .entryNormal
                entries.append(WALTestRecords.entry(index: first + UInt64(i), term: term, type: type, data: Data(repeating: byte, count: size)))
            }
            model.apply(entries)
            if model.lastIndex > commit, Bool.random(using: &random) {
                commit = UInt64.random(in: commit...model.lastIndex, using: &random)
            }
            var state = RaftHardState()
            if roll % 3 != 0 || entries.isEmpty {
                state = WALTestRecords.hardState(term: term, vote: UInt64.random(in: 0...3, using: &random), commit: commit)
                model.hardState = state
            }
            out.append(Step(kind: .save(state, entries)))
        }
        return (out, model)
    }

    static func write(_ steps: [Step], to directory: URL, segmentSize: Int) throws {
        var writer = try WALWriter.create(directory: directory, metadata: Data("member".utf8), segmentSize: segmentSize)
        for step in steps {
            switch step.kind {
            case .save(let state, let entries): try writer.save(hardState: state, entries: entries)
            case .snapshot(let snapshot): try writer.saveSnapshot(snapshot)
            }
        }
        try writer.close()
    }

    static func check(_ directory: URL, _ model: Model, from start: WALStart = WALStart()) throws {
        let contents = try WALReader(directory: directory).readAll(from: start)
        let expected = model.entries.filter { $0.index > start.index }
        #expect(contents.entries.count == expected.count)
        for (stored, want) in zip(contents.entries, expected) {
            let got = try contents.raftEntry(stored)
            #expect(got.index == want.index && got.term == want.term && got.type == want.type && got.data == want.data)
        }
        #expect(contents.hardState == model.hardState)
        #expect(contents.tornTail == nil)
        #expect(contents.metadata == Data("member".utf8))
    }

    @Test("random logs read back exactly, across many segment cuts", arguments: [1, 2, 3, 4, 5, 6, 7, 8] as [UInt64])
    func randomLogsRoundTrip(seed: UInt64) throws {
        let root = try WALTestRecords.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let directory = root.appendingPathComponent("wal")
        let segmentSize = 32 * 1024
        let (steps, model) = Self.history(seed: seed, steps: 300)
        #expect(model.rewrites > 0 && !model.snapshots.isEmpty, "the history exercises rewrites and snapshots")
        try Self.write(steps, to: directory, segmentSize: segmentSize)
        try Self.check(directory, model)
        for snapshot in model.snapshots {
            try Self.check(directory, model, from: WALStart(index: snapshot.index, term: snapshot.term))
        }

        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        #expect(!names.contains { !$0.hasSuffix(".wal") }, "only segments remain: \(names)")
        let segments = try WALReader(directory: directory).segmentNames()
        #expect(segments.count > 3, "the history is long enough to cut several times")
        #expect(segments.map(\.sequence) == Array(0..<UInt64(segments.count)))
        for (i, segment) in segments.enumerated() {
            let size = try WALTestRecords.size(directory.appendingPathComponent(segment.fileName))
            // Full segments are closed off at their real end; the last is preallocated.
            if i == segments.count - 1 { #expect(size == segmentSize) } else { #expect(size >= segmentSize) }
            #expect(try WALTestRecords.mode(directory.appendingPathComponent(segment.fileName)) == 0o600)
        }
        // Each cut names the segment after the last entry saved before it, and starts it
        // with crc, metadata and (when there is one) the hard state.
        for segment in segments.dropFirst() {
            let (records, _) = try WALTestRecords.records(of: directory.appendingPathComponent(segment.fileName))
            #expect(records.prefix(2).map(\.record.type) == [4, 1])
            if let firstEntry = records.first(where: { $0.record.type == 2 }) {
                let entry = try RaftEntry(serializedBytes: firstEntry.record.data)
                #expect(entry.index <= segment.firstIndex, "a rewrite may go back, never forward")
            }
        }
    }

    @Test("a log larger than one real 64 MB segment is cut at etcd's size")
    func realSegmentSizeCut() throws {
        let root = try WALTestRecords.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let directory = root.appendingPathComponent("wal")
        var writer = try WALWriter.create(directory: directory, metadata: Data("member".utf8))
        var model = Model()
        var index: UInt64 = 0
        for batch in 0..<7 {
            var entries: [RaftEntry] = []
            for _ in 0..<10 {
                index += 1
                entries.append(WALTestRecords.entry(index: index, term: 1, data: Data(repeating: UInt8(index % 251), count: 1_000_000 + Int(index))))
            }
            model.apply(entries)
            model.hardState = WALTestRecords.hardState(term: 1, vote: 1, commit: index)
            try writer.save(hardState: model.hardState, entries: entries)
            if batch == 6 { #expect(writer.currentSegment == WALSegmentName(sequence: 1, firstIndex: 71)) }
        }
        try writer.close()
        let segments = try WALReader(directory: directory).segmentNames()
        #expect(segments == [WALSegmentName(sequence: 0, firstIndex: 0), WALSegmentName(sequence: 1, firstIndex: 71)])
        let first = try WALTestRecords.size(directory.appendingPathComponent(segments[0].fileName))
        // etcd checks the size after a whole Save: the seventh ~10 MB save takes the segment
        // from ~60 MB to ~70 MB, then the cut closes it off at that size.
        #expect(first > 70_000_000 && first < 70_100_000)
        #expect(try WALTestRecords.size(directory.appendingPathComponent(segments[1].fileName)) == 64_000_000)
        try Self.check(directory, model)
    }

    /// What a reader must see of a log whose bytes end (or turn to zeros) at `limit`.
    static func model(of records: [WALTestRecords.Located], complete: (WALTestRecords.Located) -> Bool) throws -> Model? {
        var model = Model()
        var sawSnapshot = false
        for located in records where complete(located) {
            switch located.record.type {
            case 2: model.apply([try RaftEntry(serializedBytes: located.record.data)])
            case 3: model.hardState = try RaftHardState(serializedBytes: located.record.data)
            case 5: sawSnapshot = true
            default: break
            }
        }
        return sawSnapshot ? model : nil
    }

    @Test("a log cut short at every record boundary and inside records reads back to its last complete record")
    func crashAtEveryPoint() throws {
        let root = try WALTestRecords.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let directory = root.appendingPathComponent("wal")
        let (steps, _) = Self.history(seed: 42, steps: 40, bigEvery: 1000)
        try Self.write(steps, to: directory, segmentSize: 1 << 20)
        let segment = try WALTestRecords.onlySegment(directory)
        let original = try Data(contentsOf: segment)
        let (records, end) = try WALTestRecords.records(of: segment)
        #expect(records.count > 60)

        var cuts = Set<Int>()
        for located in records {
            let length = located.recordEnd - located.frameStart - 8
            for point in [located.frameStart, located.frameStart + 3, located.frameStart + 8 + length / 2, located.recordEnd - 1, located.recordEnd] {
                cuts.insert(point)
            }
        }
        cuts.insert(end)
        for cut in cuts.sorted() {
            // A file that simply stops: only whole frames count.
            try original.prefix(cut).write(to: segment)
            try Self.expectReads(directory, records: records, at: "truncated at \(cut)") { $0.frameEnd <= cut }
        }
        for sector in stride(from: 0, through: end, by: 512) {
            // A write whose later sectors never reached the disk: zeros from a sector boundary.
            var damaged = original
            damaged.replaceSubrange(sector..<original.count, with: Data(count: original.count - sector))
            try damaged.write(to: segment)
            // A record is intact when none of its bytes changed (zeros that were zeros
            // already do not tear it); every other one reached the zeroed sectors.
            try Self.expectReads(directory, records: records, at: "zeroed from \(sector)") {
                original[$0.frameStart..<$0.recordEnd] == damaged[$0.frameStart..<$0.recordEnd]
            }
        }
    }

    static func expectReads(
        _ directory: URL, records: [WALTestRecords.Located], at place: String,
        complete: (WALTestRecords.Located) -> Bool
    ) throws {
        guard let want = try model(of: records, complete: complete) else {
            #expect(throws: WALError.self, "\(place): no snapshot record left") { try WALReader(directory: directory).readAll() }
            return
        }
        let contents = try WALReader(directory: directory).readAll()
        let got = try contents.entries.map { try contents.raftEntry($0) }
        #expect(got == want.entries, "\(place)")
        #expect(contents.hardState == want.hardState, "\(place)")
        // And a writer can carry on from there, as etcd does after a crash.
        var writer = try WALTestRecords.reopen(directory: directory, at: WALStart(), segmentSize: 1 << 20)
        let next = WALTestRecords.entry(index: want.lastIndex + 1, term: 99, data: Data("after \(place)".utf8))
        try writer.save(hardState: WALTestRecords.hardState(term: 99, vote: 0, commit: 0), entries: [next])
        try writer.close()
        let continued = try WALReader(directory: directory).readAll()
        #expect(try continued.entries.map { try continued.raftEntry($0) } == want.entries + [next], "\(place): continued")
        // Restore the damaged file's siblings: the writer may have left a `.broken` copy.
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path) where name.hasSuffix(".broken") {
            try FileManager.default.removeItem(at: directory.appendingPathComponent(name))
        }
    }
}
