import BackgroundCalls

/// A repository's lock being taken while the run copies the state. For S3 that is several
/// round trips (the conditional PUT, the listings of killed runs' leftovers) that need not wait
/// for the copy, nor the copy for them. The run waits for the lock before it writes anything
/// to the repository, and when it ends, whichever way, releases it.
///
/// Used from the run's own thread only; the worker calls are `BackgroundCall`s.
final class PendingLease: @unchecked Sendable {
    /// A lease is used by one thread at a time: taken on the worker, handed to the run's
    /// thread once the call is waited for.
    private struct Handed: @unchecked Sendable {
        let lease: any RepositoryLease
    }

    private enum Source {
        case taken(any RepositoryLease)
        /// Taken and released on a worker thread: round trips.
        case taking(BackgroundCall<Handed, any Error>)
    }

    private let source: Source
    private var releasing: BackgroundCall<Void, Never>?
    private var released = false

    /// A lock already taken (a local one, released at once).
    init(taken lease: any RepositoryLease) {
        source = .taken(lease)
    }

    /// Runs `take` on a worker thread.
    init(taking take: @escaping @Sendable () throws -> any RepositoryLease) {
        source = .taking(BackgroundCall { Handed(lease: try take()) })
    }

    /// Waits for the lock; throws why it could not be taken.
    func lease() throws -> any RepositoryLease {
        switch source {
        case .taken(let lease): return lease
        case .taking(let call): return try call.value().lease
        }
    }

    /// `body`'s value; when it fails, the lock's own failure if it had one: taking the lock is
    /// the run's first step, so its refusal is what the operator is told, as when the run
    /// waited for it before starting.
    func unlessRefused<Value>(_ body: () throws -> Value) throws -> Value {
        do {
            return try body()
        } catch {
            _ = try lease()
            throw error
        }
    }

    /// Starts releasing the lock on a worker thread, once the run has written all it will to
    /// the repository: its local cleanup need not wait for the release's round trips.
    func beginRelease() {
        guard case .taking = source, releasing == nil, !released else { return }
        releasing = BackgroundCall { [self] in releaseNow() }
    }

    /// Releases the lock if it was taken, or waits for `beginRelease` to have done it.
    func release() {
        if let releasing {
            releasing.wait()
        } else if !released {
            released = true
            releaseNow()
        }
    }

    private func releaseNow() {
        (try? lease())?.release()
    }
}
