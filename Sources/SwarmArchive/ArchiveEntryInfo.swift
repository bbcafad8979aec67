import Foundation

/// One tar header as read from an archive. Nothing here is trusted: run it through
/// `ArchivePathSafety.validate` before acting on it.
public struct ArchiveEntryInfo: Sendable, Equatable {
    public enum Kind: Sendable, Equatable, CustomStringConvertible {
        case file, directory, symlink, hardlink
        /// Devices, fifos, sockets and unknown types, named for messages.
        case other(String)

        public var description: String {
            switch self {
            case .file: "regular file"
            case .directory: "directory"
            case .symlink: "symbolic link"
            case .hardlink: "hard link"
            case .other(let name): name
            }
        }
    }

    /// Exactly as stored (may start with "./", end with "/", or be hostile).
    public var path: String
    public var kind: Kind
    /// Permission bits only (including setuid/setgid/sticky), never the file type.
    public var mode: UInt16
    /// Bytes of data that follow the header (0 for directories and links).
    public var size: Int64
    public var modificationTime: Date
    /// Target of a symbolic or hard link.
    public var linkTarget: String?

    public init(path: String, kind: Kind, mode: UInt16, size: Int64, modificationTime: Date, linkTarget: String? = nil) {
        self.path = path
        self.kind = kind
        self.mode = mode
        self.size = size
        self.modificationTime = modificationTime
        self.linkTarget = linkTarget
    }
}
