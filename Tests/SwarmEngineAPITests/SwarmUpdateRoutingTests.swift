import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SwarmEngineAPI
import SwarmFormats
import SwarmManager
import SwarmTestSupport
import Testing

/// `POST /swarm/update` as the CLI sends it: GET /swarm, change the spec, post it back.
@Suite(.serialized) struct SwarmUpdateRoutingTests {
    static func withApp(_ test: @Sendable (any TestClientProtocol, URL) async throws -> Void) async throws {
        let folder = Fixtures.copy("single-manager", "manager-1")
        defer { try? FileManager.default.removeItem(at: folder) }
        let manager = try EmbeddedManager(directory: StateDirectory(path: folder.path), unlockKey: nil)
        defer { try? manager.close() }
        let api = EngineAPI(manager: manager, host: EngineRoutingTests.host)
        let app = Application(responder: EngineResponder(EngineRoutes.router(api: api).buildResponder()))
        try await app.test(.router) { client in try await test(client, folder) }
    }

    static func json(_ body: ByteBuffer) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any]) ?? [:]
    }

    static func swarm(_ client: any TestClientProtocol) async throws -> [String: Any] {
        try await client.execute(uri: "/v1.47/swarm", method: .get) { json($0.body) }
    }

    /// Posts `spec` back; returns status and error message.
    static func update(
        _ client: any TestClientProtocol, _ query: String, _ spec: [String: Any]
    ) async throws -> (HTTPResponse.Status, String?) {
        let body = try JSONSerialization.data(withJSONObject: spec)
        return try await client.execute(
            uri: "/v1.47/swarm/update?\(query)", method: .post, headers: [.contentType: "application/json"],
            body: ByteBuffer(bytes: body)
        ) { ($0.status, EngineRoutingTests.message($0.body)) }
    }

    static func version(_ swarm: [String: Any]) -> Int { (swarm["Version"] as? [String: Any])?["Index"] as? Int ?? -1 }
    static func spec(_ swarm: [String: Any]) -> [String: Any] { swarm["Spec"] as? [String: Any] ?? [:] }
    static func tokens(_ swarm: [String: Any]) -> [String: String] { swarm["JoinTokens"] as? [String: String] ?? [:] }

    static func unlockKey(_ client: any TestClientProtocol) async throws -> String? {
        try await client.execute(uri: "/v1.47/swarm/unlockkey", method: .get) { json($0.body)["UnlockKey"] as? String }
    }

    @Test func badParametersAreRefusedInDockerdsWords() async throws {
        try await Self.withApp { client, _ in
            let swarm = try await Self.swarm(client)
            let spec = Self.spec(swarm)
            let missing = try await Self.update(client, "", spec)
            #expect(missing.0 == .badRequest)
            #expect(missing.1 == "invalid swarm version '': strconv.ParseUint: parsing \"\": invalid syntax")
            let empty = try await client.execute(uri: "/v1.47/swarm/update?version=1", method: .post) {
                ($0.status, EngineRoutingTests.message($0.body))
            }
            #expect(empty.0 == .badRequest && empty.1 == "got EOF while reading request body")
            let flag = try await Self.update(client, "version=\(Self.version(swarm))&rotateWorkerToken=yes", spec)
            #expect(flag.0 == .badRequest && flag.1 == "invalid value for rotateWorkerToken: yes")
            let stale = try await Self.update(client, "version=1", spec)
            #expect(stale.1 == "rpc error: code = Unknown desc = update out of sequence")
            var renamed = spec
            renamed["Name"] = "whoops"
            let name = try await Self.update(client, "version=\(Self.version(swarm))", renamed)
            #expect(name.0 == .badRequest && name.1 == "swarm spec must be named \"default\"")
            var negative = spec
            negative["Dispatcher"] = ["HeartbeatPeriod": -1_000_000_000]
            let heartbeat = try await Self.update(client, "version=\(Self.version(swarm))", negative)
            #expect(heartbeat.1 == "rpc error: code = InvalidArgument desc = heartbeat time period cannot be a negative duration")
            var rotate = spec
            rotate["CAConfig"] = ["ForceRotate": 1]
            let ca = try await Self.update(client, "version=\(Self.version(swarm))", rotate)
            #expect(ca.0 == .notImplemented)
            // Nothing of it was written.
            #expect(Self.version(try await Self.swarm(client)) == Self.version(swarm))
        }
    }

    @Test func tokensRotateWithTheRootDigestAndUnlockKeysFollowAutolock() async throws {
        try await Self.withApp { client, folder in
            var swarm = try await Self.swarm(client)
            let before = Self.tokens(swarm)
            #expect(try await Self.update(client, "version=\(Self.version(swarm))&rotateWorkerToken=true", Self.spec(swarm)).0 == .ok)
            swarm = try await Self.swarm(client)
            let after = Self.tokens(swarm)
            #expect(after["Worker"] != before["Worker"] && after["Manager"] == before["Manager"])
            #expect(after["Worker"]?.split(separator: "-")[2] == before["Worker"]?.split(separator: "-")[2])
            // Asking for a new unlock key without autolock does nothing, as in swarmkit.
            #expect(try await Self.update(client, "version=\(Self.version(swarm))&rotateManagerUnlockKey=1", Self.spec(swarm)).0 == .ok)
            #expect(try await Self.unlockKey(client) == "")

            swarm = try await Self.swarm(client)
            var spec = Self.spec(swarm)
            spec["EncryptionConfig"] = ["AutoLockManagers": true]
            #expect(try await Self.update(client, "version=\(Self.version(swarm))", spec).0 == .ok)
            let key = try #require(try await Self.unlockKey(client))
            let unlockKey = try UnlockKey(text: key)
            let keys = try NodeKeys.load(stateDirectory: folder, unlockKey: unlockKey)
            #expect(keys.isLocked)
            #expect(keys.kekVersion == UInt64(Self.version(try await Self.swarm(client))))
            // An update that leaves autolock on keeps the key.
            swarm = try await Self.swarm(client)
            #expect(try await Self.update(client, "version=\(Self.version(swarm))", Self.spec(swarm)).0 == .ok)
            #expect(try await Self.unlockKey(client) == key)

            swarm = try await Self.swarm(client)
            spec = Self.spec(swarm)
            spec["EncryptionConfig"] = ["AutoLockManagers": false]
            #expect(try await Self.update(client, "version=\(Self.version(swarm))", spec).0 == .ok)
            #expect(try await Self.unlockKey(client) == "")
            #expect(try !NodeKeys.load(stateDirectory: folder, unlockKey: nil).isLocked)
        }
    }
}
