import Foundation
import StreamingJSON
import SwarmProto

/// Docker's mount.Mount as used in a service's container spec.
public struct EngineMount: Codable, Sendable, Equatable {
    /// "bind", "volume", "tmpfs", "npipe" or "cluster".
    public var type: String?
    public var source: String?
    public var target: String?
    public var readOnly: Bool?
    /// "default", "consistent", "cached" or "delegated".
    public var consistency: String?
    public var bindOptions: BindOptions?
    public var volumeOptions: VolumeOptions?
    public var tmpfsOptions: TmpfsOptions?

    public struct BindOptions: Codable, Sendable, Equatable {
        public var propagation: String?
        public var nonRecursive: Bool?
        public var createMountpoint: Bool?
        public var readOnlyNonRecursive: Bool?
        public var readOnlyForceRecursive: Bool?
        public init(
            propagation: String? = nil, nonRecursive: Bool? = nil, createMountpoint: Bool? = nil,
            readOnlyNonRecursive: Bool? = nil, readOnlyForceRecursive: Bool? = nil
        ) {
            self.propagation = propagation
            self.nonRecursive = nonRecursive
            self.createMountpoint = createMountpoint
            self.readOnlyNonRecursive = readOnlyNonRecursive
            self.readOnlyForceRecursive = readOnlyForceRecursive
        }
        enum CodingKeys: String, CodingKey {
            case propagation = "Propagation", nonRecursive = "NonRecursive", createMountpoint = "CreateMountpoint"
            case readOnlyNonRecursive = "ReadOnlyNonRecursive", readOnlyForceRecursive = "ReadOnlyForceRecursive"
        }
    }

    public struct VolumeOptions: Codable, Sendable, Equatable {
        public var noCopy: Bool?
        public var labels: [String: String]?
        public var subpath: String?
        public var driverConfig: EngineDriver?
        public init(noCopy: Bool? = nil, labels: [String: String]? = nil, subpath: String? = nil, driverConfig: EngineDriver? = nil) {
            self.noCopy = noCopy
            self.labels = labels
            self.subpath = subpath
            self.driverConfig = driverConfig
        }
        enum CodingKeys: String, CodingKey {
            case noCopy = "NoCopy", labels = "Labels", subpath = "Subpath", driverConfig = "DriverConfig"
        }
    }

    public struct TmpfsOptions: Codable, Sendable, Equatable {
        public var sizeBytes: Int64?
        public var mode: UInt32?
        /// Docker's structured form; swarmkit stores it as this list's JSON text.
        public var options: [[String]]?
        public init(sizeBytes: Int64? = nil, mode: UInt32? = nil, options: [[String]]? = nil) {
            self.sizeBytes = sizeBytes
            self.mode = mode
            self.options = options
        }
        enum CodingKeys: String, CodingKey { case sizeBytes = "SizeBytes", mode = "Mode", options = "Options" }
    }

    public init(type: String? = nil, source: String? = nil, target: String? = nil, readOnly: Bool? = nil) {
        self.type = type
        self.source = source
        self.target = target
        self.readOnly = readOnly
    }

    enum CodingKeys: String, CodingKey {
        case type = "Type", source = "Source", target = "Target", readOnly = "ReadOnly", consistency = "Consistency"
        case bindOptions = "BindOptions", volumeOptions = "VolumeOptions", tmpfsOptions = "TmpfsOptions"
    }
}

extension EngineMount {
    static let types = EngineEnumNames<SwarmMount.TypeEnum>(
        field: "MountType",
        pairs: [("bind", .bind), ("volume", .volume), ("tmpfs", .tmpfs), ("npipe", .npipe), ("cluster", .cluster)])
    static let consistencies = EngineEnumNames<SwarmMount.Consistency>(
        field: "Consistency",
        pairs: [("default", .default), ("consistent", .consistent), ("cached", .cached), ("delegated", .delegated)])
    static let propagations = EngineEnumNames<SwarmMount.BindOptions.Propagation>(
        field: "MountPropagation",
        pairs: [("rprivate", .rprivate), ("private", .private), ("rshared", .rshared), ("shared", .shared),
                ("rslave", .rslave), ("slave", .slave)])

    init(_ m: SwarmMount) {
        self.init(type: Self.types.name(m.type), source: m.source.isEmpty ? nil : m.source,
                  target: m.target.isEmpty ? nil : m.target, readOnly: m.readonly ? true : nil)
        // Docker leaves the default out; showing it would read as a choice the user made.
        consistency = m.consistency == .default ? nil : Self.consistencies.name(m.consistency)
        if m.hasBindOptions {
            let b = m.bindOptions
            bindOptions = BindOptions(
                propagation: Self.propagations.name(b.propagation), nonRecursive: b.nonrecursive ? true : nil,
                createMountpoint: b.createmountpoint ? true : nil,
                readOnlyNonRecursive: b.readonlynonrecursive ? true : nil,
                readOnlyForceRecursive: b.readonlyforcerecursive ? true : nil)
        }
        if m.hasVolumeOptions {
            let v = m.volumeOptions
            volumeOptions = VolumeOptions(
                noCopy: v.nocopy ? true : nil, labels: v.labels.isEmpty ? nil : v.labels,
                subpath: v.subpath.isEmpty ? nil : v.subpath,
                driverConfig: v.hasDriverConfig ? EngineDriver(v.driverConfig) : nil)
        }
        if m.hasTmpfsOptions {
            let t = m.tmpfsOptions
            tmpfsOptions = TmpfsOptions(
                sizeBytes: t.sizeBytes.nonZero, mode: t.mode.nonZero,
                options: (try? JSONDecoder().decode([[String]].self, from: Data(t.options.utf8))).flatMap { $0.isEmpty ? nil : $0 })
        }
    }

