import Foundation
import SwarmProto
import SwiftProtobuf

extension EngineClusterSpec {
    static let clusterName = "default"

    /// The spec a `POST /swarm/update` asks for, as swarmkit would store it. dockerd converts
    /// onto an empty spec, taking a value only when it is set (not nil, not 0); here the same
    /// rules apply onto the stored spec, so what Docker's JSON cannot carry (the acceptance
    /// policy, task defaults set with swarmctl, fields a newer swarmkit wrote) survives. The
    /// CLI always sends back the whole spec it read, so for it both give the same result.
    ///
    /// The signing CA cert and key are never shown, so a spec sent back without them clears
    /// them, as dockerd's conversion does; labels are replaced as a whole.
    public func swarmSpec(base: SwarmClusterSpec) throws(SpecConversionError) -> SwarmClusterSpec {
        var out = base
        switch name ?? "" {
        case "", Self.clusterName: out.annotations.name = Self.clusterName
        default: throw .invalid("swarm spec must be named \"\(Self.clusterName)\"")
        }
        out.annotations.labels = labels ?? [:]

        if let limit = orchestration?.taskHistoryRetentionLimit { out.orchestration.taskHistoryRetentionLimit = limit }

        if let raft {
            if let value = raft.snapshotInterval, value != 0 { out.raft.snapshotInterval = value }
            if let value = raft.keepOldSnapshots { out.raft.keepOldSnapshots = value }
            if let value = raft.logEntriesForSlowFollowers, value != 0 { out.raft.logEntriesForSlowFollowers = value }
            // Go's uint32(int): the low 32 bits.
            if let value = raft.heartbeatTick, value != 0 { out.raft.heartbeatTick = UInt32(truncatingIfNeeded: value) }
            if let value = raft.electionTick, value != 0 { out.raft.electionTick = UInt32(truncatingIfNeeded: value) }
        }

        if let period = dispatcher?.heartbeatPeriod, period != 0 {
            out.dispatcher.heartbeatPeriod = EngineDuration.proto(period)
        }

        if let expiry = caConfig?.nodeCertExpiry, expiry != 0 { out.caConfig.nodeCertExpiry = EngineDuration.proto(expiry) }
        out.caConfig.signingCaCert = Data((caConfig?.signingCACert ?? "").utf8)
        out.caConfig.signingCaKey = Data((caConfig?.signingCAKey ?? "").utf8)
        out.caConfig.forceRotate = caConfig?.forceRotate ?? 0
        out.caConfig.externalCas = try (caConfig?.externalCAs ?? []).map(Self.externalCA)

        if let driver = taskDefaults?.logDriver {
            out.taskDefaults.logDriver = driver.swarm(base: base.taskDefaults.hasLogDriver ? base.taskDefaults.logDriver : nil)
        }
        out.encryptionConfig.autoLockManagers = encryptionConfig?.autoLockManagers ?? false
        return out
    }

    /// swarmkit knows one protocol; dockerd matches its name without regard to case.
    static func externalCA(_ ca: ExternalCA) throws(SpecConversionError) -> SwarmExternalCA {
        guard (ca.protocol ?? "").uppercased() == "CFSSL" else {
            throw .invalid("invalid protocol: \"\(ca.protocol ?? "")\"")
        }
        var out = SwarmExternalCA()
        out.protocol = .cfssl
        out.url = ca.url ?? ""
        out.options = ca.options ?? [:]
        out.caCert = Data((ca.caCert ?? "").utf8)
        return out
    }
}
