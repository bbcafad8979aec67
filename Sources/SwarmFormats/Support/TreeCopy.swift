#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Copies a folder tree with its modes, syncing every file and directory, for carrying a
/// node's certificates, `state.json` and the rest unchanged into a rewritten state directory.
package enum TreeCopy {
    /// Copies the entries of `source` (except `excluding` names at the top level) into the
    /// existing directory `target`. Regular files, directories and symlinks are copied; other
    /// kinds (sockets, devices) are returned, not copied. Private keys (`*.key`) never come out
    /// more open than 0600.
    package static func copyContents(of source: String, into target: String, excluding: Set<String> = []) throws -> [String] {
        var skipped: [String] = []
        let names = try listDirectory(source).filter { !excluding.contains($0) }
        for name in names.sorted() {
            let from = source + "/" + name
            let to = target + "/" + name
            var info = stat()
            guard lstat(from, &info) == 0 else { throw FileAccessError(path: from, operation: "examine", errno: errno) }
            let mode = mode_t(info.st_mode & 0o7777)
            switch info.st_mode & S_IFMT {
            case S_IFDIR:
                // Filled while owner-writable, given its own mode once complete.
                try FileSync.makeDirectory(to, mode: 0o700)
                skipped += try copyContents(of: from, into: to)
                guard chmod(to, mode) == 0 else { throw FileAccessError(path: to, operation: "set the mode of", errno: errno) }
            case S_IFREG:
                try copyFile(from, to: to, mode: name.hasSuffix(".key") ? mode & 0o600 : mode)
            case S_IFLNK:
                let destination = try FileManager.default.destinationOfSymbolicLink(atPath: from)
                guard symlink(destination, to) == 0 else { throw FileAccessError(path: to, operation: "create symlink", errno: errno) }
            default:
                skipped.append(from)
            }
        }
        try FileSync.syncDirectory(target)
        return skipped
    }

    /// A new file with `from`'s bytes and the given mode, synced.
    package static func copyFile(_ from: String, to: String, mode: mode_t) throws {
        let input = open(from, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw FileAccessError(path: from, operation: "open", errno: errno) }
        defer { close(input) }
        let output = try FileSync.createFile(to, mode: mode)
        defer { FileSync.closeDescriptor(output) }
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        var offset = 0
        while true {
            let n = chunk.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw FileAccessError(path: from, operation: "read", errno: errno)
            }
            if n == 0 { break }
            try FileSync.write(output, chunk[0..<n], at: offset, path: to)
            offset += n
        }
        try FileSync.sync(output, path: to)
    }

    /// The entries of a folder that must exist, with the real errno when it cannot be listed
    /// (FileManager's error told only "missing" or, for everything else, a guessed EACCES).
    private static func listDirectory(_ path: String) throws -> [String] {
        guard let names = try FileSync.listDirectory(path) else {
            throw FileAccessError(path: path, operation: "list", errno: ENOENT)
        }
        return names
    }
}