    func swarm(base: SwarmMount?) throws(SpecConversionError) -> SwarmMount {
        var out = base ?? SwarmMount()
        out.type = try Self.types.value(type, empty: .bind)
        out.source = source ?? ""
        out.target = target ?? ""
        out.readonly = readOnly ?? false
        out.consistency = try Self.consistencies.value(consistency, empty: .default)
        if let bindOptions {
            var b = out.hasBindOptions ? out.bindOptions : SwarmMount.BindOptions()
            b.propagation = try Self.propagations.value(bindOptions.propagation, empty: .rprivate)
            b.nonrecursive = bindOptions.nonRecursive ?? false
            b.createmountpoint = bindOptions.createMountpoint ?? false
            b.readonlynonrecursive = bindOptions.readOnlyNonRecursive ?? false
            b.readonlyforcerecursive = bindOptions.readOnlyForceRecursive ?? false
            out.bindOptions = b
        } else {
            out.clearBindOptions()
        }
        if let volumeOptions {
            var v = out.hasVolumeOptions ? out.volumeOptions : SwarmMount.VolumeOptions()
            v.nocopy = volumeOptions.noCopy ?? false
            v.labels = volumeOptions.labels ?? [:]
            v.subpath = volumeOptions.subpath ?? ""
            if let driver = volumeOptions.driverConfig {
                v.driverConfig = driver.swarm(base: v.hasDriverConfig ? v.driverConfig : nil)
            } else {
                v.clearDriverConfig()
            }
            out.volumeOptions = v
        } else {
            out.clearVolumeOptions()
        }
        if let tmpfsOptions {
            let stored = out.hasTmpfsOptions ? out.tmpfsOptions.options : nil
            var t = out.hasTmpfsOptions ? out.tmpfsOptions : SwarmMount.TmpfsOptions()
            t.sizeBytes = tmpfsOptions.sizeBytes ?? 0
            t.mode = tmpfsOptions.mode ?? 0
            t.options = Self.tmpfsOptionsText(tmpfsOptions.options, stored: stored)
            out.tmpfsOptions = t
        } else {
            out.clearTmpfsOptions()
        }
        return out
    }

    /// Docker stores the options as Go's JSON of the list ("null" for none). Stored text that
    /// says the same is kept, so that a round trip does not re-spell it.
    static func tmpfsOptionsText(_ options: [[String]]?, stored: String?) -> String {
        if let stored {
            let storedList = stored.isEmpty || stored == "null"
                ? [] : try? JSONDecoder().decode([[String]].self, from: Data(stored.utf8))
            if storedList == (options ?? []) { return stored }
        }
        guard let options else { return "null" }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return (try? encoder.encode(options)).flatMap { String(data: $0, encoding: .utf8) } ?? "null"
    }
}

extension EngineMount: JSONWritable {
    public func writeJSON(to json: inout JSONWriter) throws {
        try json.object { json in
            try json.member(CodingKeys.type, type)
            try json.member(CodingKeys.source, source)
            try json.member(CodingKeys.target, target)
            try json.member(CodingKeys.readOnly, readOnly)
            try json.member(CodingKeys.consistency, consistency)
            try json.member(CodingKeys.bindOptions, bindOptions)
            try json.member(CodingKeys.volumeOptions, volumeOptions)
            try json.member(CodingKeys.tmpfsOptions, tmpfsOptions)
        }
    }
}

extension EngineMount.BindOptions: JSONWritable {
    public func writeJSON(to json: inout JSONWriter) throws {
        try json.object { json in
            try json.member(CodingKeys.propagation, propagation)
            try json.member(CodingKeys.nonRecursive, nonRecursive)
            try json.member(CodingKeys.createMountpoint, createMountpoint)
            try json.member(CodingKeys.readOnlyNonRecursive, readOnlyNonRecursive)
            try json.member(CodingKeys.readOnlyForceRecursive, readOnlyForceRecursive)
        }
    }
}

extension EngineMount.VolumeOptions: JSONWritable {
    public func writeJSON(to json: inout JSONWriter) throws {
        try json.object { json in
            try json.member(CodingKeys.noCopy, noCopy)
            try json.member(CodingKeys.labels, labels)
            try json.member(CodingKeys.subpath, subpath)
            try json.member(CodingKeys.driverConfig, driverConfig)
        }
    }
}

extension EngineMount.TmpfsOptions: JSONWritable {
    public func writeJSON(to json: inout JSONWriter) throws {
        try json.object { json in
            try json.member(CodingKeys.sizeBytes, sizeBytes)
            try json.member(CodingKeys.mode, mode)
            try json.member(CodingKeys.options, options)
        }
    }
}
