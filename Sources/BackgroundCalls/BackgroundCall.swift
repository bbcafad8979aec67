import Dispatch

/// A blocking call run on a worker thread and waited for later: how an S3 upload sends one
/// part while the next fills, a round trip overlaps work that does not depend on it, and a
/// boot reads the WAL beside the snapshot or prepares the leader's log beside the replay.
public final class BackgroundCall<Value: Sendable, Failure: Error>: @unchecked Sendable {
    private let group = DispatchGroup()
    /// Written by the worker before it leaves the group, read only after waiting on it.
    private var result: Result<Value, Failure>?

    public init(_ work: @escaping @Sendable () throws(Failure) -> Value) {
        group.enter()
        DispatchQueue.global().async { [self] in
            do throws(Failure) {
                result = .success(try work())
            } catch {
                result = .failure(error)
            }
            group.leave()
        }
    }

    /// Waits for the call to end; its value, or its error.
    public func value() throws(Failure) -> Value {
        group.wait()
        switch result {
        case .success(let value): return value
        case .failure(let error): throw error
        case nil: preconditionFailure("the worker leaves the group only after setting the result")
        }
    }

    /// Waits without caring how it ended (a reader being dropped, a boot that failed first).
    public func wait() { group.wait() }
}
