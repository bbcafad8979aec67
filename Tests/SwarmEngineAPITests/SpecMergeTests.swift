import Foundation
import SwarmEngineAPI
import SwarmProto
import SwiftProtobuf
import Testing

/// What Docker's JSON cannot say survives an update through the `base:` merge.
@Suite struct SpecMergeTests {
    static func viaJSON(_ spec: SwarmServiceSpec) throws -> EngineServiceSpec {
        try JSONDecoder().decode(EngineServiceSpec.self, from: JSONEncoder().encode(EngineServiceSpec(spec)))
    }

    static let stored = SwarmServiceSpec.with {
        $0.annotations.name = "api"
        $0.annotations.indices = [.with { $0.key = "k"; $0.val = "v" }]
        $0.task.container = .with {
            $0.image = "api:1"
            $0.pullOptions = .with { $0.registryAuth = "secret-auth" }
        }
        $0.task.networks = [.with { $0.target = "net1"; $0.addresses = ["10.0.0.9/24"]; $0.aliases = ["a"] }]
        $0.task.resourceReferences = [.with { $0.resourceID = "r1"; $0.resourceType = .secret }]
        $0.replicated = .with { $0.replicas = 2 }
    }

    @Test func registryAuthIndicesAddressesAndReferencesAreKept() throws {
        var json = try Self.viaJSON(Self.stored)
        json.taskTemplate?.containerSpec?.image = "api:2"
        let updated = try json.swarmSpec(base: Self.stored)
        guard case .container(let c)? = updated.task.runtime else { Issue.record("no container"); return }
        #expect(c.image == "api:2")
        #expect(c.pullOptions.registryAuth == "secret-auth")
        #expect(updated.annotations.indices == Self.stored.annotations.indices)
        #expect(updated.task.networks.first?.addresses == ["10.0.0.9/24"])
        #expect(updated.task.resourceReferences == Self.stored.task.resourceReferences)
        // Without a base none of that can be known.
        let fresh = try json.swarmSpec()
        #expect(fresh.annotations.indices.isEmpty && fresh.task.networks.first?.addresses == [])
    }

    @Test func unknownFieldsAreKept() throws {
        // Field 99 of ContainerSpec: something a newer swarmkit wrote that this build does not know.
        var stored = Self.stored
        guard case .container(var c)? = stored.task.runtime else { return }
        try c.merge(serializedBytes: Data([0x9A, 0x06, 0x02, 0x68, 0x69]))
        stored.task.runtime = .container(c)
        try #require(!c.unknownFields.data.isEmpty)
        let back = try Self.viaJSON(stored).swarmSpec(base: stored)
        #expect(back == stored)
    }

    @Test func legacyServiceNetworksStayWhereTheyAre() throws {
        var stored = Self.stored
        stored.networks = stored.task.networks
        stored.task.networks = []
        let json = try Self.viaJSON(stored)
        // Shown where current clients look...
        #expect(json.taskTemplate?.networks?.map(\.target) == ["net1"])
        // ...but sent back unchanged they stay on the service, addresses and all.
        #expect(try json.swarmSpec(base: stored) == stored)
        // Changed, they move to the task.
        var changed = json
        changed.taskTemplate?.networks = [EngineNetworkAttachmentConfig(target: "net2")]
        let moved = try changed.swarmSpec(base: stored)
        #expect(moved.networks.isEmpty && moved.task.networks.map(\.target) == ["net2"])
    }

    @Test func oldClientsServiceNetworksBecomeTaskNetworks() throws {
        let body = #"{"Name":"x","TaskTemplate":{"ContainerSpec":{"Image":"x"}},"Networks":[{"Target":"n"}]}"#
        let spec = try JSONDecoder().decode(EngineServiceSpec.self, from: Data(body.utf8)).swarmSpec()
        #expect(spec.task.networks.map(\.target) == ["n"] && spec.networks.isEmpty)
    }

    @Test func pluginRuntimeIsKeptWhileTheClientKeepsIt() throws {
        var stored = Self.stored
        stored.task.generic = .with { $0.kind = "plugin"; $0.payload = .with { $0.typeURL = "p"; $0.value = Data([1]) } }
        let json = try Self.viaJSON(stored)
        #expect(json.taskTemplate?.runtime == "plugin" && json.taskTemplate?.containerSpec == nil)
        #expect(try json.swarmSpec(base: stored) == stored)
        #expect(throws: SpecConversionError.invalid("unsupported runtime")) { try json.swarmSpec() }
    }
}
