import Synchronization

/// The boot's warm-up of the service list, as requests see it: a `docker service ls` that
/// arrives while the services are being rendered waits for them instead of rendering the
/// same services beside the warm-up on the same cores. With no warm-up begun (an API not
/// started by `serve`), nothing waits.
final class WarmUpGate: Sendable {
    private let current = Mutex<Eventual<Void>?>(nil)

    func begin() {
        current.withLock { $0 = Eventual() }
    }

    func finish() {
        current.withLock { $0 }?.resolve(.success(()))
    }

    /// Returns once no warm-up is running.
    func wait() async {
        try? await current.withLock { $0 }?.value()
    }
}
