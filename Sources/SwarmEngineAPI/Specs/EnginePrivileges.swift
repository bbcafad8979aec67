import Foundation
import StreamingJSON
import SwarmProto

/// Docker's swarm.Privileges.
public struct EnginePrivileges: Codable, Sendable, Equatable {
    public struct CredentialSpec: Codable, Sendable, Equatable {
        public var config: String?
        public var file: String?
        public var registry: String?
        public init(config: String? = nil, file: String? = nil, registry: String? = nil) {
            self.config = config
            self.file = file
            self.registry = registry
        }
        enum CodingKeys: String, CodingKey { case config = "Config", file = "File", registry = "Registry" }
    }

    public struct SELinuxContext: Codable, Sendable, Equatable {
        public var disable: Bool?
        public var user: String?
        public var role: String?
        public var type: String?
        public var level: String?
        public init(disable: Bool? = nil, user: String? = nil, role: String? = nil, type: String? = nil, level: String? = nil) {
            self.disable = disable
            self.user = user
            self.role = role
            self.type = type
            self.level = level
        }
        enum CodingKeys: String, CodingKey {
            case disable = "Disable", user = "User", role = "Role", type = "Type", level = "Level"
        }
    }

    public struct Seccomp: Codable, Sendable, Equatable {
        /// "default", "unconfined" or "custom".
        public var mode: String?
        public var profile: Data?
        public init(mode: String? = nil, profile: Data? = nil) {
            self.mode = mode
            self.profile = profile
        }
        enum CodingKeys: String, CodingKey { case mode = "Mode", profile = "Profile" }
    }

    public struct AppArmor: Codable, Sendable, Equatable {
        /// "default" or "disabled".
        public var mode: String?
        public init(mode: String? = nil) { self.mode = mode }
        enum CodingKeys: String, CodingKey { case mode = "Mode" }
    }

    public var credentialSpec: CredentialSpec?
    public var seLinuxContext: SELinuxContext?
    public var seccomp: Seccomp?
    public var appArmor: AppArmor?
    public var noNewPrivileges: Bool?

    public init(
        credentialSpec: CredentialSpec? = nil, seLinuxContext: SELinuxContext? = nil, seccomp: Seccomp? = nil,
        appArmor: AppArmor? = nil, noNewPrivileges: Bool? = nil
    ) {
        self.credentialSpec = credentialSpec
        self.seLinuxContext = seLinuxContext
        self.seccomp = seccomp
        self.appArmor = appArmor
        self.noNewPrivileges = noNewPrivileges
    }

    enum CodingKeys: String, CodingKey {
        case credentialSpec = "CredentialSpec", seLinuxContext = "SELinuxContext", seccomp = "Seccomp"
        case appArmor = "AppArmor", noNewPrivileges = "NoNewPrivileges"
    }
}

extension EnginePrivileges {
    static let seccompModes = EngineEnumNames<SwarmPrivileges.SeccompOpts.SeccompMode>(
        field: "Seccomp mode", pairs: [("default", .default), ("unconfined", .unconfined), ("custom", .custom)])
    static let appArmorModes = EngineEnumNames<SwarmPrivileges.AppArmorOpts.AppArmorMode>(
        field: "AppArmor mode", pairs: [("default", .default), ("disabled", .disabled)])

    init(_ p: SwarmPrivileges) {
        self.init(noNewPrivileges: p.noNewPrivileges)
        if p.hasCredentialSpec {
            // Docker writes all three, the unused ones empty.
            var c = CredentialSpec(config: "", file: "", registry: "")
            switch p.credentialSpec.source {
            case .config(let v)?: c.config = v
            case .file(let v)?: c.file = v
            case .registry(let v)?: c.registry = v
            case nil: break
            }
            credentialSpec = c
        }
        if p.hasSelinuxContext {
            let s = p.selinuxContext
            seLinuxContext = SELinuxContext(disable: s.disable, user: s.user, role: s.role, type: s.type, level: s.level)
        }
        if p.hasSeccomp {
            seccomp = Seccomp(mode: Self.seccompModes.name(p.seccomp.mode), profile: p.seccomp.profile.isEmpty ? nil : p.seccomp.profile)
        }
        if p.hasApparmor { appArmor = AppArmor(mode: Self.appArmorModes.name(p.apparmor.mode)) }
    }

