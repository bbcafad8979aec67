import Dispatch

/// A repository's lock being taken while the run copies the state. For S3 that is several
/// round trips (the conditional PUT, the listings of killed runs' leftovers) that need not wait
/// for the copy, nor the copy for them. The run waits for the lock before it writes anything
/// to the repository, and when it ends, whichever way, releases it.
final class PendingLease: @unchecked Sendable {
    private let group = DispatchGroup()
    /// Written by the worker before it leaves the group, read only after waiting on it.
    private var result: Result<any RepositoryLease, any Error>?
    private let releasing = DispatchGroup()
    /// Only the run's own thread reads and writes it.
    private var releaseBegun = false
    /// Taken and released on a worker thread: round trips. A local lock is released at once.
    private let remote: Bool

    /// A lock already taken.
    init(taken lease: any RepositoryLease) {
        result = .success(lease)
        remote = false
    }

    /// Runs `take` on a worker thread.
    init(taking take: @escaping @Sendable () throws -> any RepositoryLease) {
        remote = true
        group.enter()
        DispatchQueue.global().async { [self] in
            result = Result { try take() }
            group.leave()
        }
    }

    /// Waits for the lock; throws why it could not be taken.
    func lease() throws -> any RepositoryLease {
        group.wait()
        switch result {
        case .success(let lease): return lease
        case .failure(let error): throw error
        case nil: preconditionFailure("the worker leaves the group only after setting the result")
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
        guard remote, !releaseBegun else { return }
        releaseBegun = true
        releasing.enter()
        DispatchQueue.global().async { [self] in
            releaseNow()
            releasing.leave()
        }
    }

    /// Releases the lock if it was taken, or waits for `beginRelease` to have done it.
    func release() {
        if releaseBegun {
            releasing.wait()
        } else {
            releaseBegun = true
            releaseNow()
        }
    }

    private func releaseNow() {
        group.wait()
        if case .success(let lease) = result { lease.release() }
    }
}
