import Foundation

/// Everything `docker * inspect` and `docker info` show of a swarm's objects, flattened to
/// `path → value` per object, so two engines' answers on one folder can be compared field
/// by field and every difference named.
public struct SwarmInspection: Sendable {
    /// Object ("service shop_web", "node self", "swarm") → flattened field path → JSON value.
    public var objects: [String: [String: String]] = [:]

    /// Inspects every service, node, network (swarm-scoped), secret and config, and the
    /// `Swarm` part of `docker info`, through `docker`.
    public init(_ docker: ([String]) throws -> CommandResult) throws {
        for kind in ["service", "secret", "config"] {
            for name in try docker([kind, "ls", "--format", "{{.Name}}"]).lines.sorted() {
                objects["\(kind) \(name)"] = try Self.inspect(docker, kind, name)
            }
        }
        for name in try docker(["network", "ls", "--filter", "scope=swarm", "--format", "{{.Name}}"]).lines.sorted() {
            objects["network \(name)"] = try Self.inspect(docker, "network", name)
        }
        for id in try docker(["node", "ls", "--format", "{{.ID}}"]).lines.sorted() {
            objects["node \(id)"] = try Self.inspect(docker, "node", id)
        }
        let info = try docker(["info", "--format", "{{json .Swarm}}"]).stdout
        objects["swarm"] = Self.flatten(try JSONSerialization.jsonObject(with: Data(info.utf8)))
    }

    static func inspect(_ docker: ([String]) throws -> CommandResult, _ kind: String, _ name: String) throws -> [String: String] {
        let result = try docker([kind, "inspect", name])
        guard result.succeeded, let array = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [Any],
            let object = array.first
        else { throw HarnessError.commandFailed(result) }
        return flatten(object)
    }

    /// `{"Spec":{"Labels":{"a":"b"}}}` → `["Spec.Labels.a": "\"b\""]`; arrays by index. An
    /// empty object or array and a missing one are the same to Docker's Go structs (omitempty),
    /// so empties are dropped.
    public static func flatten(_ value: Any, prefix: String = "") -> [String: String] {
        var out: [String: String] = [:]
        switch value {
        case let dictionary as [String: Any]:
            for (key, child) in dictionary {
                out.merge(flatten(child, prefix: prefix.isEmpty ? key : "\(prefix).\(key)")) { first, _ in first }
            }
        case let array as [Any]:
            for (index, child) in array.enumerated() {
                out.merge(flatten(child, prefix: "\(prefix)[\(index)]")) { first, _ in first }
            }
        case is NSNull:
            break
        default:
            let data = (try? JSONSerialization.data(withJSONObject: ["v": value], options: [.sortedKeys])) ?? Data()
            let text = String(decoding: data, as: UTF8.self)
            out[prefix] = String(text.dropFirst(5).dropLast())
        }
        return out
    }

    /// One field two inspections disagree on: `nil` where a side does not have it.
    public struct Difference: Sendable, CustomStringConvertible {
        public let object: String
        public let path: String
        public let left: String?
        public let right: String?
        public var description: String { "\(object): \(path): \(left ?? "(absent)") ≠ \(right ?? "(absent)")" }
    }

    /// The fields of objects both sides have that differ, except those `allowed` names
    /// (patterns matched against "object: path", `*` matching anything); and the objects only
    /// one side has, as a difference with path "(object)".
    public func differences(from other: SwarmInspection, allowed: [String]) -> [Difference] {
        var out: [Difference] = []
        for name in Set(objects.keys).union(other.objects.keys).sorted() {
            guard let left = objects[name], let right = other.objects[name] else {
                out.append(Difference(object: name, path: "(object)", left: objects[name].map { _ in "present" },
                    right: other.objects[name].map { _ in "present" }))
                continue
            }
            for path in Set(left.keys).union(right.keys).sorted() where left[path] != right[path] {
                let subject = "\(name): \(path)"
                if allowed.contains(where: { Self.matches(subject, pattern: $0) }) { continue }
                out.append(Difference(object: name, path: path, left: left[path], right: right[path]))
            }
        }
        return out
    }

    static func matches(_ text: String, pattern: String) -> Bool {
        let parts = pattern.split(separator: "*", omittingEmptySubsequences: false).map(String.init)
        guard parts.count > 1 else { return text == pattern }
        guard text.hasPrefix(parts[0]) else { return false }
        var rest = Substring(text.dropFirst(parts[0].count))
        for (index, part) in parts.dropFirst().enumerated() {
            if index == parts.count - 2 { return part.isEmpty || rest.hasSuffix(part) }
            guard let range = rest.range(of: part) else { return false }
            rest = rest[range.upperBound...]
        }
        return true
    }
}
