/// Everything this module throws itself; errors thrown by a caller's sink, source or
/// contents closure are passed through unchanged instead.
public enum ArchiveError: Error, CustomStringConvertible, Sendable, Equatable {
    /// A libarchive call failed; `message` is libarchive's own explanation.
    case libarchive(operation: String, message: String)
    /// The archive stream ended before its data did.
    case truncated(message: String)
    /// An entry that must not be extracted: escapes the target folder, or is not a plain
    /// file or directory.
    case unsafeEntry(path: String, reason: String)
    /// A file's streamed contents did not match the size announced in its header.
    case sizeMismatch(path: String, expected: Int64, actual: Int64)
    case invalidLevel(compression: ArchiveCompression, level: Int)
    /// The writer was used after `finish()` or after an earlier failure left the output unusable.
    case writerClosed
    /// `readData`/`skipData` without a current entry (before the first or after the last).
    case noCurrentEntry
    case cannotOpen(path: String, message: String)

    public var description: String {
        switch self {
        case .libarchive(let operation, let message):
            "archive: \(operation) failed: \(Self.oneLine(message))"
        case .truncated(let message):
            "archive is truncated: \(Self.oneLine(message))"
        case .unsafeEntry(let path, let reason):
            "archive entry \(Self.quoted(path)): \(reason)"
        case .sizeMismatch(let path, let expected, let actual):
            "archive entry \(Self.quoted(path)): expected \(expected) bytes, got \(actual)"
        case .invalidLevel(let compression, let level):
            if let levels = compression.levels {
                "compression level \(level) is not valid for \(compression.rawValue) (use \(levels.lowerBound)...\(levels.upperBound))"
            } else {
                "compression level \(level) given, but \(compression.rawValue) takes none"
            }
        case .writerClosed:
            "archive writer used after it was finished or had failed"
        case .noCurrentEntry:
            "archive reader has no current entry to read data from"
        case .cannotOpen(let path, let message):
            "cannot open archive \(Self.quoted(path)): \(Self.oneLine(message))"
        }
    }

    /// Entry paths come from untrusted archives: escape anything that could break the line
    /// or mislead a terminal.
    static func quoted(_ path: String) -> String {
        var out = "'"
        for scalar in path.unicodeScalars {
            switch scalar {
            case "'": out += "\\'"
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F || (0x80...0x9F).contains(scalar.value):
                out += "\\u{\(String(scalar.value, radix: 16))}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "'"
    }

    static func oneLine(_ message: String) -> String {
        message.split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}
