import Foundation
import SwarmProto

/// Docker's swarm.ConfigSpec. Data is base64 in JSON and, unlike a secret's, always shown.
public struct EngineConfigSpec: Codable, Sendable, Equatable {
    public var name: String?
    /// Docker always writes Labels, `{}` when there are none.
    public var labels: [String: String]?
    public var data: Data?
    public var templating: EngineDriver?

    public init(name: String? = nil, labels: [String: String]? = nil, data: Data? = nil, templating: EngineDriver? = nil) {
        self.name = name
        self.labels = labels
        self.data = data
        self.templating = templating
    }

    enum CodingKeys: String, CodingKey {
        case name = "Name", labels = "Labels", data = "Data", templating = "Templating"
    }
}

extension EngineConfigSpec {
    public init(_ spec: SwarmConfigSpec) {
        self.init(
            name: spec.annotations.name.isEmpty ? nil : spec.annotations.name,
            labels: spec.annotations.labels,
            data: spec.data.isEmpty ? nil : spec.data,
            templating: spec.hasTemplating ? EngineDriver(spec.templating) : nil
        )
    }

    /// For `POST /configs/create`.
    public func swarmSpec() throws(SpecConversionError) -> SwarmConfigSpec {
        var out = SwarmConfigSpec()
        out.annotations.name = name ?? ""
        out.annotations.labels = labels ?? [:]
        out.data = data ?? Data()
        if let templating { out.templating = templating.swarm(base: nil) }
        try EngineSecretSpec.validateName(out.annotations.name)
        if out.data.isEmpty || out.data.count >= 1000 * 1024 {
            throw .invalid("config data must be larger than 0 and less than \(1000 * 1024) bytes")
        }
        return out
    }
}
