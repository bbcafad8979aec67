import ArgumentParser
import Foundation
import SwarmFormats
import SwarmConventions
import SwarmInit

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a new one-manager swarm state directory, as `docker swarm init` leaves it.",
        discussion: """
            Writes a brand-new manager's state directory offline: a root CA and this manager's \
            certificate, the node key with a fresh raft DEK, state.json, and a raft log holding \
            the cluster object (swarmkit's defaults), this node and the ingress network, and \
            docker-state.json, the start config dockerd needs to run swarm mode from the folder. The \
            directory must not exist or be empty; it is built under a temporary name and moved \
            into place only when complete.

            With --autolock the node key is encrypted and the unlock key is printed once, now. \
            With --fips the cluster ID starts with FIPS., join tokens are SWMTKN-2-1-… and raft \
            data is encrypted with Fernet.
            """
    )

    @Option(
        name: .customLong("state-dir"),
        help: ArgumentHelp("The state directory to create (must not exist, or be empty).", valueName: "dir"))
    var stateDir: String

    @Option(help: ArgumentHelp(
        "Address other managers reach this one at: IP[:PORT] (default port 2377). Default: this machine's only non-loopback IPv4 address.",
        valueName: "addr"))
    var advertiseAddr: String?

    @Option(help: ArgumentHelp(
        "Where swarm listens (docker-state.json's ListenAddr): IP[:PORT]. Default: 0.0.0.0 on the advertised port, as docker swarm init listens on every address.",
        valueName: "addr"))
    var listenAddr: String?

    @Option(help: ArgumentHelp("Hostname recorded in the node description. Default: this machine's hostname.", valueName: "name"))
    var hostname: String?

    @Flag(help: "Lock the swarm: encrypt the node key with a new unlock key, printed once.")
    var autolock = false

    @Flag(help: "Create a FIPS cluster (Fernet instead of secretbox, FIPS. cluster ID).")
    var fips = false

    @Flag(help: "Print the result as JSON.")
    var json = false

    func run() throws {
        let directory = StateDirectory(path: stateDir)
        // Refuse early, before making keys, so a mistaken path costs nothing.
        try SwarmInitializer.checkTarget(directory)
        let address = try advertiseAddr.map { text throws(AddressError) in try AdvertiseAddress(parsing: text) }
            ?? AdvertiseAddress.detect()
        let listen = try listenAddr.map { text throws(InitError) in try Self.listenAddress(text, advertised: address) }
        let options = try InitOptions(
            advertiseAddress: address, listenAddress: listen, autolock: autolock, fips: fips, hostname: hostname ?? InitOptions.localHostname())
        let plan = try SwarmInitPlan.generate(options: options, now: Date())
        try SwarmInitializer(plan: plan).write(to: directory)
        let report = InitReport(plan: plan, directory: directory)
        if json {
            print(try report.json())
        } else {
            print(report.text, terminator: "")
        }
    }

    /// A listen address without a port takes the advertised one.
    static func listenAddress(_ text: String, advertised: AdvertiseAddress) throws(InitError) -> AdvertiseAddress {
        do throws(AddressError) {
            let parsed = try AdvertiseAddress(parsing: text)
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            let hasPort = trimmed.hasPrefix("[") ? trimmed.contains("]:") : trimmed.filter { $0 == ":" }.count == 1
            return hasPort ? parsed : try AdvertiseAddress(ip: parsed.ip, port: advertised.port)
        } catch {
            guard case .invalidAdvertiseAddress(_, let reason) = error else { throw .address(error) }
            throw .invalidListenAddress(text, reason: reason)
        }
    }
}
