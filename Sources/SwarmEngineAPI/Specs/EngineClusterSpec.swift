import SwarmProto

/// Docker's swarm.Spec, the cluster's settings as `docker info` and `GET /swarm` show them.
/// The CA's signing cert and key are never shown, as in Docker; see `swarmSpec(base:)` for
/// the way back.
public struct EngineClusterSpec: Codable, Sendable, Equatable {
    public struct Orchestration: Codable, Sendable, Equatable {
        public var taskHistoryRetentionLimit: Int64?
        enum CodingKeys: String, CodingKey { case taskHistoryRetentionLimit = "TaskHistoryRetentionLimit" }
    }

    public struct Raft: Codable, Sendable, Equatable {
        public var snapshotInterval: UInt64?
        public var keepOldSnapshots: UInt64?
        public var logEntriesForSlowFollowers: UInt64?
        public var electionTick: Int?
        public var heartbeatTick: Int?
        enum CodingKeys: String, CodingKey {
            case snapshotInterval = "SnapshotInterval", keepOldSnapshots = "KeepOldSnapshots"
            case logEntriesForSlowFollowers = "LogEntriesForSlowFollowers", electionTick = "ElectionTick"
            case heartbeatTick = "HeartbeatTick"
        }
    }

    public struct Dispatcher: Codable, Sendable, Equatable {
        /// Nanoseconds.
        public var heartbeatPeriod: Int64?
        enum CodingKeys: String, CodingKey { case heartbeatPeriod = "HeartbeatPeriod" }
    }

    public struct ExternalCA: Codable, Sendable, Equatable {
        public var `protocol`: String?
        public var url: String?
        public var options: [String: String]?
        public var caCert: String?

        public init(protocol: String? = nil, url: String? = nil, options: [String: String]? = nil, caCert: String? = nil) {
            self.protocol = `protocol`
            self.url = url
            self.options = options
            self.caCert = caCert
        }

        enum CodingKeys: String, CodingKey { case `protocol` = "Protocol", url = "URL", options = "Options", caCert = "CACert" }
    }

    public struct CAConfig: Codable, Sendable, Equatable {
        /// Nanoseconds.
        public var nodeCertExpiry: Int64?
        public var externalCAs: [ExternalCA]?
        public var forceRotate: UInt64?
        /// Only ever sent (`docker swarm ca --ca-cert/--ca-key`), never shown.
        public var signingCACert: String?
        public var signingCAKey: String?
        enum CodingKeys: String, CodingKey {
            case nodeCertExpiry = "NodeCertExpiry", externalCAs = "ExternalCAs", forceRotate = "ForceRotate"
            case signingCACert = "SigningCACert", signingCAKey = "SigningCAKey"
        }
    }

    public struct TaskDefaults: Codable, Sendable, Equatable {
        public var logDriver: EngineDriver?
        enum CodingKeys: String, CodingKey { case logDriver = "LogDriver" }
    }

    public struct EncryptionConfig: Codable, Sendable, Equatable {
        public var autoLockManagers: Bool?
        enum CodingKeys: String, CodingKey { case autoLockManagers = "AutoLockManagers" }
    }

    public var name: String?
    public var labels: [String: String]?
    public var orchestration: Orchestration?
    public var raft: Raft?
    public var dispatcher: Dispatcher?
    public var caConfig: CAConfig?
    public var taskDefaults: TaskDefaults?
    public var encryptionConfig: EncryptionConfig?

    public init() {}

    enum CodingKeys: String, CodingKey {
        case name = "Name", labels = "Labels", orchestration = "Orchestration", raft = "Raft"
        case dispatcher = "Dispatcher", caConfig = "CAConfig", taskDefaults = "TaskDefaults"
        case encryptionConfig = "EncryptionConfig"
    }
}

extension EngineClusterSpec {
    public init(_ spec: SwarmClusterSpec) {
        self.init()
        name = spec.annotations.name.isEmpty ? nil : spec.annotations.name
        labels = spec.annotations.labels
        orchestration = Orchestration(taskHistoryRetentionLimit: spec.orchestration.taskHistoryRetentionLimit)
        raft = Raft(
            snapshotInterval: spec.raft.snapshotInterval.nonZero,
            keepOldSnapshots: spec.raft.keepOldSnapshots,
            logEntriesForSlowFollowers: spec.raft.logEntriesForSlowFollowers.nonZero,
            electionTick: Int(spec.raft.electionTick),
            heartbeatTick: Int(spec.raft.heartbeatTick)
        )
        dispatcher = Dispatcher(heartbeatPeriod: EngineDuration.nanoseconds(spec.dispatcher.heartbeatPeriod).nonZero)
        let externalCAs = spec.caConfig.externalCas.map { ca in
            ExternalCA(
                protocol: ca.protocol == .cfssl ? "cfssl" : "unknown",
                url: ca.url,
                options: ca.options.isEmpty ? nil : ca.options,
                caCert: String(decoding: ca.caCert, as: UTF8.self)
            )
        }
        caConfig = CAConfig(
            nodeCertExpiry: EngineDuration.nanoseconds(spec.caConfig.nodeCertExpiry).nonZero,
            externalCAs: externalCAs.isEmpty ? nil : externalCAs,
            forceRotate: spec.caConfig.forceRotate.nonZero
        )
        taskDefaults = TaskDefaults(
            logDriver: spec.taskDefaults.hasLogDriver ? EngineDriver(spec.taskDefaults.logDriver) : nil)
        encryptionConfig = EncryptionConfig(autoLockManagers: spec.encryptionConfig.autoLockManagers)
    }
}
