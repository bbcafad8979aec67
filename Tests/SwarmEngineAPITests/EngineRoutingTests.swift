import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SwarmEngineAPI
import SwarmFormats
import SwarmManager
import SwarmTestSupport
import Testing

/// The routes as the docker CLI reaches them, over a real (copied) fixture folder.
@Suite(.serialized) struct EngineRoutingTests {
    static let host = HostInfo(
        hostname: "test", cpus: 1, memoryBytes: 1, kernelVersion: "6", machine: "x86_64", operatingSystem: "Linux",
        serverVersion: "test")

    static func withApp(
        _ scenario: String, _ node: String = "manager-1", _ test: @Sendable (any TestClientProtocol) async throws -> Void
    ) async throws {
        let folder = Fixtures.copy(scenario, node)
        defer { try? FileManager.default.removeItem(at: folder) }
        let manager = try EmbeddedManager(directory: StateDirectory(path: folder.path), unlockKey: nil)
        defer { try? manager.close() }
        let api = EngineAPI(manager: manager, host: host)
        let app = Application(responder: EngineResponder(EngineRoutes.router(api: api).buildResponder()))
        try await app.test(.router, test)
    }

    static func message(_ body: ByteBuffer) -> String? {
        let object = try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any]
        return object?["message"] as? String
    }

    @Test func headPingHasTheHeadersAndNoBody() async throws {
        try await Self.withApp("single-manager") { client in
            try await client.execute(uri: "/_ping", method: .head) { response in
                #expect(response.status == .ok)
                #expect(response.headers[HTTPField.Name("Api-Version")!] == "1.47")
                #expect(response.headers[HTTPField.Name("Swarm")!] == "active/manager")
                #expect(response.body.readableBytes == 0)
            }
            try await client.execute(uri: "/v1.47/_ping", method: .get) { response in
                #expect(String(buffer: response.body) == "OK")
            }
        }
    }

    @Test func unknownObjectsAndPathsAreDockerErrors() async throws {
        try await Self.withApp("single-manager") { client in
            try await client.execute(uri: "/v1.47/nodes/nosuch", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(Self.message(response.body) == "node nosuch not found")
            }
            // What only an engine has is not served, and the answer says so.
            try await client.execute(uri: "/v1.47/volumes", method: .get) { response in
                #expect(response.status == .notImplemented)
                #expect(Self.message(response.body)?.hasPrefix("swarmsafe's embedded manager does not serve GET /volumes: ") == true)
                #expect(Self.message(response.body)?.contains("runs no containers") == true)
            }
            try await client.execute(uri: "/services?filters=%7B%22colour%22%3A%7B%22x%22%3Atrue%7D%7D", method: .get) { response in
                #expect(response.status == .badRequest)
                #expect(Self.message(response.body) == "invalid filter 'colour'")
            }
        }
    }

    @Test func filtersSelectByNamePrefixAndID() async throws {
        try await Self.withApp("single-manager") { client in
            let filter = "%7B%22name%22%3A%7B%22web-1%22%3Atrue%7D%7D"  // {"name":{"web-1":true}}
            try await client.execute(uri: "/v1.47/services?filters=\(filter)", method: .get) { response in
                let list = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [[String: Any]]
                #expect(list?.count == 1)
                let id = try #require(list?.first?["ID"] as? String)
                let byID = "%7B%22service%22%3A%7B%22\(id)%22%3Atrue%7D%7D"
                try await client.execute(uri: "/v1.47/tasks?filters=\(byID)", method: .get) { tasks in
                    let list = try JSONSerialization.jsonObject(with: Data(tasks.body.readableBytesView)) as? [[String: Any]]
                    #expect(list?.count == 2)
                    #expect(list?.allSatisfy { $0["ServiceID"] as? String == id } == true)
                }
            }
        }
    }

    @Test func staleUpdatesAreOutOfSequence() async throws {
        try await Self.withApp("single-manager") { client in
            let spec = #"{"Name":"web-0","TaskTemplate":{"ContainerSpec":{"Image":"nginx:1.20"}},"Mode":{"Replicated":{"Replicas":3}}}"#
            try await client.execute(
                uri: "/v1.47/services/web-0/update?version=1", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(string: spec)
            ) { response in
                #expect(response.status == .internalServerError)
                #expect(Self.message(response.body) == "rpc error: code = Unknown desc = update out of sequence")
            }
        }
    }

    @Test func lockedSwarmAnswers503ButPingAndInfoWork() async throws {
        try await Self.withApp("autolock-3mgr") { client in
            try await client.execute(uri: "/_ping", method: .head) { response in
                #expect(response.headers[HTTPField.Name("Swarm")!] == "locked")
            }
            try await client.execute(uri: "/v1.47/services", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(Self.message(response.body) == EngineError.lockedMessage)
            }
            try await client.execute(uri: "/v1.47/info", method: .get) { response in
                let info = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any]
                #expect((info?["Swarm"] as? [String: Any])?["LocalNodeState"] as? String == "locked")
            }
        }
    }
}