    func swarm(base: SwarmPrivileges?) throws(SpecConversionError) -> SwarmPrivileges {
        var out = base ?? SwarmPrivileges()
        if let credentialSpec {
            var c = out.hasCredentialSpec ? out.credentialSpec : SwarmPrivileges.CredentialSpec()
            c.source = try Self.credentialSource(credentialSpec)
            out.credentialSpec = c
        } else {
            out.clearCredentialSpec()
        }
        if let s = seLinuxContext {
            var c = out.hasSelinuxContext ? out.selinuxContext : SwarmPrivileges.SELinuxContext()
            c.disable = s.disable ?? false
            c.user = s.user ?? ""
            c.role = s.role ?? ""
            c.type = s.type ?? ""
            c.level = s.level ?? ""
            out.selinuxContext = c
        } else {
            out.clearSelinuxContext()
        }
        if let seccomp {
            var s = out.hasSeccomp ? out.seccomp : SwarmPrivileges.SeccompOpts()
            // Docker maps an unknown mode to the default silently.
            s.mode = Self.seccompModes.lenientValue(seccomp.mode, empty: .default)
            s.profile = seccomp.profile ?? Data()
            out.seccomp = s
        } else {
            out.clearSeccomp()
        }
        if let appArmor {
            var a = out.hasApparmor ? out.apparmor : SwarmPrivileges.AppArmorOpts()
            a.mode = Self.appArmorModes.lenientValue(appArmor.mode, empty: .default)
            out.apparmor = a
        } else {
            out.clearApparmor()
        }
        out.noNewPrivileges = noNewPrivileges ?? false
        return out
    }

    private static func credentialSource(_ c: CredentialSpec) throws(SpecConversionError)
        -> SwarmPrivileges.CredentialSpec.OneOf_Source
    {
        let given = [("config", c.config), ("file", c.file), ("registry", c.registry)]
            .filter { !($0.1 ?? "").isEmpty }
        guard let first = given.first, let value = first.1 else {
            throw .invalid(#"invalid CredentialSpec: must either provide "file", "registry", or "config" for credential spec"#)
        }
        guard given.count == 1 else {
            let names = given.map { "\"\($0.0)\"" }
            let message = names.count == 2
                ? "cannot specify both \(names[0]) and \(names[1]) credential specs"
                : "cannot specify both \(names.dropLast().joined(separator: ", ")), and \(names[names.count - 1]) credential specs"
            throw .invalid("invalid CredentialSpec: " + message)
        }
        switch first.0 {
        case "config": return .config(value)
        case "file": return .file(value)
        default: return .registry(value)
        }
    }
}

extension EnginePrivileges: JSONWritable {
    public func writeJSON(to json: inout JSONWriter) throws {
        try json.object { json in
            try json.member(CodingKeys.credentialSpec, credentialSpec)
            try json.member(CodingKeys.seLinuxContext, seLinuxContext)
            try json.member(CodingKeys.seccomp, seccomp)
            try json.member(CodingKeys.appArmor, appArmor)
            try json.member(CodingKeys.noNewPrivileges, noNewPrivileges)
        }
    }
}

extension EnginePrivileges.CredentialSpec: JSONWritable {
    public func writeJSON(to json: inout JSONWriter) throws {
        try json.object { json in
            try json.member(CodingKeys.config, config)
            try json.member(CodingKeys.file, file)
            try json.member(CodingKeys.registry, registry)
        }
    }
}

extension EnginePrivileges.SELinuxContext: JSONWritable {
    public func writeJSON(to json: inout JSONWriter) throws {
        try json.object { json in
            try json.member(CodingKeys.disable, disable)
            try json.member(CodingKeys.user, user)
            try json.member(CodingKeys.role, role)
            try json.member(CodingKeys.type, type)
            try json.member(CodingKeys.level, level)
        }
    }
}

extension EnginePrivileges.Seccomp: JSONWritable {
    public func writeJSON(to json: inout JSONWriter) throws {
        try json.object { json in
            try json.member(CodingKeys.mode, mode)
            try json.member(CodingKeys.profile, profile)
        }
    }
}

extension EnginePrivileges.AppArmor: JSONWritable {
    public func writeJSON(to json: inout JSONWriter) throws {
        try json.object { json in
            try json.member(CodingKeys.mode, mode)
        }
    }
}
