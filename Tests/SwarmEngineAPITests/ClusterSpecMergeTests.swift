import Foundation
import SwarmEngineAPI
import SwarmConventions
import SwarmProto
import SwiftProtobuf
import Testing

/// `POST /swarm/update`'s body onto the stored cluster spec, with dockerd's conversion rules.
@Suite struct ClusterSpecMergeTests {
    static let stored: SwarmClusterSpec = {
        var spec = ClusterDefaults.clusterSpec(autolock: false)
        spec.annotations.labels = ["env": "prod"]
        spec.caConfig.externalCas = [.with { $0.url = "https://ca.example:8888"; $0.caCert = Data("PEM".utf8) }]
        spec.taskDefaults.logDriver = .with { $0.name = "json-file"; $0.options = ["max-size": "1m"] }
        return spec
    }()

    static func viaJSON(_ spec: SwarmClusterSpec) throws -> EngineClusterSpec {
        try JSONDecoder().decode(EngineClusterSpec.self, from: JSONEncoder().encode(EngineClusterSpec(spec)))
    }

    @Test func whatGetShowsComesBackUnchanged() throws {
        #expect(try Self.viaJSON(Self.stored).swarmSpec(base: Self.stored) == Self.stored)
    }

    @Test func theCLIsFlagsLandInTheirFields() throws {
        var json = try Self.viaJSON(Self.stored)
        json.orchestration?.taskHistoryRetentionLimit = 0
        json.raft?.snapshotInterval = 2_000
        json.raft?.keepOldSnapshots = 3
        json.dispatcher?.heartbeatPeriod = 7_000_000_000
        json.caConfig?.nodeCertExpiry = 720 * 3_600 * 1_000_000_000
        json.encryptionConfig?.autoLockManagers = true
        let spec = try json.swarmSpec(base: Self.stored)
        #expect(spec.orchestration.taskHistoryRetentionLimit == 0)
        #expect(spec.raft.snapshotInterval == 2_000 && spec.raft.keepOldSnapshots == 3)
        #expect(spec.dispatcher.heartbeatPeriod == Google_Protobuf_Duration(seconds: 7))
        #expect(spec.caConfig.nodeCertExpiry == Google_Protobuf_Duration(seconds: 720 * 3_600))
        #expect(spec.encryptionConfig.autoLockManagers)
    }

    /// dockerd takes a value only when it is set; 0 and nil keep what is stored here.
    @Test func unsetValuesKeepTheStoredOnesButLabelsAreReplaced() throws {
        var json = EngineClusterSpec()
        json.labels = nil
        let spec = try json.swarmSpec(base: Self.stored)
        #expect(spec.annotations.name == "default")
        #expect(spec.annotations.labels.isEmpty)
        #expect(spec.raft == Self.stored.raft)
        #expect(spec.dispatcher == Self.stored.dispatcher)
        #expect(spec.caConfig.nodeCertExpiry == Self.stored.caConfig.nodeCertExpiry)
        #expect(spec.taskDefaults == Self.stored.taskDefaults)
        // Not sent means none, as in dockerd: external CAs and autolock are values, not defaults.
        #expect(spec.caConfig.externalCas.isEmpty && !spec.encryptionConfig.autoLockManagers)
    }

    @Test func signingMaterialIsClearedWhenNotSent() throws {
        var stored = Self.stored
        stored.caConfig.signingCaCert = Data("CERT".utf8)
        stored.caConfig.signingCaKey = Data("KEY".utf8)
        let spec = try Self.viaJSON(stored).swarmSpec(base: stored)
        #expect(spec.caConfig.signingCaCert.isEmpty && spec.caConfig.signingCaKey.isEmpty)
    }

    @Test func dockerdsRefusalsAreKept() throws {
        var json = try Self.viaJSON(Self.stored)
        json.name = "whoops"
        #expect(throws: SpecConversionError.invalid("swarm spec must be named \"default\"")) { try json.swarmSpec(base: Self.stored) }
        json.name = nil
        json.caConfig?.externalCAs = [.init(protocol: "acme", url: "https://x")]
        #expect(throws: SpecConversionError.invalid("invalid protocol: \"acme\"")) { try json.swarmSpec(base: Self.stored) }
        json.caConfig?.externalCAs = [.init(protocol: "CFSSL", url: "https://x")]
        #expect(try json.swarmSpec(base: Self.stored).caConfig.externalCas.map(\.url) == ["https://x"])
    }
}
