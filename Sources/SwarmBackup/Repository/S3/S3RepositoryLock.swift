#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import S3Client

/// An S3 repository's lock: the object `.swarmsafe.lock` under the prefix, created with a
/// conditional PUT (`If-None-Match: *`), so of two hosts racing for it exactly one wins.
///
/// S3 has no process to notice a holder's death, so the lock object names its holder and is
/// rewritten every `refreshInterval` while held; like restic's locks, it is stale, and taken
/// over, when it was last written more than `staleAfter` ago, or when it names this host and
/// a process that no longer exists.
public final class S3RepositoryLock: RepositoryLease, @unchecked Sendable {
    public static let objectName = ".swarmsafe.lock"
    public static let staleAfter: TimeInterval = 30 * 60
    public static let refreshInterval: TimeInterval = 5 * 60

    public let location: S3Location
    private let client: S3Client
    private let clock: @Sendable () -> Date
    private let holder: Holder
    private var lastWritten: Date
    private var held = true

    /// What the lock object holds.
    struct Holder: Codable, Equatable {
        var host: String
        var pid: Int32
        var token: String
        var since: Date
        var refreshed: Date

        var summary: String {
            "host \(host) pid \(pid) since \(ISO8601DateFormatter().string(from: since))"
        }
    }

    init(repository: S3BackupRepository, clock: @escaping @Sendable () -> Date) throws {
        location = repository.location.appending(Self.objectName)
        client = repository.client
        self.clock = clock
        let now = clock()
        holder = Holder(host: Self.hostname(), pid: getpid(), token: UUID().uuidString, since: now, refreshed: now)
        lastWritten = now
        let body = try Self.encode(holder)
        for _ in 1...2 {
            do {
                try client.put(location, body: body, ifNoneMatch: true, contentType: "application/json")
                return
            } catch .preconditionFailed {}
            let bytes: [UInt8]
            do {
                bytes = try client.get(location)
            } catch .noSuchKey {
                continue  // released while we looked: try again
            }
            // A lock object we cannot read is still a lock: someone wrote it on purpose.
            guard let existing = try? Self.decode(bytes) else {
                throw RepositoryError.locked(path: repository.description, holder: "a lock object this version cannot read")
            }
            // Our own PUT, stored although its answer was lost and the retry was refused.
            if existing.token == holder.token { return }
            guard isStale(existing, now: now) else {
                throw RepositoryError.locked(path: repository.description, holder: existing.summary)
            }
            try client.delete(location)
        }
        throw RepositoryError.locked(path: repository.description, holder: "another run that took the lock at the same moment")
    }

    deinit { release() }

    /// Rewrites the lock object with a new time when `refreshInterval` has passed, so a long
    /// upload is never taken for a dead one.
    func refreshIfDue() throws {
        let now = clock()
        guard held, now.timeIntervalSince(lastWritten) >= Self.refreshInterval else { return }
        var refreshed = holder
        refreshed.refreshed = now
        try client.put(location, body: try Self.encode(refreshed), contentType: "application/json")
        lastWritten = now
    }

    /// Deletes the lock object when it is still ours (a run that took it over as stale keeps
    /// its own). Best effort: a lock left behind goes stale.
    public func release() {
        guard held else { return }
        held = false
        // Best effort: a lock we cannot read back or delete goes stale and is taken over by
        // the stale-lock rule; it never blocks for longer than that.
        guard let current = try? Self.decode(client.get(location)), current.token == holder.token else { return }
        try? client.delete(location)
    }

    func isStale(_ other: Holder, now: Date) -> Bool {
        if now.timeIntervalSince(other.refreshed) > Self.staleAfter { return true }
        return other.host == holder.host && kill(other.pid, 0) != 0 && errno == ESRCH
    }

    static func encode(_ holder: Holder) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        return Array(try encoder.encode(holder))
    }

    static func decode(_ bytes: [UInt8]) throws -> Holder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(Holder.self, from: Data(bytes))
    }

    static func hostname() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count) == 0 else { return "unknown" }
        return String(cString: buffer)
    }
}
