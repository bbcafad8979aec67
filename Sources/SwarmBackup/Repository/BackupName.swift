import Foundation
import SwarmFormats

/// The name of an archive in a backup repository:
/// `swarm-<clusterID>-<nodeID>-<UTC time>.<ext>`, for example
/// `swarm-3vm3p9d3ttcn1gjqdfyq0wl5l-6fk2hm9ow8xdbvkt8mudkhq0v-20261123T154501.123Z.tar.zst.age`.
///
/// - The IDs are swarmkit IDs: lowercase base 36 (`[a-z0-9]`), normally 25 characters (1...64
///   are accepted); a FIPS cluster's ID carries a `FIPS.` prefix. They never contain `-`, which
///   is what separates the fields.
/// - The time is UTC with millisecond precision (`yyyyMMdd'T'HHmmss.SSS'Z'`), so two runs in the
///   same second still get distinct names. Times are truncated to the millisecond (the name's
///   `time` is the truncated one), so a name formatted from a `Date` and parsed back is equal to
///   it, `time` included.
/// - The extension says how the tar stream is compressed (`tar.zst`, `tar.gz`, `tar`) and, with
///   a final `.age`, that it is encrypted.
///
/// Anything else (temporary `.partial` files, the lock file, files an operator put there) does
/// not parse, so the repository never lists, prunes or restores it.
public struct BackupName: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let clusterID: String
    public let nodeID: String
    /// The backup's time, truncated to whole milliseconds.
    public let time: Date
    /// `"zstd"`, `"gzip"` or `"none"`.
    public let compression: String
    public let encrypted: Bool
    public let fileName: String

    /// The compressions a name can carry, with their extensions.
    public static let compressionExtensions: [(compression: String, extension: String)] = [
        ("zstd", "tar.zst"), ("gzip", "tar.gz"), ("none", "tar"),
    ]

    /// The extension for a compression (`"tar.zst"` for `"zstd"`), or nil for an unknown one.
    public static func fileExtension(forCompression compression: String) -> String? {
        compressionExtensions.first { $0.compression == compression }?.extension
    }

    /// The prefix of a FIPS cluster's ID (`FIPS.nb1b95em6neifru8azrk89k2u`).
    public static let fipsPrefix = "FIPS."

    /// Whether `id` is acceptable as a cluster or node ID in a name: 1...64 of `[a-z0-9]`,
    /// optionally after the `FIPS.` prefix of a FIPS cluster's ID. Anything else (uppercase,
    /// other punctuation) is not a swarmkit ID, so a file carrying it is not one of ours.
    public static func isValidID(_ id: String) -> Bool {
        var bytes = Substring(id).utf8[...]
        if id.hasPrefix(fipsPrefix) { bytes = bytes.dropFirst(fipsPrefix.utf8.count) }
        return (1...64).contains(bytes.count)
            && bytes.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) }
    }

    /// Formats a name. The IDs must satisfy `isValidID`, the compression must be one of
    /// `compressionExtensions` and the time must fall in the years 0000...9999 (callers pass IDs
    /// read from a node's certificate, a fixed compression and the current time).
    public init(clusterID: String, nodeID: String, time: Date, compression: String, encrypted: Bool) {
        precondition(Self.isValidID(clusterID), "invalid cluster ID for a backup name: \(clusterID)")
        precondition(Self.isValidID(nodeID), "invalid node ID for a backup name: \(nodeID)")
        guard let ext = Self.fileExtension(forCompression: compression) else {
            preconditionFailure("unknown compression for a backup name: \(compression)")
        }
        let milliseconds = UTCTime.milliseconds(time)
        let parts = UTCTime.Parts(milliseconds: milliseconds)
        precondition((0...9999).contains(parts.year), "backup time out of range: \(time)")
        self.clusterID = clusterID
        self.nodeID = nodeID
        self.time = UTCTime.date(milliseconds: milliseconds)
        self.compression = compression
        self.encrypted = encrypted
        self.fileName = "swarm-\(clusterID)-\(nodeID)-\(parts.compactString).\(ext)" + (encrypted ? ".age" : "")
    }

    /// Parses a file name; nil for anything that is not exactly a backup name.
    public init?(fileName: String) {
        guard fileName.hasPrefix("swarm-") else { return nil }
        let fields = fileName.dropFirst(6).split(separator: "-", omittingEmptySubsequences: false)
        guard fields.count == 3 else { return nil }
        let clusterID = String(fields[0]), nodeID = String(fields[1])
        guard Self.isValidID(clusterID), Self.isValidID(nodeID) else { return nil }
        let rest = Array(fields[2].utf8)
        // 20261123T154501.123Z, then the extension.
        let timeLength = 20
        guard rest.count > timeLength, let milliseconds = UTCTime.parseCompact(rest[0..<timeLength]) else { return nil }
        var suffix = String(decoding: rest[timeLength...], as: UTF8.self)
        var encrypted = false
        if suffix.hasSuffix(".age") {
            encrypted = true
            suffix.removeLast(4)
        }
        guard let compression = Self.compressionExtensions.first(where: { "." + $0.extension == suffix })?.compression else {
            return nil
        }
        self.clusterID = clusterID
        self.nodeID = nodeID
        self.time = UTCTime.date(milliseconds: milliseconds)
        self.compression = compression
        self.encrypted = encrypted
        self.fileName = fileName
    }

    public var description: String { fileName }

    /// Oldest first; equal times are ordered by file name so the order is total.
    public static func < (a: BackupName, b: BackupName) -> Bool {
        if a.time != b.time { return a.time < b.time }
        return a.fileName < b.fileName
    }
}

