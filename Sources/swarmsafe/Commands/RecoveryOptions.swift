import ArgumentParser
import SwarmRecovery

/// What `recover --force-new-cluster` and `restore --force-new-cluster` add to swarmkit's own
/// rescue.
struct RecoveryOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "The address this manager is reached at from now on (moving to a new host): the raft member, the node object, state.json and docker-state.json all follow. Without a port, the current one is kept.",
        valueName: "ip[:port]"))
    var advertiseAddr: String?

    @Flag(help: "Also remove the lost managers' node objects (blacklisting their certificates), so `docker node ls` shows no ghosts. They can only come back by joining anew.")
    var removeLostManagers = false

    var isRequested: Bool { advertiseAddr != nil || removeLostManagers }

    func resolve() throws -> ForceNewClusterOptions {
        var options = ForceNewClusterOptions(removeLostManagers: removeLostManagers)
        if let advertiseAddr {
            do {
                options.advertiseAddress = try RequestedAddress(parsing: advertiseAddr)
            } catch {
                throw ValidationError("--advertise-addr: \(error)")
            }
        }
        return options
    }
}
