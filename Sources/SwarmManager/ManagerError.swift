import Foundation

/// Why the embedded manager will not boot or refuses a request.
public enum ManagerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The membership still has other voters: a lone manager can't be their leader without
    /// breaking raft's quorum rule, and booting it anyway would fork the cluster.
    case otherVoters(path: String, voters: [String])
    /// The node key is encrypted and no unlock key was given.
    case locked
    /// The manager was started read-only.
    case readOnly
    /// The manager was stopped, or an earlier write failed half-way; it accepts no more writes.
    case stopped(reason: String)
    /// Another service already publishes this port on the ingress network.
    case portInUse(port: UInt32, service: String, serviceID: String)
    /// A change of the cluster's unlock key was committed, but the node key file could not be
    /// written under the new key.
    case nodeKeyNotFollowed(path: String, reason: String)

    public var description: String {
        switch self {
        case .otherVoters(let path, let voters):
            "\(path): the cluster still has other voting managers (\(voters.joined(separator: ", "))); "
                + "a single embedded manager cannot lead them. Run `swarmsafe recover --force-new-cluster` on a copy first"
        case .locked:
            "Swarm is encrypted and needs to be unlocked before it can be used. Please use \"docker swarm unlock\" to unlock it."
        case .readOnly: "the embedded manager was started with --read-only; writes are refused"
        case .stopped(let reason): "the manager accepts no more writes: \(reason)"
        case .portInUse(let port, let service, let id):
            "port '\(port)' is already in use by service '\(service)' (\(id)) as an ingress port"
        case .nodeKeyNotFollowed(let path, let reason):
            "the swarm was updated, but \(path) could not be re-encrypted (\(reason)): it still opens with the "
                + "previous unlock key (or none, if autolock was off) until a later `docker swarm update` re-encrypts it"
        }
    }
}
