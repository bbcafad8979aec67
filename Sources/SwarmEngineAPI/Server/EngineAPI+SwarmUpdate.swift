import Foundation
import SwarmFormats
import SwarmConventions
import SwarmProto
import SwiftProtobuf

/// `POST /swarm/update`'s rotate flags (swarmkit's KeyRotation).
public struct SwarmRotation: Sendable, Equatable {
    public var workerJoinToken = false
    public var managerJoinToken = false
    public var managerUnlockKey = false

    public init(workerJoinToken: Bool = false, managerJoinToken: Bool = false, managerUnlockKey: Bool = false) {
        self.workerJoinToken = workerJoinToken
        self.managerJoinToken = managerJoinToken
        self.managerUnlockKey = managerUnlockKey
    }
}

extension EngineAPI {
    /// swarmkit's smallest node certificate lifetime (`ca.MinNodeCertExpiration`).
    static let minimumNodeCertExpiry: Int64 = 3_600 * 1_000_000_000
    /// How long swarmkit keeps a blacklisted certificate past its expiry (`expiredCertGrace`).
    static let blacklistGrace: TimeInterval = 7 * 24 * 3_600

    /// `docker swarm update`, `docker swarm join-token --rotate`, `docker swarm unlock-key
    /// --rotate`: one UpdateCluster, as swarmkit's control API writes it. The node key
    /// follows a changed unlock key once the entry is written (see `EmbeddedManager`).
    public func updateSwarm(version: UInt64, spec: EngineClusterSpec, rotation: SwarmRotation) throws {
        let view = try view()
        guard let current = view.cluster else { throw EngineError(.serviceUnavailable, "This node is not part of a swarm") }
        let wanted: SwarmClusterSpec
        do {
            wanted = try spec.swarmSpec(base: current.spec)
        } catch {
            throw EngineError.badRequest(error.description)
        }
        try Self.validate(wanted)
        try Self.refuseRootCAChange(wanted, of: current)
        let now = manager.options.clock()
        try write { tx in
            guard case .cluster(var cluster)? = tx.get(.cluster, id: current.id) else {
                throw EngineError.rpc(.notFound, code: "NotFound", "cluster \(current.id) not found")
            }
            guard cluster.meta.version.index == version else { throw EngineError.outOfSequence }
            cluster.spec = wanted
            Self.expireBlacklistedCertificates(&cluster, now: now)
            if rotation.workerJoinToken { cluster.rootCa.joinTokens.worker = JoinToken.random(for: cluster) }
            if rotation.managerJoinToken { cluster.rootCa.joinTokens.manager = JoinToken.random(for: cluster) }
            cluster.unlockKeys = Self.unlockKeys(of: cluster, rotate: rotation.managerUnlockKey)
            try tx.update(.cluster(cluster))
        }
    }

    /// swarmkit's `validateClusterSpec`, in its words.
    static func validate(_ spec: SwarmClusterSpec) throws(EngineError) {
        if spec.caConfig.hasNodeCertExpiry, EngineDuration.nanoseconds(spec.caConfig.nodeCertExpiry) < minimumNodeCertExpiry {
            throw EngineError.rpc(.badRequest, code: "InvalidArgument", "minimum certificate expiry time is: 1h0m0s")
        }
        if spec.dispatcher.hasHeartbeatPeriod, EngineDuration.nanoseconds(spec.dispatcher.heartbeatPeriod) < 0 {
            throw EngineError.rpc(.badRequest, code: "InvalidArgument", "heartbeat time period cannot be a negative duration")
        }
    }

    /// A new signing CA, a forced rotation, or other external CAs for a cluster that signs
    /// through them start a root CA rotation in swarmkit: new certificates for every node,
    /// which only a running swarm can hand out.
    static func refuseRootCAChange(_ spec: SwarmClusterSpec, of cluster: SwarmCluster) throws(EngineError) {
        let rotates = !spec.caConfig.signingCaCert.isEmpty || !spec.caConfig.signingCaKey.isEmpty
            || spec.caConfig.forceRotate != cluster.rootCa.lastForcedRotation
            || (cluster.rootCa.caKey.isEmpty && spec.caConfig.externalCas != cluster.spec.caConfig.externalCas)
        guard rotates else { return }
        throw EngineError(
            .notImplemented,
            "swarmsafe's embedded manager does not rotate the root CA (docker swarm ca --rotate, a new signing CA or "
                + "external CA): no node is running to take the new certificates; do it on a running manager")
    }

    /// swarmkit's rule: autolock off drops the manager key, autolock on keeps it (a new one
    /// when there is none or when asked to rotate); keys of other subsystems stay.
    static func unlockKeys(of cluster: SwarmCluster, rotate: Bool) -> [SwarmEncryptionKey] {
        let autolock = cluster.spec.encryptionConfig.autoLockManagers
        let subsystem = ClusterDefaults.managerUnlockKeySubsystem
        var keys = cluster.unlockKeys.filter { autolock || $0.subsystem != subsystem }
        guard autolock else { return keys }
        if let index = keys.firstIndex(where: { $0.subsystem == subsystem }) {
            if rotate { keys[index].key = UnlockKey.random().kek.bytes }
        } else {
            var key = SwarmEncryptionKey()
            key.subsystem = subsystem
            key.key = UnlockKey.random().kek.bytes
            keys.append(key)
        }
        return keys
    }

    /// Certificates of removed nodes stay blacklisted until a week after they expire.
    static func expireBlacklistedCertificates(_ cluster: inout SwarmCluster, now: Date) {
        let cutoff = now.addingTimeInterval(-blacklistGrace)
        cluster.blacklistedCertificates = cluster.blacklistedCertificates.filter { _, certificate in
            !(certificate.hasExpiry && certificate.expiry.date < cutoff)
        }
    }
}
