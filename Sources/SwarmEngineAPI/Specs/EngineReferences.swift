import StreamingJSON
import SwarmProto

/// Docker's SecretReferenceFileTarget / ConfigReferenceFileTarget. Mode is os.FileMode, a number.
public struct EngineFileTarget: Codable, Sendable, Equatable {
    public var name: String?
    public var uid: String?
    public var gid: String?
    public var mode: UInt32?

    public init(name: String? = nil, uid: String? = nil, gid: String? = nil, mode: UInt32? = nil) {
        self.name = name
        self.uid = uid
        self.gid = gid
        self.mode = mode
    }

    enum CodingKeys: String, CodingKey { case name = "Name", uid = "UID", gid = "GID", mode = "Mode" }
}

/// Docker's swarm.SecretReference.
public struct EngineSecretReference: Codable, Sendable, Equatable {
    public var file: EngineFileTarget?
    public var secretID: String?
    public var secretName: String?

    public init(file: EngineFileTarget? = nil, secretID: String? = nil, secretName: String? = nil) {
        self.file = file
        self.secretID = secretID
        self.secretName = secretName
    }

    enum CodingKeys: String, CodingKey { case file = "File", secretID = "SecretID", secretName = "SecretName" }
}

/// Docker's swarm.ConfigReference: a File target or a Runtime one (`{}`).
public struct EngineConfigReference: Codable, Sendable, Equatable {
    public struct RuntimeTarget: Codable, Sendable, Equatable {
        public init() {}
    }

    public var file: EngineFileTarget?
    public var runtime: RuntimeTarget?
    public var configID: String?
    public var configName: String?

    public init(file: EngineFileTarget? = nil, runtime: RuntimeTarget? = nil, configID: String? = nil, configName: String? = nil) {
        self.file = file
        self.runtime = runtime
        self.configID = configID
        self.configName = configName
    }

    enum CodingKeys: String, CodingKey {
        case file = "File", runtime = "Runtime", configID = "ConfigID", configName = "ConfigName"
    }
}

extension EngineFileTarget {
    init(_ f: SwarmFileTarget) { self.init(name: f.name, uid: f.uid, gid: f.gid, mode: f.mode) }

    var swarm: SwarmFileTarget {
        var f = SwarmFileTarget()
        f.name = name ?? ""
        f.uid = uid ?? ""
        f.gid = gid ?? ""
        f.mode = mode ?? 0
        return f
    }
}

extension EngineSecretReference {
    /// Docker shows only file targets, the only kind swarmkit has for secrets.
    init?(_ r: SwarmSecretReference) {
        guard case .file(let f)? = r.target else { return nil }
        self.init(file: EngineFileTarget(f), secretID: r.secretID, secretName: r.secretName)
    }

    var swarm: SwarmSecretReference {
        var r = SwarmSecretReference()
        r.secretID = secretID ?? ""
        r.secretName = secretName ?? ""
        if let file { r.target = .file(file.swarm) }
        return r
    }
}

extension EngineConfigReference {
    init?(_ r: SwarmConfigReference) {
        switch r.target {
        case .runtime?: self.init(runtime: RuntimeTarget(), configID: r.configID, configName: r.configName)
        case .file(let f)?: self.init(file: EngineFileTarget(f), configID: r.configID, configName: r.configName)
        case nil: return nil
        }
    }

    func swarm() throws(SpecConversionError) -> SwarmConfigReference {
        var r = SwarmConfigReference()
        r.configID = configID ?? ""
        r.configName = configName ?? ""
        switch (file, runtime) {
        case (nil, nil): throw .invalid("invalid Config: either File or Runtime should be set")
        case (.some, .some): throw .invalid("invalid Config: cannot specify both File and Runtime")
        case (_, .some): r.target = .runtime(SwarmRuntimeTarget())
        case (let file?, nil): r.target = .file(file.swarm)
        }
        return r
    }
}

/// swarmkit's checks on a container's secret and config references.
enum EngineReferenceRules {
    static func validate(_ c: SwarmContainerSpec) throws(SpecConversionError) {
        var targets: [String: String] = [:]
        for s in c.secrets {
            guard !s.secretID.isEmpty, !s.secretName.isEmpty else { throw .invalid("malformed secret reference") }
            guard case .file(let f)? = s.target else { throw .invalid("malformed secret reference, no target provided") }
            guard !f.name.isEmpty else {
                throw .invalid("malformed file secret reference, invalid target file name provided")
            }
            if let previous = targets.updateValue(s.secretName, forKey: f.name) {
                throw .invalid("secret references '\(previous)' and '\(s.secretName)' have a conflicting target: '\(f.name)'")
            }
        }
        targets = [:]
        for r in c.configs {
            guard !r.configID.isEmpty, !r.configName.isEmpty else { throw .invalid("malformed config reference") }
            guard let target = r.target else { throw .invalid("malformed config reference, no target provided") }
            guard case .file(let f) = target else { continue }
            guard !f.name.isEmpty else {
                throw .invalid("malformed file config reference, invalid target file name provided")
            }
            if let previous = targets.updateValue(r.configName, forKey: f.name) {
                throw .invalid("config references '\(previous)' and '\(r.configName)' have a conflicting target: '\(f.name)'")
            }
        }
    }
}

extension EngineFileTarget: JSONWritable {
    public func writeJSON(to json: inout JSONWriter) throws {
        try json.object { json in
            try json.member(CodingKeys.name, name)
            try json.member(CodingKeys.uid, uid)
            try json.member(CodingKeys.gid, gid)
            try json.member(CodingKeys.mode, mode)
        }
    }
}

extension EngineSecretReference: JSONWritable {
    public func writeJSON(to json: inout JSONWriter) throws {
        try json.object { json in
            try json.member(CodingKeys.file, file)
            try json.member(CodingKeys.secretID, secretID)
            try json.member(CodingKeys.secretName, secretName)
        }
    }
}

extension EngineConfigReference: JSONWritable {
    public func writeJSON(to json: inout JSONWriter) throws {
        try json.object { json in
            try json.member(CodingKeys.file, file)
            try json.member(CodingKeys.runtime, runtime)
            try json.member(CodingKeys.configID, configID)
            try json.member(CodingKeys.configName, configName)
        }
    }
}

extension EngineConfigReference.RuntimeTarget: JSONWritable {
    public func writeJSON(to json: inout JSONWriter) {
        json.object { _ in }
    }
}
