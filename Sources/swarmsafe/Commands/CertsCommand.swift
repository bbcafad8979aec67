import ArgumentParser
import Foundation
import SwarmRecovery

struct CertsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "certs",
        abstract: "Node certificates, offline.",
        subcommands: [CertsRenewCommand.self]
    )
}

struct CertsRenewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "renew",
        abstract: "Reissue an expired (or expiring) manager certificate from the CA key in the raft store.",
        discussion: """
            A manager that was off longer than its certificate lasts (90 days by default) \
            cannot start: its certificate has expired and nobody is there to renew it. This \
            signs a new one offline with the root CA key the cluster keeps in its raft \
            store, as swarmkit's renew-certs tool does: same node ID, role, cluster and key, \
            a new validity (the cluster's node certificate expiry). The old certificate is \
            kept as swarm-node.crt.swarmsafe-old-<UTC time>.

            Refuses a certificate valid for more than 7 more days without --force, a \
            cluster with an external CA (no key in the store), and a folder a running \
            daemon holds. An autolocked swarm needs its unlock key (the CA key is in the \
            encrypted store).
            """
    )

    @OptionGroup var state: StateDirectoryOptions
    @OptionGroup var unlock: UnlockKeyOptions
    @Flag(help: "Renew even if the certificate is still valid for a while.") var force = false
    @Flag(help: "Check everything and print the new validity; write nothing.") var dryRun = false
    @Flag(help: "Print the result as JSON.") var json = false

    func run() throws {
        let result = try CertificateRenewal(directory: state.directory, unlockKey: try unlock.resolve(), force: force)
            .renew(dryRun: dryRun)
        let formatter = ISO8601DateFormatter()
        if json {
            print(try RenewReport(
                certificate: result.certificatePath, previousMovedTo: result.previousMovedTo, nodeID: result.nodeID,
                role: result.role, notBefore: formatter.string(from: result.notBefore),
                notAfter: formatter.string(from: result.notAfter),
                previousNotAfter: formatter.string(from: result.previousNotAfter), dryRun: result.dryRun
            ).json())
            return
        }
        print("""
            \(result.dryRun ? "would renew" : "renewed") \(result.certificatePath): node \(result.nodeID) (\(result.role)), \
            valid \(formatter.string(from: result.notBefore)) to \(formatter.string(from: result.notAfter)) \
            (was until \(formatter.string(from: result.previousNotAfter)))
            """)
        if let previous = result.previousMovedTo { print("the previous certificate is kept at \(previous)") }
    }
}

/// `certs renew --json`. Field names are a contract.
struct RenewReport: ReportJSON {
    let certificate: String
    @AlwaysPresent var previousMovedTo: String?
    let nodeID: String
    let role: String
    let notBefore: String
    let notAfter: String
    let previousNotAfter: String
    let dryRun: Bool

    enum CodingKeys: String, CodingKey {
        case certificate, role
        case previousMovedTo = "previous_moved_to"
        case nodeID = "node_id"
        case notBefore = "not_before"
        case notAfter = "not_after"
        case previousNotAfter = "previous_not_after"
        case dryRun = "dry_run"
    }
}
