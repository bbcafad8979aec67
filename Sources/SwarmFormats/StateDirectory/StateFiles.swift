import Foundation

/// One entry of `state.json`: a manager this node knows how to reach.
public struct KnownManager: Codable, Sendable, Equatable {
    public var nodeID: String
    public var addr: String

    enum CodingKeys: String, CodingKey {
        case nodeID = "node_id"
        case addr
    }

    public init(nodeID: String, addr: String) {
        self.nodeID = nodeID
        self.addr = addr
    }
}

public enum StateFileError: Error, Sendable, Equatable, CustomStringConvertible {
    case malformed(path: String, reason: String)

    public var description: String {
        switch self {
        case .malformed(let path, let reason): "\(path): \(reason)"
        }
    }
}

/// `state.json`: the managers this node knows (swarmkit's remotes list).
public enum StateJSON {
    /// The file as swarmkit's `json.Marshal` writes it: compact, `node_id` before `addr`,
    /// no trailing newline.
    public static func encode(_ managers: [KnownManager]) -> Data {
        func quoted(_ text: String) -> String {
            (try? String(decoding: JSONEncoder().encode(text), as: UTF8.self)) ?? "\"\""
        }
        let items = managers.map { "{\"node_id\":\(quoted($0.nodeID)),\"addr\":\(quoted($0.addr))}" }
        return Data(("[" + items.joined(separator: ",") + "]").utf8)
    }

    public static func read(_ url: URL) throws -> [KnownManager] {
        let data = try Data(contentsOf: url)
        do {
            return try JSONDecoder().decode([KnownManager].self, from: data)
        } catch {
            throw StateFileError.malformed(path: url.path, reason: "not a JSON array of {node_id, addr}")
        }
    }
}

/// `docker-state.json`: the daemon's saved node start configuration. Kept as a JSON object so
/// keys we do not model survive a rewrite; the address keys are exposed by name.
public struct DockerStateJSON: Sendable {
    public var object: [String: JSONValue]

    public static func read(_ url: URL) throws -> DockerStateJSON {
        let data = try Data(contentsOf: url)
        guard case .object(let object)? = try? JSONDecoder().decode(JSONValue.self, from: data) else {
            throw StateFileError.malformed(path: url.path, reason: "not a JSON object")
        }
        return DockerStateJSON(object: object)
    }

    public subscript(key: String) -> String? {
        if case .string(let value)? = object[key] { return value }
        return nil
    }
}

/// A JSON value that round-trips whatever it was given.
public enum JSONValue: Codable, Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }
}
