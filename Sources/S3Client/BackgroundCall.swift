import Dispatch

/// A blocking S3 call run on a worker thread and waited for later: how an upload sends one
/// part while the next fills, or a round trip overlaps work that does not depend on it.
public final class BackgroundCall<Value: Sendable>: @unchecked Sendable {
    private let group = DispatchGroup()
    /// Written by the worker before it leaves the group, read only after waiting on it.
    private var result: Result<Value, S3Error>?

    public init(_ work: @escaping @Sendable () throws(S3Error) -> Value) {
        group.enter()
        DispatchQueue.global().async { [self] in
            do throws(S3Error) {
                result = .success(try work())
            } catch {
                result = .failure(error)
            }
            group.leave()
        }
    }

    /// Waits for the call to end; its value, or its error.
    public func value() throws(S3Error) -> Value {
        group.wait()
        switch result {
        case .success(let value): return value
        case .failure(let error): throw error
        case nil: throw .transport(location: "", reason: "a background S3 call ended without a result", attempts: 1)
        }
    }

    /// Waits without caring how it ended (a reader being dropped).
    public func wait() { group.wait() }
}
