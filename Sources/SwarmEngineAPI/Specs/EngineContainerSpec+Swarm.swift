import SwarmProto
import SwiftProtobuf

extension EngineContainerSpec {
    static let isolations = EngineEnumNames<SwarmContainerSpec.Isolation>(
        field: "Isolation", pairs: [("default", .default), ("process", .process), ("hyperv", .hyperv)])

    init(_ c: SwarmContainerSpec) {
        self.init(image: c.image.isEmpty ? nil : c.image)
        labels = c.labels.isEmpty ? nil : c.labels
        command = c.command.isEmpty ? nil : c.command
        args = c.args.isEmpty ? nil : c.args
        hostname = c.hostname.isEmpty ? nil : c.hostname
        env = c.env.isEmpty ? nil : c.env
        dir = c.dir.isEmpty ? nil : c.dir
        user = c.user.isEmpty ? nil : c.user
        groups = c.groups.isEmpty ? nil : c.groups
        privileges = c.hasPrivileges ? EnginePrivileges(c.privileges) : nil
        self.`init` = c.hasInit_p ? c.init_p.value : nil
        stopSignal = c.stopSignal.isEmpty ? nil : c.stopSignal
        tty = c.tty ? true : nil
        openStdin = c.openStdin ? true : nil
        readOnly = c.readOnly ? true : nil
        mounts = c.mounts.isEmpty ? nil : c.mounts.map(EngineMount.init)
        stopGracePeriod = c.hasStopGracePeriod ? EngineDuration.nanoseconds(c.stopGracePeriod) : nil
        healthcheck = c.hasHealthcheck ? EngineHealthConfig(c.healthcheck) : nil
        hosts = c.hosts.isEmpty ? nil : c.hosts
        if c.hasDnsConfig {
            let d = c.dnsConfig
            dnsConfig = EngineDNSConfig(
                nameservers: d.nameservers.isEmpty ? nil : d.nameservers, search: d.search.isEmpty ? nil : d.search,
                options: d.options.isEmpty ? nil : d.options)
        }
        let secretRefs = c.secrets.compactMap(EngineSecretReference.init)
        secrets = secretRefs.isEmpty ? nil : secretRefs
        let configRefs = c.configs.compactMap(EngineConfigReference.init)
        configs = configRefs.isEmpty ? nil : configRefs
        isolation = Self.isolations.name(c.isolation)
        sysctls = c.sysctls.isEmpty ? nil : c.sysctls
        capabilityAdd = c.capabilityAdd.isEmpty ? nil : c.capabilityAdd
        capabilityDrop = c.capabilityDrop.isEmpty ? nil : c.capabilityDrop
        ulimits = c.ulimits.isEmpty ? nil : c.ulimits.map { EngineUlimit(name: $0.name, hard: $0.hard, soft: $0.soft) }
        oomScoreAdj = c.oomScoreAdj.nonZero
    }

    /// pidsLimit is left as in `base`: the task spec sets it from Resources.Limits.Pids.
    func swarm(base: SwarmContainerSpec?) throws(SpecConversionError) -> SwarmContainerSpec {
        guard let image, !image.isEmpty else { throw .missingImage }
        var out = base ?? SwarmContainerSpec()
        out.image = image
        out.labels = labels ?? [:]
        out.command = command ?? []
        out.args = args ?? []
        out.hostname = hostname ?? ""
        out.env = env ?? []
        out.dir = dir ?? ""
        out.user = user ?? ""
        out.groups = groups ?? []
        if let privileges {
            out.privileges = try privileges.swarm(base: base?.hasPrivileges == true ? base?.privileges : nil)
        } else {
            out.clearPrivileges()
        }
        if let value = self.`init` { out.init_p = Google_Protobuf_BoolValue(value) } else { out.clearInit_p() }
        out.stopSignal = stopSignal ?? ""
        out.tty = tty ?? false
        out.openStdin = openStdin ?? false
        out.readOnly = readOnly ?? false
        out.mounts = try Self.swarmMounts(mounts ?? [], base: base?.mounts ?? [])
        if let stopGracePeriod {
            out.stopGracePeriod = EngineDuration.proto(stopGracePeriod)
        } else {
            out.clearStopGracePeriod()
        }
        if let healthcheck {
            out.healthcheck = try healthcheck.swarm(base: base?.hasHealthcheck == true ? base?.healthcheck : nil)
        } else {
            out.clearHealthcheck()
        }
        out.hosts = hosts ?? []
        if let dnsConfig {
            var d = out.hasDnsConfig ? out.dnsConfig : SwarmContainerSpec.DNSConfig()
            d.nameservers = dnsConfig.nameservers ?? []
            d.search = dnsConfig.search ?? []
            d.options = dnsConfig.options ?? []
            out.dnsConfig = d
        } else {
            out.clearDnsConfig()
        }
        out.secrets = (secrets ?? []).map(\.swarm)
        var configRefs: [SwarmConfigReference] = []
        for ref in configs ?? [] { configRefs.append(try ref.swarm()) }
        out.configs = configRefs
        // Like Docker: anything that is not process or hyperv isolation is the default.
        out.isolation = Self.isolations.lenientValue(isolation, empty: .default)
        out.sysctls = sysctls ?? [:]
        out.capabilityAdd = capabilityAdd ?? []
        out.capabilityDrop = capabilityDrop ?? []
        out.ulimits = (ulimits ?? []).map {
            var u = SwarmContainerSpec.Ulimit()
            u.name = $0.name ?? ""
            u.hard = $0.hard ?? 0
            u.soft = $0.soft ?? 0
            return u
        }
        out.oomScoreAdj = oomScoreAdj ?? 0
        try EngineReferenceRules.validate(out)
        return out
    }

