import ArgumentParser
import SwarmRecovery

/// What `recover --force-new-cluster` and `restore --force-new-cluster` add to swarmkit's own
/// rescue.
struct RecoveryOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "The address this manager is reached at from now on (moving to a new host): the raft membership (rebuilt as a new snapshot, the only place swarmkit takes its own address from), the node object, state.json and docker-state.json all follow. Without a port, the current one is kept.",
        valueName: "ip[:port]"))
    var advertiseAddr: String?

    @Option(help: ArgumentHelp(
        "Where swarm listens on the new host (docker-state.json's ListenAddr). Default: the advertise address' port, on 0.0.0.0 if the old listen address was a wildcard, else on the new IP. Without a port, the advertise port.",
        valueName: "ip[:port]"))
    var listenAddr: String?

    @Flag(help: "Also remove the lost managers' node objects (blacklisting their certificates), so `docker node ls` shows no ghosts. They can only come back by joining anew.")
    var removeLostManagers = false

    var isRequested: Bool { advertiseAddr != nil || listenAddr != nil || removeLostManagers }

    func resolve() throws -> ForceNewClusterOptions {
        var options = ForceNewClusterOptions(removeLostManagers: removeLostManagers)
        if let advertiseAddr {
            do {
                options.advertiseAddress = try RequestedAddress(parsing: advertiseAddr)
            } catch {
                throw ValidationError("--advertise-addr: \(error)")
            }
        }
        if let listenAddr {
            guard advertiseAddr != nil else { throw ValidationError("--listen-addr goes with --advertise-addr.") }
            do {
                options.listenAddress = try RequestedAddress(parsing: listenAddr)
            } catch {
                throw ValidationError("--listen-addr: \(error)")
            }
        }
        return options
    }
}
