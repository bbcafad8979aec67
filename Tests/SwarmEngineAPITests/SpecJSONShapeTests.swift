import Foundation
import SwarmEngineAPI
import SwarmProto
import SwiftProtobuf
import Testing

/// What clients read: Docker's key spelling, nanosecond integers, lower-case enums, RFC 3339 times.
@Suite struct SpecJSONShapeTests {
    static func object(_ value: some Encodable) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: JSONEncoder().encode(value)) as? [String: Any])
    }

    @Test func serviceSpecKeysAndValues() throws {
        let spec = SwarmServiceSpec.with {
            $0.annotations.name = "web"
            $0.task.container = .with { $0.image = "nginx"; $0.stopGracePeriod = .init(seconds: 1, nanos: 500) }
            $0.task.restart = .with { $0.condition = .onFailure; $0.window = .init(seconds: 3) }
            $0.global = SwarmGlobalService()
            $0.update = .with { $0.order = .startFirst; $0.failureAction = .continue; $0.monitor = .init(seconds: 2) }
            $0.endpoint = .with { $0.mode = .dnsrr; $0.ports = [.with { $0.protocol = .sctp; $0.publishMode = .host; $0.targetPort = 9 }] }
        }
        let json = try Self.object(EngineServiceSpec(spec))
        #expect(json["Name"] as? String == "web")
        #expect((json["Labels"] as? [String: String]) == [:])
        #expect((json["Mode"] as? [String: Any])?["Global"] is [String: Any])
        let template = try #require(json["TaskTemplate"] as? [String: Any])
        let container = try #require(template["ContainerSpec"] as? [String: Any])
        #expect(container["StopGracePeriod"] as? Int64 == 1_000_000_500)
        #expect(container["Isolation"] as? String == "default")
        #expect(container["Env"] == nil && container["TTY"] == nil)
        #expect(template["Runtime"] as? String == "container")
        #expect(template["ForceUpdate"] as? Int == 0)
        let restart = try #require(template["RestartPolicy"] as? [String: Any])
        #expect(restart["Condition"] as? String == "on-failure" && restart["Window"] as? Int64 == 3_000_000_000)
        #expect(restart["Delay"] == nil && restart["MaxAttempts"] as? Int == 0)
        let update = try #require(json["UpdateConfig"] as? [String: Any])
        #expect(update["Order"] as? String == "start-first" && update["FailureAction"] as? String == "continue")
        #expect(update["Monitor"] as? Int64 == 2_000_000_000 && update["Delay"] == nil && update["Parallelism"] as? Int == 0)
        let endpoint = try #require(json["EndpointSpec"] as? [String: Any])
        #expect(endpoint["Mode"] as? String == "dnsrr")
        let port = try #require((endpoint["Ports"] as? [[String: Any]])?.first)
        #expect(port["Protocol"] as? String == "sctp" && port["PublishMode"] as? String == "host")
        #expect(port["PublishedPort"] == nil && port["TargetPort"] as? Int == 9)
    }

    @Test func endpointAndUpdateStatus() throws {
        let endpoint = SwarmEndpoint.with {
            $0.spec = .with { $0.ports = [.with { $0.targetPort = 80; $0.publishedPort = 30000 }] }
            $0.ports = $0.spec.ports
            $0.virtualIps = [.with { $0.networkID = "net"; $0.addr = "10.0.0.2/24" }]
        }
        let json = try Self.object(EngineEndpoint(endpoint))
        #expect((json["Spec"] as? [String: Any])?["Mode"] as? String == "vip")
        #expect((json["Ports"] as? [[String: Any]])?.first?["PublishedPort"] as? Int == 30000)
        #expect((json["VirtualIPs"] as? [[String: String]]) == [["NetworkID": "net", "Addr": "10.0.0.2/24"]])

        let status = SwarmUpdateStatus.with {
            $0.state = .rollbackStarted
            $0.startedAt = .init(seconds: 1_700_000_000, nanos: 120_000_000)
            $0.completedAt = .init(seconds: 0)
            $0.message = "update rolled back"
        }
        let s = try Self.object(EngineUpdateStatus(status))
        #expect(s["State"] as? String == "rollback_started")
        #expect(s["StartedAt"] as? String == "2023-11-14T22:13:20.12Z")
        #expect(s["CompletedAt"] == nil)
        #expect(s["Message"] as? String == "update rolled back")
    }

    @Test func nodeSpecStrings() throws {
        let json = try Self.object(EngineNodeSpec(.with { $0.desiredRole = .manager; $0.availability = .pause }))
        #expect(json["Role"] as? String == "manager" && json["Availability"] as? String == "pause")
        #expect((json["Labels"] as? [String: String]) == [:] && json["Name"] == nil)
    }

    @Test func timesAsGoWritesThem() throws {
        let cases: [(Int64, Int32, String)] = [
            (0, 0, "1970-01-01T00:00:00Z"),
            (1_700_000_000, 123_456_789, "2023-11-14T22:13:20.123456789Z"),
            (1_700_000_000, 100, "2023-11-14T22:13:20.0000001Z"),
            (951_782_400, 0, "2000-02-29T00:00:00Z"),
            (-1, 0, "1969-12-31T23:59:59Z"),
            (253_402_300_799, 999_999_999, "9999-12-31T23:59:59.999999999Z"),
        ]
        for (seconds, nanos, text) in cases {
            let ts = Google_Protobuf_Timestamp(seconds: seconds, nanos: nanos)
            #expect(EngineTime.string(ts) == text)
            #expect(EngineTime.timestamp(text) == ts)
        }
        #expect(EngineTime.timestamp("2023-11-14T23:13:20.5+01:00") == Google_Protobuf_Timestamp(seconds: 1_700_000_000, nanos: 500_000_000))
        for bad in ["", "2023-11-14", "2023-13-01T00:00:00Z", "2023-02-30T00:00:00Z", "2023-11-14T22:13:20", "2023-11-14T22:13:20.Z"] {
            #expect(EngineTime.timestamp(bad) == nil, "\(bad)")
        }
    }
}
