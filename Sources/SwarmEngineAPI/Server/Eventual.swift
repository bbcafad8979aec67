import Synchronization

/// A result that arrives once, from a thread, for any number of tasks to wait on. The first
/// resolution wins; later ones are ignored, so a path that fails early and a path that fails
/// late can both resolve it without checking each other.
final class Eventual<Value: Sendable>: Sendable {
    private enum State {
        case waiting([CheckedContinuation<Value, any Error>])
        case resolved(Result<Value, any Error>)
    }

    private let state = Mutex<State>(.waiting([]))

    func resolve(_ result: Result<Value, any Error>) {
        let waiting = state.withLock { state -> [CheckedContinuation<Value, any Error>] in
            guard case .waiting(let waiting) = state else { return [] }
            state = .resolved(result)
            return waiting
        }
        for continuation in waiting { continuation.resume(with: result) }
    }

    /// The value, once there is one. Not cancellable: every caller resolves it in bounded time.
    func value() async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            let resolved = state.withLock { state -> Result<Value, any Error>? in
                switch state {
                case .resolved(let result): return result
                case .waiting(var waiting):
                    waiting.append(continuation)
                    state = .waiting(waiting)
                    return nil
                }
            }
            if let resolved { continuation.resume(with: resolved) }
        }
    }
}
