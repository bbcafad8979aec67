import Foundation
import SwarmConventions
import SwarmManager
import SwarmProto
import SwarmStore

/// What the Engine API routes ask of the embedded manager, one method per endpoint. Routes
/// only parse the request and encode the answer; everything Docker-specific about reading and
/// changing objects lives here and in its extensions.
public struct EngineAPI: Sendable {
    public let manager: EmbeddedManager
    public let host: HostInfo
    let renderCache = RenderCache()
    let warmUpGate = WarmUpGate()

    public init(manager: EmbeddedManager, host: HostInfo) {
        self.manager = manager
        self.host = host
    }

    /// The current view, or 503 while the swarm is locked.
    func view() throws(EngineError) -> ManagerView {
        do {
            return try manager.view()
        } catch {
            throw EngineError(mapping: error)
        }
    }

    /// Runs an endpoint's blocking work (a write and its fsync, an unlock's replay of the log)
    /// on the manager's own thread, so the event loop and the concurrency pool never wait on
    /// the disk. Every write route goes through it.
    func offload<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await manager.offload(work)
    }

    /// One store transaction; every failure comes back as the Engine API answer for it.
    func write<T: Sendable>(_ body: (inout StoreTransaction) throws -> T) throws(EngineError) -> T {
        do {
            return try manager.update(body)
        } catch {
            throw EngineError(mapping: error)
        }
    }

    /// Docker's optimistic concurrency: an update names the version it read, and loses if
    /// anything changed the object since.
    static func checkVersion(_ requested: UInt64?, against meta: SwarmMeta) throws(EngineError) {
        guard let requested else { throw EngineError.badRequest("invalid version: the version parameter is required") }
        guard requested == meta.version.index else { throw EngineError.outOfSequence }
    }

    static func newID() -> String {
        var generator = SystemRandomNumberGenerator()
        return SwarmID.random(using: &generator)
    }
}
