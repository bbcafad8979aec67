import Foundation
import SwarmEngineAPI
import SwarmProto
import SwiftProtobuf
import Testing

/// Request bodies exactly as the docker CLI 28.2.2 sent them (captured against a logging
/// server, API 1.47), and the swarmkit specs they must become.
@Suite struct SpecDockerCLIBodyTests {
    /// `docker service create --detach --name web --replicas 3 -p 8080:80 --env A=1 --label x=y
    ///  --constraint node.role==manager --limit-memory 64m nginx:alpine`
    static let createWeb = #"""
        {"Name":"web","Labels":{"x":"y"},"TaskTemplate":{"ContainerSpec":{"Image":"nginx:alpine","Env":["A=1"],"Init":false,"DNSConfig":{}},"Resources":{"Limits":{"MemoryBytes":67108864},"Reservations":{}},"Placement":{"Constraints":["node.role==manager"]},"ForceUpdate":0},"Mode":{"Replicated":{"Replicas":3}},"EndpointSpec":{"Mode":"vip","Ports":[{"Protocol":"tcp","TargetPort":80,"PublishedPort":8080,"PublishMode":"ingress"}]}}
        """#

    /// `docker service update --detach --env-add B=2 --image nginx:1.27 --update-delay 10s
    ///  --update-failure-action rollback --restart-condition on-failure
    ///  --publish-add published=9090,target=90,protocol=udp,mode=host web`
    static let updateWeb = #"""
        {"Name":"web","Labels":{"x":"y"},"TaskTemplate":{"ContainerSpec":{"Image":"nginx:1.27","Env":["A=1","B=2"],"Init":false,"DNSConfig":{}},"Resources":{"Limits":{"MemoryBytes":67108864},"Reservations":{}},"RestartPolicy":{"Condition":"on-failure","Delay":5000000000,"MaxAttempts":0},"Placement":{"Constraints":["node.role==manager"]},"ForceUpdate":0},"Mode":{"Replicated":{"Replicas":3}},"UpdateConfig":{"Parallelism":1,"Delay":10000000000,"FailureAction":"rollback","Monitor":5000000000,"MaxFailureRatio":0,"Order":"stop-first"},"EndpointSpec":{"Mode":"vip","Ports":[{"Protocol":"tcp","TargetPort":80,"PublishedPort":8080,"PublishMode":"ingress"},{"Protocol":"udp","TargetPort":90,"PublishedPort":9090,"PublishMode":"host"}]}}
        """#

    /// `docker service scale --detach web=5`, after the update above.
    static let scaleWeb = #"""
        {"Name":"web","Labels":{"x":"y"},"TaskTemplate":{"ContainerSpec":{"Image":"nginx:1.27","Env":["A=1","B=2"],"Init":false,"DNSConfig":{}},"Resources":{"Limits":{"MemoryBytes":67108864},"Reservations":{}},"RestartPolicy":{"Condition":"on-failure","Delay":5000000000,"MaxAttempts":0},"Placement":{"Constraints":["node.role==manager"]},"ForceUpdate":0},"Mode":{"Replicated":{"Replicas":5}},"UpdateConfig":{"Parallelism":1,"Delay":10000000000,"FailureAction":"rollback","Monitor":5000000000,"MaxFailureRatio":0,"Order":"stop-first"},"EndpointSpec":{"Mode":"vip","Ports":[{"Protocol":"tcp","TargetPort":80,"PublishedPort":8080,"PublishMode":"ingress"},{"Protocol":"udp","TargetPort":90,"PublishedPort":9090,"PublishMode":"host"}]}}
        """#

    /// `docker service create --detach --name job --mode replicated-job --replicas 2 --max-concurrent 1
    ///  --restart-condition none --mount type=volume,source=data,target=/data,volume-nocopy
    ///  --mount type=tmpfs,target=/tmp,tmpfs-size=1048576 --health-cmd true --health-interval 5s
    ///  --health-retries 3 --stop-grace-period 20s --secret db_pass
    ///  --config source=app_cfg,target=/etc/app.conf,mode=0400 --network backend --dns 8.8.8.8
    ///  --host h:1.2.3.4 --cap-add NET_ADMIN --ulimit nofile=100:200 --limit-cpu 0.5
    ///  --reserve-memory 32m --limit-pids 100 --init --placement-pref spread=node.labels.zone
    ///  --user 1000 --workdir /w --hostname hx --read-only --tty --sysctl net.core.somaxconn=1024
    ///  busybox sleep 1`
    static let createJob = #"""
        {"Name":"job","Labels":{},"TaskTemplate":{"ContainerSpec":{"Image":"busybox:latest","Args":["sleep","1"],"Hostname":"hx","Dir":"/w","User":"1000","Init":true,"TTY":true,"ReadOnly":true,"Mounts":[{"Type":"volume","Source":"data","Target":"/data","VolumeOptions":{"NoCopy":true,"DriverConfig":{}}},{"Type":"tmpfs","Target":"/tmp","TmpfsOptions":{"SizeBytes":1048576}}],"StopGracePeriod":20000000000,"Healthcheck":{"Test":["CMD-SHELL","true"],"Interval":5000000000,"Retries":3},"Hosts":["1.2.3.4 h"],"DNSConfig":{"Nameservers":["8.8.8.8"]},"Secrets":[{"File":{"Name":"db_pass","UID":"0","GID":"0","Mode":292},"SecretID":"secid123","SecretName":"db_pass"}],"Configs":[{"File":{"Name":"/etc/app.conf","UID":"0","GID":"0","Mode":256},"ConfigID":"cfgid123","ConfigName":"app_cfg"}],"Sysctls":{"net.core.somaxconn":"1024"},"CapabilityAdd":["CAP_NET_ADMIN"],"Ulimits":[{"Name":"nofile","Hard":200,"Soft":100}]},"Resources":{"Limits":{"NanoCPUs":500000000,"Pids":100},"Reservations":{"MemoryBytes":33554432}},"RestartPolicy":{"Condition":"none","Delay":5000000000,"MaxAttempts":0},"Placement":{"Preferences":[{"Spread":{"SpreadDescriptor":"node.labels.zone"}}]},"Networks":[{"Target":"netid123"}],"ForceUpdate":0},"Mode":{"ReplicatedJob":{"MaxConcurrent":1,"TotalCompletions":2}},"EndpointSpec":{"Mode":"vip"}}
        """#

    /// `docker service create --detach --name gl --mode global --endpoint-mode dnsrr --log-driver json-file
    ///  --log-opt max-size=10m --restart-max-attempts 3 --restart-delay 2s --rollback-order start-first alpine`
    static let createGlobal = #"""
        {"Name":"gl","Labels":{},"TaskTemplate":{"ContainerSpec":{"Image":"alpine:latest","Init":false,"DNSConfig":{}},"Resources":{"Limits":{},"Reservations":{}},"RestartPolicy":{"Condition":"any","Delay":2000000000,"MaxAttempts":3},"Placement":{},"LogDriver":{"Name":"json-file","Options":{"max-size":"10m"}},"ForceUpdate":0},"Mode":{"Global":{}},"RollbackConfig":{"Parallelism":1,"FailureAction":"pause","Monitor":5000000000,"MaxFailureRatio":0,"Order":"start-first"},"EndpointSpec":{"Mode":"dnsrr"}}
        """#

    /// `docker secret create --label s=1 db_pass FILE` (FILE holds "hunter2").
    static let createSecret = #"{"Name":"db_pass","Labels":{"s":"1"},"Data":"aHVudGVyMg=="}"#
    /// `docker config create app_cfg FILE` (FILE holds "listen 80\n").
    static let createConfig = #"{"Name":"app_cfg","Labels":{},"Data":"bGlzdGVuIDgwCg=="}"#
    /// `docker node update --availability drain --label-add a=b n1`, the node having label old=x.
    static let updateNode = #"{"Labels":{"a":"b","old":"x"},"Role":"worker","Availability":"drain"}"#

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(text.utf8))
    }

    static func container(_ spec: SwarmServiceSpec) throws -> SwarmContainerSpec {
        guard case .container(let c)? = spec.task.runtime else { throw CocoaError(.coderInvalidValue) }
        return c
    }

    @Test func serviceCreate() throws {
        let spec = try Self.decode(EngineServiceSpec.self, Self.createWeb).swarmSpec()
        #expect(spec.annotations.name == "web")
        #expect(spec.annotations.labels == ["x": "y"])
        let c = try Self.container(spec)
        #expect(c.image == "nginx:alpine")
        #expect(c.env == ["A=1"])
        // The CLI says "no --init" explicitly; swarmkit must keep that as a set false.
        #expect(c.hasInit_p && c.init_p.value == false)
        #expect(c.hasDnsConfig && c.dnsConfig == SwarmContainerSpec.DNSConfig())
        #expect(c.pidsLimit == 0)
        #expect(spec.mode == .replicated(.with { $0.replicas = 3 }))
        #expect(spec.task.resources.limits.memoryBytes == 64 << 20)
        #expect(spec.task.resources.hasReservations && spec.task.resources.reservations == SwarmResources())
        #expect(spec.task.placement.constraints == ["node.role==manager"])
        #expect(!spec.task.hasRestart && !spec.hasUpdate && !spec.hasRollback && !spec.task.hasLogDriver)
        #expect(spec.endpoint.mode == .vip)
        #expect(spec.endpoint.ports == [.with { $0.protocol = .tcp; $0.targetPort = 80; $0.publishedPort = 8080; $0.publishMode = .ingress }])
    }

    @Test func serviceUpdateThenScale() throws {
        let created = try Self.decode(EngineServiceSpec.self, Self.createWeb).swarmSpec()
        let updated = try Self.decode(EngineServiceSpec.self, Self.updateWeb).swarmSpec(base: created)
        #expect(try Self.container(updated).image == "nginx:1.27")
        #expect(try Self.container(updated).env == ["A=1", "B=2"])
        #expect(updated.update.parallelism == 1)
        #expect(updated.update.delay == .init(seconds: 10))
        #expect(updated.update.failureAction == .rollback)
        #expect(updated.update.hasMonitor && updated.update.monitor == .init(seconds: 5))
        #expect(updated.update.order == .stopFirst)
        #expect(updated.task.restart.condition == .onFailure)
        #expect(updated.task.restart.delay == .init(seconds: 5))
        #expect(!updated.task.restart.hasWindow)
        #expect(updated.endpoint.ports.last == .with {
            $0.protocol = .udp; $0.targetPort = 90; $0.publishedPort = 9090; $0.publishMode = .host
        })

        let scaled = try Self.decode(EngineServiceSpec.self, Self.scaleWeb).swarmSpec(base: updated)
        var expected = updated
        expected.mode = .replicated(.with { $0.replicas = 5 })
        #expect(scaled == expected)
    }

    @Test func replicatedJobWithEverything() throws {
        let spec = try Self.decode(EngineServiceSpec.self, Self.createJob).swarmSpec()
        #expect(spec.mode == .replicatedJob(.with { $0.maxConcurrent = 1; $0.totalCompletions = 2 }))
        let c = try Self.container(spec)
        #expect(c.image == "busybox:latest" && c.args == ["sleep", "1"] && c.command.isEmpty)
        #expect(c.hostname == "hx" && c.dir == "/w" && c.user == "1000")
        #expect(c.init_p.value && c.tty && c.readOnly && !c.openStdin)
        #expect(c.mounts.count == 2)
        #expect(c.mounts[0].type == .volume && c.mounts[0].source == "data" && c.mounts[0].target == "/data")
        #expect(c.mounts[0].volumeOptions.nocopy && c.mounts[0].volumeOptions.hasDriverConfig)
        #expect(c.mounts[1].type == .tmpfs && c.mounts[1].tmpfsOptions.sizeBytes == 1_048_576)
        // Docker keeps tmpfs options as JSON text, "null" when there are none.
        #expect(c.mounts[1].tmpfsOptions.options == "null")
        #expect(c.stopGracePeriod == .init(seconds: 20))
        #expect(c.healthcheck.test == ["CMD-SHELL", "true"] && c.healthcheck.retries == 3)
        #expect(c.healthcheck.interval == .init(seconds: 5))
        // Docker stores every health duration, the zero ones too.
        #expect(c.healthcheck.hasTimeout && c.healthcheck.hasStartPeriod && c.healthcheck.hasStartInterval)
        #expect(c.hosts == ["1.2.3.4 h"] && c.dnsConfig.nameservers == ["8.8.8.8"])
        #expect(c.secrets == [.with {
            $0.secretID = "secid123"; $0.secretName = "db_pass"
            $0.file = .with { $0.name = "db_pass"; $0.uid = "0"; $0.gid = "0"; $0.mode = 0o444 }
        }])
        #expect(c.configs.first?.file.mode == 0o400 && c.configs.first?.file.name == "/etc/app.conf")
        #expect(c.sysctls == ["net.core.somaxconn": "1024"] && c.capabilityAdd == ["CAP_NET_ADMIN"])
        #expect(c.ulimits == [.with { $0.name = "nofile"; $0.soft = 100; $0.hard = 200 }])
        #expect(c.pidsLimit == 100)
        #expect(spec.task.resources.limits.nanoCpus == 500_000_000)
        #expect(spec.task.resources.reservations.memoryBytes == 32 << 20)
        #expect(spec.task.restart.condition == .none)
        #expect(spec.task.placement.preferences.first?.spread.spreadDescriptor == "node.labels.zone")
        #expect(spec.task.networks.map(\.target) == ["netid123"])
        #expect(spec.networks.isEmpty)
    }

    @Test func globalServiceWithDNSRRAndLogDriver() throws {
        let spec = try Self.decode(EngineServiceSpec.self, Self.createGlobal).swarmSpec()
        #expect(spec.mode == .global(SwarmGlobalService()))
        #expect(spec.endpoint.mode == .dnsrr && spec.endpoint.ports.isEmpty)
        #expect(spec.task.logDriver.name == "json-file" && spec.task.logDriver.options == ["max-size": "10m"])
        #expect(spec.task.restart.condition == .any && spec.task.restart.maxAttempts == 3)
        #expect(spec.task.restart.delay == .init(seconds: 2))
        #expect(spec.task.hasPlacement && spec.task.placement == SwarmPlacement())
        #expect(spec.rollback.order == .startFirst && spec.rollback.failureAction == .pause)
        #expect(!spec.hasUpdate)
    }

    @Test func secretAndConfigCreate() throws {
        let secret = try Self.decode(EngineSecretSpec.self, Self.createSecret).swarmSpec()
        #expect(secret.annotations.name == "db_pass" && secret.annotations.labels == ["s": "1"])
        #expect(secret.data == Data("hunter2".utf8))
        #expect(!secret.hasDriver && !secret.hasTemplating)
        let config = try Self.decode(EngineConfigSpec.self, Self.createConfig).swarmSpec()
        #expect(config.annotations.name == "app_cfg" && config.annotations.labels.isEmpty)
        #expect(config.data == Data("listen 80\n".utf8))
    }

    @Test func nodeUpdateKeepsMembership() throws {
        let stored = SwarmNodeSpec.with {
            $0.annotations.labels = ["old": "x"]
            $0.desiredRole = .worker
            $0.membership = .accepted
            $0.availability = .active
        }
        let spec = try Self.decode(EngineNodeSpec.self, Self.updateNode).swarmSpec(base: stored)
        #expect(spec.availability == .drain)
        #expect(spec.annotations.labels == ["a": "b", "old": "x"])
        #expect(spec.desiredRole == .worker && spec.membership == .accepted)
    }

    /// What the CLI reads back (`service inspect`) and sends again must be the spec it created.
    @Test func createdSpecReadsBackAsTheCLISentIt() throws {
        for text in [Self.createWeb, Self.createJob, Self.createGlobal] {
            let sent = try Self.decode(EngineServiceSpec.self, text)
            var shown = EngineServiceSpec(try sent.swarmSpec())
            // Docker adds the runtime and the isolation on the way out; the CLI sends neither.
            #expect(shown.taskTemplate?.runtime == "container")
            #expect(shown.taskTemplate?.containerSpec?.isolation == "default")
            shown.taskTemplate?.runtime = nil
            shown.taskTemplate?.containerSpec?.isolation = nil
            #expect(shown == sent)
        }
    }

    /// A spec made from a CLI body, shown and sent back, stays the same bytes, with or without
    /// the stored spec as base (zero durations Docker stores must not get lost on the way).
    @Test func cliSpecsRoundTripByteForByte() throws {
        var options = BinaryEncodingOptions()
        options.useDeterministicOrdering = true
        for text in [Self.createWeb, Self.updateWeb, Self.createJob, Self.createGlobal] {
            let spec = try Self.decode(EngineServiceSpec.self, text).swarmSpec()
            let shown = try JSONDecoder().decode(EngineServiceSpec.self, from: JSONEncoder().encode(EngineServiceSpec(spec)))
            let expected: Data = try spec.serializedBytes(options: options)
            #expect(try shown.swarmSpec(base: spec).serializedBytes(options: options) == expected)
            #expect(try shown.swarmSpec().serializedBytes(options: options) == expected)
        }
    }
}
