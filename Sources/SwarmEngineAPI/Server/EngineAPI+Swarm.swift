import Foundation
import SwarmFormats
import SwarmManager

extension EngineAPI {
    public func swarm() throws -> EngineSwarm {
        let view = try view()
        guard let cluster = view.cluster else { throw EngineError(.serviceUnavailable, "This node is not part of a swarm") }
        return EngineSwarm(cluster, issuer: view.selfNode?.description_p.tlsInfo)
    }

    /// The manager unlock key the cluster object holds, as swarmkit's GetUnlockKey answers it:
    /// empty when autolock is off or there is none, which the CLI reports as "no unlock key is set".
    public func unlockKey() throws -> String {
        let view = try view()
        guard let cluster = view.cluster, cluster.spec.encryptionConfig.autoLockManagers else { return "" }
        do {
            return try cluster.managerUnlockKey()?.text ?? ""
        } catch {
            throw EngineError(.internalServerError, error.description)
        }
    }

    public func unlock(_ text: String) throws(EngineError) {
        guard manager.isLocked else { throw EngineError(.conflict, "swarm is not locked") }
        let key: UnlockKey
        do {
            key = try UnlockKey(text: text)
        } catch {
            throw EngineError.badRequest(error.description)
        }
        let unlocked: Bool
        do {
            unlocked = try manager.unlock(key)
        } catch {
            throw EngineError(mapping: error)
        }
        // Another unlock got there first.
        guard unlocked else { throw EngineError(.conflict, "swarm is not locked") }
    }
}