    /// Settings Docker's JSON lacks are kept from the stored mount with the same target.
    private static func swarmMounts(_ mounts: [EngineMount], base: [SwarmMount]) throws(SpecConversionError) -> [SwarmMount] {
        var out: [SwarmMount] = []
        var targets = Set<String>()
        for m in mounts {
            let target = m.target ?? ""
            guard targets.insert(target).inserted else {
                throw .invalid("ContainerSpec: duplicate mount point: \(target)")
            }
            out.append(try m.swarm(base: base.first { $0.target == target }))
        }
        return out
    }
}

extension EngineHealthConfig {
    init(_ h: SwarmHealthConfig) {
        self.init(
            test: h.test.isEmpty ? nil : h.test,
            interval: h.hasInterval ? EngineDuration.nanoseconds(h.interval).nonZero : nil,
            timeout: h.hasTimeout ? EngineDuration.nanoseconds(h.timeout).nonZero : nil,
            startPeriod: h.hasStartPeriod ? EngineDuration.nanoseconds(h.startPeriod).nonZero : nil,
            startInterval: h.hasStartInterval ? EngineDuration.nanoseconds(h.startInterval).nonZero : nil,
            retries: h.retries.nonZero
        )
    }

    /// Docker always stores all four durations, zero or not; a stored spec without one keeps it absent.
    func swarm(base: SwarmHealthConfig?) throws(SpecConversionError) -> SwarmHealthConfig {
        var out = base ?? SwarmHealthConfig()
        out.test = test ?? []
        let known = base != nil
        let fields: [(String, Int64?, WritableKeyPath<SwarmHealthConfig, Google_Protobuf_Duration>, Bool)] = [
            ("Interval", interval, \.interval, base?.hasInterval ?? false),
            ("Timeout", timeout, \.timeout, base?.hasTimeout ?? false),
            ("StartPeriod", startPeriod, \.startPeriod, base?.hasStartPeriod ?? false),
            ("StartInterval", startInterval, \.startInterval, base?.hasStartInterval ?? false),
        ]
        for (name, value, path, had) in fields {
            if let value, value != 0, value < 1_000_000 {
                throw .invalid("ContainerSpec: \(name) in HealthConfig cannot be less than 1ms")
            }
            let stored = had ? base?[keyPath: path] : nil
            if let d = EngineDuration.merged(value, base: stored, baseKnown: known, zeroPresentByDefault: true) {
                out[keyPath: path] = d
            } else {
                Self.clear(path, in: &out)
            }
        }
        let retries = retries ?? 0
        guard retries >= 0 else { throw .invalid("ContainerSpec: Retries in HealthConfig cannot be negative") }
        out.retries = retries
        return out
    }

    private static func clear(_ path: WritableKeyPath<SwarmHealthConfig, Google_Protobuf_Duration>, in h: inout SwarmHealthConfig) {
        switch path {
        case \.interval: h.clearInterval()
        case \.timeout: h.clearTimeout()
        case \.startPeriod: h.clearStartPeriod()
        default: h.clearStartInterval()
        }
    }
}
