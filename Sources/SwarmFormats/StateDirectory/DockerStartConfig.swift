import Foundation

/// Docker's `docker-state.json`: the start config the daemon saves beside the swarm state when
/// a node inits or joins, and reads at every start. Without it dockerd does not start swarm
/// mode at all, whatever `raft/` holds. The fields and their order are Docker's (20.10 and
/// later write the same ones), so a file written here reads as one Docker wrote.
public struct DockerStartConfig: Codable, Sendable, Equatable {
    /// This machine's own IP, as given to init or join.
    public var localAddr: String
    /// The manager a join went to; empty after an init.
    public var remoteAddr: String
    /// Where swarm's control plane listens, `ip:port`.
    public var listenAddr: String
    /// Where other nodes reach this one, `ip:port`.
    public var advertiseAddr: String
    public var dataPathAddr: String
    public var defaultAddressPool: [String]
    public var subnetSize: UInt32
    public var dataPathPort: UInt32
    public var joinInProgress: Bool

    enum CodingKeys: String, CodingKey {
        case localAddr = "LocalAddr", remoteAddr = "RemoteAddr", listenAddr = "ListenAddr"
        case advertiseAddr = "AdvertiseAddr", dataPathAddr = "DataPathAddr"
        case defaultAddressPool = "DefaultAddressPool", subnetSize = "SubnetSize"
        case dataPathPort = "DataPathPort", joinInProgress = "JoinInProgress"
    }

    /// What `docker swarm init --advertise-addr A --listen-addr L` saves, with Docker's
    /// defaults for the address pool (a /24 per network) and the VXLAN port.
    public init(initWithAdvertise advertise: String, ip: String, listen: String) {
        localAddr = ip
        remoteAddr = ""
        listenAddr = listen
        advertiseAddr = advertise
        dataPathAddr = ""
        defaultAddressPool = []
        subnetSize = 24
        dataPathPort = 4789
        joinInProgress = false
    }

    /// Docker's own encoding: its field order (Go's struct order, which JSONEncoder does not
    /// keep), no spaces, no trailing newline.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        func value(_ field: some Encodable) throws -> String { String(decoding: try encoder.encode(field), as: UTF8.self) }
        let fields: [(CodingKeys, String)] = [
            (.localAddr, try value(localAddr)), (.remoteAddr, try value(remoteAddr)),
            (.listenAddr, try value(listenAddr)), (.advertiseAddr, try value(advertiseAddr)),
            (.dataPathAddr, try value(dataPathAddr)), (.defaultAddressPool, try value(defaultAddressPool)),
            (.subnetSize, try value(subnetSize)), (.dataPathPort, try value(dataPathPort)),
            (.joinInProgress, try value(joinInProgress)),
        ]
        let body = fields.map { "\"\($0.0.rawValue)\":\($0.1)" }.joined(separator: ",")
        return Data("{\(body)}".utf8)
    }
}
