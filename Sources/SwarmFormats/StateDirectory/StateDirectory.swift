import Foundation

/// The paths of a swarm node's state directory (`/var/lib/docker/swarm`) and what kind of
/// node left it. Knows where things are, not what is in them.
public struct StateDirectory: Sendable {
    public let root: URL

    public init(path: String) {
        root = URL(fileURLWithPath: path, isDirectory: true).standardizedFileURL
    }

    public var path: String { root.path }
    public var stateFile: URL { root.appendingPathComponent("state.json") }
    public var dockerStateFile: URL { root.appendingPathComponent("docker-state.json") }
    public var certificatesDirectory: URL { root.appendingPathComponent("certificates") }
    public var nodeCertificate: URL { certificatesDirectory.appendingPathComponent("swarm-node.crt") }
    public var nodeKey: URL { certificatesDirectory.appendingPathComponent("swarm-node.key") }
    public var rootCACertificate: URL { certificatesDirectory.appendingPathComponent("swarm-root-ca.crt") }
    public var raftDirectory: URL { root.appendingPathComponent("raft") }

    /// Only managers keep a raft log; a folder without `raft/` belongs to a worker.
    public var isManager: Bool { directoryExists(raftDirectory) }

    /// The raft layout in use. swarmkit migrates the older, unencrypted layouts only when the
    /// encrypted directories are absent, so the first one present wins, in this order.
    public var raftLayout: RaftLayout? {
        RaftLayout.allCases.first { directoryExists(raftDirectory.appendingPathComponent($0.walDirectoryName)) }
    }

    public func walDirectory(_ layout: RaftLayout) -> URL {
        raftDirectory.appendingPathComponent(layout.walDirectoryName)
    }

    public func snapshotDirectory(_ layout: RaftLayout) -> URL {
        raftDirectory.appendingPathComponent(layout.snapshotDirectoryName)
    }

    /// Refuses paths that are not a swarm state directory at all, with the reason.
    public func validate() throws(StateDirectoryError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .missing(path: path)
        }
        guard isDirectory.boolValue else { throw .notADirectory(path: path) }
        guard FileManager.default.fileExists(atPath: nodeKey.path)
            || FileManager.default.fileExists(atPath: stateFile.path) || isManager
        else { throw .notAStateDirectory(path: path) }
        if isManager && raftLayout == nil { throw .noWAL(path: raftDirectory.path) }
    }

    private func directoryExists(_ url: URL) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && isDirectory.boolValue
    }
}

public enum RaftLayout: String, CaseIterable, Sendable {
    /// swarmkit's current layout: entry and snapshot payloads encrypted with the DEK.
    case encrypted = "wal-v3-encrypted"
    /// etcd v3 WAL without encryption, left by swarmkit development versions.
    case plainV3 = "wal-v3"
    /// The etcd v2-era layout, and `decrypt`'s output: swarm-rafttool reads only this one
    /// when no encrypted folders exist, and swarmkit still migrates it at start.
    case legacy = "wal"

    public var walDirectoryName: String { rawValue }
    public var snapshotDirectoryName: String {
        switch self {
        case .encrypted: "snap-v3-encrypted"
        case .plainV3: "snap-v3"
        case .legacy: "snap"
        }
    }
    public var isEncrypted: Bool { self == .encrypted }
}

public enum StateDirectoryError: Error, Sendable, Equatable, CustomStringConvertible {
    case missing(path: String)
    case notADirectory(path: String)
    case notAStateDirectory(path: String)
    case noWAL(path: String)
    case worker(path: String)

    public var description: String {
        switch self {
        case .missing(let path): "\(path): no such directory"
        case .notADirectory(let path): "\(path): not a directory"
        case .notAStateDirectory(let path):
            "\(path): not a swarm state directory (no certificates/swarm-node.key, state.json or raft/)"
        case .noWAL(let path): "\(path): no WAL directory (wal-v3-encrypted, wal-v3 or wal)"
        case .worker(let path): "\(path): this is a worker's state directory: it holds no raft log"
        }
    }
}
