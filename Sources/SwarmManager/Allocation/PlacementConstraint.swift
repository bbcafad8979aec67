import SwarmProto

/// One placement constraint, `node.labels.zone == east`, matched against a node as
/// swarmkit's scheduler does: `==` and `!=`, case-insensitive values except for labels.
struct PlacementConstraint: Sendable {
    let key: String
    let equals: Bool
    let value: String

    init?(_ text: String) {
        for (op, equals) in [("==", true), ("!=", false)] {
            guard let range = text.range(of: op) else { continue }
            key = text[..<range.lowerBound].trimmingCharacters(in: .whitespaces)
            value = text[range.upperBound...].trimmingCharacters(in: .whitespaces)
            self.equals = equals
            guard !key.isEmpty else { return nil }
            return
        }
        return nil
    }

    func matches(_ node: SwarmNode) -> Bool {
        let lowered = key.lowercased()
        let actual: String?
        var caseSensitive = false
        switch lowered {
        case "node.id": actual = node.id
        case "node.hostname": actual = node.description_p.hostname
        case "node.role": actual = node.role == .manager ? "manager" : "worker"
        case "node.platform.os": actual = node.description_p.platform.os
        case "node.platform.arch": actual = node.description_p.platform.architecture
        case "node.ip": actual = node.status.addr
        default:
            if lowered.hasPrefix("node.labels.") {
                actual = node.spec.annotations.labels[String(key.dropFirst("node.labels.".count))]
                caseSensitive = true
            } else if lowered.hasPrefix("engine.labels.") {
                actual = node.description_p.engine.labels[String(key.dropFirst("engine.labels.".count))]
                caseSensitive = true
            } else {
                // A key swarmkit does not know matches no node.
                return false
            }
        }
        guard let actual else { return !equals }
        let same = caseSensitive ? actual == value : actual.lowercased() == value.lowercased()
        return same == equals
    }
}
