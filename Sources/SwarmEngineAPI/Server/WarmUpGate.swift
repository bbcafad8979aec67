import Synchronization

/// The boot's warm-up of the service list, as requests see it: a `docker service ls` that
/// arrives while the services are being rendered waits for them instead of rendering the
/// same services beside the warm-up on the same cores.
final class WarmUpGate: Sendable {
    private enum State {
        case idle
        case warming([CheckedContinuation<Void, Never>])
    }

    private let state = Mutex<State>(.idle)

    func begin() {
        state.withLock { $0 = .warming([]) }
    }

    func finish() {
        let waiting = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            defer { state = .idle }
            if case .warming(let waiting) = state { return waiting }
            return []
        }
        for continuation in waiting { continuation.resume() }
    }

    /// Returns once no warm-up is running.
    func wait() async {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> Bool in
                guard case .warming(var waiting) = state else { return true }
                waiting.append(continuation)
                state = .warming(waiting)
                return false
            }
            if ready { continuation.resume() }
        }
    }
}
