// A stand-in for a busy swarm manager, for tests only: appends raft entries to a copy of a
// real state directory the way swarmkit's etcd WAL does (locks held, small segments so they
// are cut often), and now and then writes a snapshot in place (visible half-written for a
// moment, as etcd's snapshotter leaves it) followed by garbage collection of old segments and
// snapshots. Backups taken meanwhile must still be consistent.
//
// usage: swarmsafe-test-appender STATE_DIR SECONDS [SEGMENT_BYTES] [SNAPSHOT_EVERY]
// Prints "ready" once appending, then "index N" after each batch.
//
// Fill mode, for benchmarks that need a big real-looking log (APPENDER_TARGET_BYTES=N):
// appends until the WAL's records (every segment's used bytes, summed) reach N bytes, then
// prints "done index I wal_bytes B" and exits 0; SECONDS is then only a time limit (exit 1
// if N is not reached by then) and no "index N" line is printed per batch. APPENDER_NO_SLEEP=1
// drops the 2 ms pause between batches. Pass SEGMENT_BYTES 64000000 (swarmkit's size) and a
// huge SNAPSHOT_EVERY (1000000000) for a plain long log without snapshots.
import Foundation
import SwarmFormats
import SwarmProto

let arguments = CommandLine.arguments
guard arguments.count >= 3, let seconds = Double(arguments[2]) else {
    FileHandle.standardError.write(Data("usage: swarmsafe-test-appender STATE_DIR SECONDS [SEGMENT_BYTES] [SNAPSHOT_EVERY]\n".utf8))
    exit(2)
}
let segmentSize = arguments.count > 3 ? Int(arguments[3]) ?? 256 << 10 : 256 << 10
let snapshotEvery = arguments.count > 4 ? Int(arguments[4]) ?? 40 : 40
let directory = StateDirectory(path: arguments[1])
let environment = ProcessInfo.processInfo.environment
let targetBytes = environment["APPENDER_TARGET_BYTES"].flatMap { Int($0) }
let sleeps = environment["APPENDER_NO_SLEEP"] != "1"

/// A line on standard output, unbuffered: the test reads it while we run.
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

do {
    guard let layout = directory.raftLayout else { throw StateDirectoryError.noWAL(path: directory.path) }
    let log = try RaftLogLoader.load(directory, decrypter: PlaintextPayloads())
    guard let baseSnapshot = log.snapshot else { throw CocoaError(.featureUnsupported) }
    // Payloads to repeat: the stored (still encrypted) data of real entries, so every
    // appended entry decrypts with the node's DEK and replays.
    var pool: [Data] = []
    try log.wal.forEachEntry { _, entry in
        if entry.type == .entryNormal && !entry.data.isEmpty { pool.append(entry.data) }
    }
    if pool.isEmpty { pool = [Data()] }
    let walDirectory = directory.walDirectory(layout)
    let snapDirectory = directory.snapshotDirectory(layout)
    var writer = try WALWriter.open(
        directory: walDirectory, at: WALStart(index: log.snapshotIndex, term: log.snapshotTerm), segmentSize: segmentSize)
    var index = log.lastIndex
    let term = max(log.lastTerm, log.hardState.term)
    var hardState = log.hardState
    let deadline = Date().addingTimeInterval(seconds)
    var batches = 0
    var previousSnapshot = log.snapshotIndex
    // The WAL's record bytes: cut segments are truncated to their used length, the one being
    // appended to is used up to the writer's offset.
    func fileSize(_ name: WALSegmentName) -> Int {
        var info = stat()
        return stat(walDirectory.appendingPathComponent(name.fileName).path, &info) == 0 ? Int(info.st_size) : 0
    }
    func cutSegmentBytes(besides current: WALSegmentName?) throws -> Int {
        try WALReader(directory: walDirectory).segmentNames().filter { $0 != current }.reduce(0) { $0 + fileSize($1) }
    }
    var cutBytes = try cutSegmentBytes(besides: writer.currentSegment)
    var appendingTo = writer.currentSegment
    say("ready")
    while Date() < deadline {
        if let targetBytes, cutBytes + writer.currentOffset >= targetBytes { break }
        var batch: [RaftEntry] = []
        for _ in 0..<8 {
            index += 1
            var entry = RaftEntry()
            entry.index = index
            entry.term = term
            entry.type = .entryNormal
            entry.data = pool[Int(index) % pool.count]
            batch.append(entry)
        }
        hardState.term = term
        hardState.commit = index
        try writer.save(hardState: hardState, entries: batch)
        if writer.currentSegment != appendingTo {
            if let appendingTo { cutBytes += fileSize(appendingTo) }
            appendingTo = writer.currentSegment
        }
        batches += 1
        if batches % snapshotEvery == 0 {
            var snapshot = baseSnapshot.snapshot
            snapshot.metadata.index = index
            snapshot.metadata.term = term
            let name = SnapshotName(term: term, index: index)
            let path = snapDirectory.appendingPathComponent(name.fileName).path
            let bytes = SnapshotWriter.fileBytes(snapshot)
            // In place and in two steps, as etcd writes it: a reader can see half a file.
            _ = FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o644])
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            try handle.write(contentsOf: bytes.prefix(bytes.count / 2))
            usleep(20_000)
            try handle.write(contentsOf: bytes.dropFirst(bytes.count / 2))
            try handle.synchronize()
            try handle.close()
            var record = WALSnapshot()
            record.index = index
            record.term = term
            record.confState = snapshot.metadata.confState
            try writer.saveSnapshot(record)
            // Garbage collection as swarmkit does it: keep the newest snapshot, drop older
            // ones and the segments only they needed.
            for old in try SnapshotReader(directory: snapDirectory).snapshotNames() where old.index < index {
                unlink(snapDirectory.appendingPathComponent(old.fileName).path)
            }
            let segments = try WALReader(directory: walDirectory).segmentNames()
            for (segment, next) in zip(segments, segments.dropFirst()) where next.firstIndex <= previousSnapshot {
                unlink(walDirectory.appendingPathComponent(segment.fileName).path)
            }
            previousSnapshot = index
            cutBytes = try cutSegmentBytes(besides: writer.currentSegment)
        }
        if targetBytes == nil { say("index \(index)") }
        if sleeps { usleep(2_000) }
    }
    let reached = cutBytes + writer.currentOffset
    try writer.close()
    if let targetBytes {
        guard reached >= targetBytes else {
            FileHandle.standardError.write(Data("swarmsafe-test-appender: \(reached) of \(targetBytes) WAL bytes after \(seconds) s\n".utf8))
            exit(1)
        }
        say("done index \(index) wal_bytes \(reached)")
    }
} catch {
    FileHandle.standardError.write(Data("swarmsafe-test-appender: \(error)\n".utf8))
    exit(1)
}
