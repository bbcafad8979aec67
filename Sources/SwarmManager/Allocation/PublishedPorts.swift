import SwarmProto

/// Ingress published ports across the swarm: one service per port and protocol, and the
/// first free port from 30000 for a port published without a number, as swarmkit's port
/// allocator does (30000–32767).
struct PublishedPorts {
    static let dynamicRange: ClosedRange<UInt32> = 30000...32767

    struct Key: Hashable {
        let port: UInt32
        let proto: Int
    }
    private var owners: [Key: String] = [:]

    /// `owners`: each published ingress port's service, as `AllocationIndex` keeps them.
    init(owners: [Key: String]) {
        self.owners = owners
    }

    /// The service whose ingress port this is, other than `serviceID`.
    func owner(of port: SwarmPortConfig, besides serviceID: String) -> String? {
        guard port.publishMode == .ingress, port.publishedPort != 0,
            let owner = owners[Key(port: port.publishedPort, proto: port.protocol.rawValue)], owner != serviceID
        else { return nil }
        return owner
    }

    /// The spec's ports as the endpoint has them: published numbers filled in. A port the
    /// service had already keeps its number across updates.
    mutating func allocate(_ spec: [SwarmPortConfig], serviceID: String, previous: [SwarmPortConfig]) -> [SwarmPortConfig]? {
        release(serviceID)
        var out: [SwarmPortConfig] = []
        for var port in spec {
            if port.publishMode == .ingress && port.publishedPort == 0 {
                let kept = previous.first {
                    $0.publishMode == .ingress && $0.targetPort == port.targetPort && $0.protocol == port.protocol
                        && Self.dynamicRange.contains($0.publishedPort)
                        && owners[Key(port: $0.publishedPort, proto: $0.protocol.rawValue)] == nil
                }
                if let kept {
                    port.publishedPort = kept.publishedPort
                } else {
                    guard let free = Self.dynamicRange.first(where: { owners[Key(port: $0, proto: port.protocol.rawValue)] == nil })
                    else { return nil }
                    port.publishedPort = free
                }
            }
            if port.publishMode == .ingress {
                owners[Key(port: port.publishedPort, proto: port.protocol.rawValue)] = serviceID
            }
            out.append(port)
        }
        return out
    }

    private mutating func release(_ serviceID: String) {
        owners = owners.filter { $0.value != serviceID }
    }
}
