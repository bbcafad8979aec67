import CArchive
import Foundation

/// Small helpers shared by the reader and the writer for talking to libarchive.
enum Libarchive {
    // archive_entry.h defines the AE_IF* types as casts, which Swift does not import.
    // The values are part of libarchive's ABI (the historical tar/cpio type bits).
    static let regular: mode_t = 0o100000
    static let directory: mode_t = 0o040000
    static let symlink: mode_t = 0o120000
    static let characterDevice: mode_t = 0o020000
    static let blockDevice: mode_t = 0o060000
    static let fifo: mode_t = 0o010000
    static let socket: mode_t = 0o140000

    /// OK or WARN (the call did its job, with a remark). RETRY, FAILED and FATAL did not; RETRY
    /// sits between OK and WARN numerically, so ordering comparisons would let it through.
    static func succeeded(_ status: Int32) -> Bool {
        status == ARCHIVE_OK || status == ARCHIVE_WARN
    }

    static func message(_ archive: OpaquePointer) -> String {
        if let text = archive_error_string(archive) {
            return String(cString: text)
        }
        // Some failures (e.g. a gzip stream missing its trailer) come without any message.
        let code = archive_errno(archive)
        return code == 0 ? "libarchive gave no details" : String(cString: strerror(code))
    }

    /// libarchive reports a short stream only through its message text; it is worth telling
    /// apart because "the backup was cut off" is the usual cause and needs a different fix.
    static func error(_ operation: String, _ archive: OpaquePointer) -> ArchiveError {
        let text = message(archive)
        if text.range(of: "truncated", options: .caseInsensitive) != nil
            || text.range(of: "premature end", options: .caseInsensitive) != nil {
            return .truncated(message: text)
        }
        return .libarchive(operation: operation, message: text)
    }

    static func timestamp(_ date: Date) -> (seconds: Int, nanoseconds: Int) {
        let interval = date.timeIntervalSince1970
        guard interval.isFinite else { return (0, 0) }
        let seconds = interval.rounded(.down)
        let nanoseconds = Int(((interval - seconds) * 1_000_000_000).rounded(.down))
        let whole = seconds >= Double(Int.max) ? Int.max : seconds <= Double(Int.min) ? Int.min : Int(seconds)
        return (whole, min(max(nanoseconds, 0), 999_999_999))
    }

    static func date(seconds: Int, nanoseconds: Int) -> Date {
        Date(timeIntervalSince1970: Double(seconds) + Double(nanoseconds) / 1_000_000_000)
    }
}
