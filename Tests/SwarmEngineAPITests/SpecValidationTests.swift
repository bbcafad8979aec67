import Foundation
import SwarmEngineAPI
import SwarmProto
import Testing

/// Bad specs are refused with Docker's own words, which the routes pass on as 400s.
@Suite struct SpecValidationTests {
    static func service(_ json: String) throws -> EngineServiceSpec {
        try JSONDecoder().decode(EngineServiceSpec.self, from: Data(json.utf8))
    }

    static func error(_ json: String) throws -> SpecConversionError? {
        let spec = try service(json)
        do throws(SpecConversionError) {
            _ = try spec.swarmSpec()
            return nil
        } catch {
            return error
        }
    }

    @Test func missingImage() throws {
        let e = try Self.error(#"{"Name":"a","TaskTemplate":{"ContainerSpec":{}}}"#)
        #expect(e == .missingImage)
        #expect(e?.description == "ContainerSpec: image reference must be provided")
    }

    @Test func missingContainerSpec() throws {
        #expect(try Self.error(#"{"Name":"a"}"#) == .invalid("mismatched Runtime and *Spec fields"))
    }

    @Test func twoModes() throws {
        let e = try Self.error(#"{"Name":"a","TaskTemplate":{"ContainerSpec":{"Image":"x"}},"Mode":{"Global":{},"Replicated":{"Replicas":1}}}"#)
        #expect(e?.description == "must specify only one service mode")
    }

    @Test func unknownEnumStrings() throws {
        let restart = try Self.error(#"{"Name":"a","TaskTemplate":{"ContainerSpec":{"Image":"x"},"RestartPolicy":{"Condition":"sometimes"}}}"#)
        #expect(restart?.description == #"invalid RestartCondition: "sometimes""#)
        let order = try Self.error(#"{"Name":"a","TaskTemplate":{"ContainerSpec":{"Image":"x"}},"UpdateConfig":{"Order":"random"}}"#)
        #expect(order?.description == "unrecognized update order random")
        let mode = try Self.error(#"{"Name":"a","TaskTemplate":{"ContainerSpec":{"Image":"x"}},"EndpointSpec":{"Mode":"round"}}"#)
        #expect(mode?.description == #"invalid resolution mode: "round""#)
        let node = #"{"Role":"boss","Availability":"active"}"#
        #expect(throws: SpecConversionError.invalidValue(field: "Role", value: "boss")) {
            try JSONDecoder().decode(EngineNodeSpec.self, from: Data(node.utf8)).swarmSpec(base: SwarmNodeSpec())
        }
    }

    @Test func swarmkitRules() throws {
        func spec(container: String = "", task: String = "", service: String = "") -> String {
            #"{"Name":"a","TaskTemplate":{"ContainerSpec":{"Image":"x""# + container + "}" + task + "}" + service + "}"
        }
        #expect(try Self.error(spec(container: #","Mounts":[{"Type":"volume","Target":"/d"},{"Type":"bind","Target":"/d"}]"#))
            == .invalid("ContainerSpec: duplicate mount point: /d"))
        #expect(try Self.error(spec(container: #","Healthcheck":{"Interval":1000}"#))
            == .invalid("ContainerSpec: Interval in HealthConfig cannot be less than 1ms"))
        #expect(try Self.error(spec(task: #","Resources":{"Limits":{"MemoryBytes":1024}}"#))
            == .invalid("invalid memory value 1024: Must be at least 4MiB"))
        #expect(try Self.error(spec(task: #","Resources":{"SwapBytes":1}"#))
            == .invalid("memory swap provided, but no memory-limit was set"))
        #expect(try Self.error(spec(service: #","UpdateConfig":{"MaxFailureRatio":2}"#))
            == .invalid("TaskSpec: update-maxfailureratio cannot be less than 0 or bigger than 1"))
        #expect(try Self.error(spec(service: #","Mode":{"GlobalJob":{}},"UpdateConfig":{}"#))
            == .invalid("Jobs may not have an update config"))
        #expect(try Self.error(spec(service: #","EndpointSpec":{"Mode":"dnsrr","Ports":[{"TargetPort":80,"PublishedPort":80}]}"#))
            == .invalid("EndpointSpec: port published with ingress mode can't be used with dnsrr mode"))
        #expect(try Self.error(spec(container: #","Secrets":[{"SecretID":"s","SecretName":"n"}]"#))
            == .invalid("malformed secret reference, no target provided"))
        #expect(try Self.error(#"{"Name":"-a","TaskTemplate":{"ContainerSpec":{"Image":"x"}}}"#)
            == .invalid("name must be valid as a DNS name component"))
        #expect(try Self.error(#"{"Name":"shop__","TaskTemplate":{"ContainerSpec":{"Image":"x"}}}"#)
            == .invalid("name must be valid as a DNS name component"))
        // Underscores between letters are swarmkit's too: stacks name their services so.
        #expect(try Self.error(#"{"Name":"shop_db","TaskTemplate":{"ContainerSpec":{"Image":"x"}}}"#) == nil)
        // And the same spec without the mistake is accepted.
        #expect(try Self.error(spec(service: #","EndpointSpec":{"Mode":"dnsrr","Ports":[{"TargetPort":80,"PublishedPort":80,"PublishMode":"host"}]}"#)) == nil)
    }

    @Test func secretAndConfigRules() throws {
        #expect(throws: SpecConversionError.invalid("secret data must be larger than 0 and less than 512000 bytes")) {
            try EngineSecretSpec(name: "s").swarmSpec()
        }
        #expect(throws: SpecConversionError.self) { try EngineConfigSpec(name: "bad name!", data: Data("x".utf8)).swarmSpec() }
        // An external driver supplies the value, so none is needed here.
        #expect(try EngineSecretSpec(name: "s", driver: EngineDriver(name: "vault")).swarmSpec().driver.name == "vault")
    }

    @Test func replicatedDefaults() throws {
        let noMode = try Self.service(#"{"Name":"a","TaskTemplate":{"ContainerSpec":{"Image":"x"}}}"#).swarmSpec()
        #expect(noMode.mode == .replicated(.with { $0.replicas = 1 }))
        let job = try Self.service(#"{"Name":"a","TaskTemplate":{"ContainerSpec":{"Image":"x"}},"Mode":{"ReplicatedJob":{"MaxConcurrent":3}}}"#).swarmSpec()
        #expect(job.mode == .replicatedJob(.with { $0.maxConcurrent = 3; $0.totalCompletions = 3 }))
    }
}
