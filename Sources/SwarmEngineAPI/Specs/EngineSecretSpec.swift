import Foundation
import SwarmProto

/// Docker's swarm.SecretSpec. Data is base64 in JSON (Foundation's default for `Data`).
public struct EngineSecretSpec: Codable, Sendable, Equatable {
    public var name: String?
    /// Docker always writes Labels, `{}` when there are none.
    public var labels: [String: String]?
    public var data: Data?
    public var driver: EngineDriver?
    public var templating: EngineDriver?

    public init(
        name: String? = nil, labels: [String: String]? = nil, data: Data? = nil, driver: EngineDriver? = nil,
        templating: EngineDriver? = nil
    ) {
        self.name = name
        self.labels = labels
        self.data = data
        self.driver = driver
        self.templating = templating
    }

    enum CodingKeys: String, CodingKey {
        case name = "Name", labels = "Labels", data = "Data", driver = "Driver", templating = "Templating"
    }
}

extension EngineSecretSpec {
    /// The API never shows a secret's value: pass `includeData: false` for anything a client reads.
    public init(_ spec: SwarmSecretSpec, includeData: Bool) {
        self.init(
            name: spec.annotations.name.isEmpty ? nil : spec.annotations.name,
            labels: spec.annotations.labels,
            data: includeData && !spec.data.isEmpty ? spec.data : nil,
            driver: spec.hasDriver ? EngineDriver(spec.driver) : nil,
            templating: spec.hasTemplating ? EngineDriver(spec.templating) : nil
        )
    }

    /// For `POST /secrets/create`. (Updates may change labels only; the route takes those
    /// from here and keeps the rest of the stored spec.)
    public func swarmSpec() throws(SpecConversionError) -> SwarmSecretSpec {
        var out = SwarmSecretSpec()
        out.annotations.name = name ?? ""
        out.annotations.labels = labels ?? [:]
        out.data = data ?? Data()
        if let driver { out.driver = driver.swarm(base: nil) }
        if let templating { out.templating = templating.swarm(base: nil) }
        try EngineSecretSpec.validateName(out.annotations.name)
        // A secret from an external driver has no data of its own.
        if driver == nil, out.data.isEmpty || out.data.count >= 500 * 1024 {
            throw .invalid("secret data must be larger than 0 and less than \(500 * 1024) bytes")
        }
        return out
    }

    /// swarmkit's rule for secret and config names.
    static func validateName(_ name: String) throws(SpecConversionError) {
        guard !name.isEmpty else { throw .invalid("name must be provided") }
        let bytes = Array(name.utf8)
        func alnum(_ c: UInt8) -> Bool {
            (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
                || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9"))
        }
        let valid = bytes.count <= 64 && alnum(bytes[0]) && alnum(bytes[bytes.count - 1])
            && bytes.allSatisfy { alnum($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") }
        guard valid else {
            throw .invalid(
                "invalid name, only 64 [a-zA-Z0-9-_.] characters allowed, and the start and end character must be [a-zA-Z0-9]")
        }
    }
}
