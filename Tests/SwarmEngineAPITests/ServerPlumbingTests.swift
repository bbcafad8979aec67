import SwarmEngineAPI
import Testing

@Suite struct ServerPlumbingTests {
    @Test func versionPrefixesAreDropped() {
        #expect(VersionPrefix.strip("/v1.47/nodes") == "/nodes")
        #expect(VersionPrefix.strip("/v1.24/services/web?insertDefaults=true") == "/services/web?insertDefaults=true")
        #expect(VersionPrefix.strip("/v1.47") == "/")
        #expect(VersionPrefix.strip("/nodes") == "/nodes")
        // Not a version: left for the router to answer.
        #expect(VersionPrefix.strip("/volumes") == "/volumes")
        #expect(VersionPrefix.strip("/v1.47x/nodes") == "/v1.47x/nodes")
    }

    @Test func onlyLoopbackAddressesAreServedOverTCP() throws {
        #expect(try ListenAddress.loopback("127.0.0.1:2375") == .tcp(host: "127.0.0.1", port: 2375))
        #expect(try ListenAddress.loopback("[::1]:0") == .tcp(host: "::1", port: 0))
        #expect(try ListenAddress.loopback("localhost:80") == .tcp(host: "localhost", port: 80))
        #expect(throws: ListenError.notLoopback("0.0.0.0:2375")) { try ListenAddress.loopback("0.0.0.0:2375") }
        #expect(throws: ListenError.notLoopback("10.0.0.1:2375")) { try ListenAddress.loopback("10.0.0.1:2375") }
        #expect(throws: ListenError.malformed("127.0.0.1")) { try ListenAddress.loopback("127.0.0.1") }
        #expect(throws: ListenError.malformed("127.0.0.1:99999")) { try ListenAddress.loopback("127.0.0.1:99999") }
    }

    @Test func pingHeadersCarryTheSwarmState() {
        let headers = EngineRoutes.pingHeaders(swarm: "locked")
        #expect(headers[values: .init("Api-Version")!] == ["1.47"])
        #expect(headers[values: .init("Ostype")!] == ["linux"])
        #expect(headers[values: .init("Docker-Experimental")!] == ["false"])
        #expect(headers[values: .init("Swarm")!] == ["locked"])
    }
}
