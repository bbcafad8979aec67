import StreamingJSON
import SwarmProto

/// Docker's swarm.Driver (log driver, secret driver, templating, volume driver).
public struct EngineDriver: Codable, Sendable, Equatable {
    public var name: String?
    public var options: [String: String]?

    public init(name: String? = nil, options: [String: String]? = nil) {
        self.name = name
        self.options = options
    }

    enum CodingKeys: String, CodingKey {
        case name = "Name", options = "Options"
    }
}

extension EngineDriver {
    init(_ d: SwarmDriver) {
        self.init(name: d.name.isEmpty ? nil : d.name, options: d.options.isEmpty ? nil : d.options)
    }

    func swarm(base: SwarmDriver?) -> SwarmDriver {
        var out = base ?? SwarmDriver()
        out.name = name ?? ""
        out.options = options ?? [:]
        return out
    }
}

extension EngineDriver: JSONWritable {
    public func writeJSON(to json: inout JSONWriter) throws {
        try json.object { json in
            try json.member(CodingKeys.name, name)
            try json.member(CodingKeys.options, options)
        }
    }
}
