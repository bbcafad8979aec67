import ArgumentParser
import Foundation
import SwarmInspection
import SwarmNode

struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Describe a swarm node's state directory.",
        discussion: """
            Reads the certificates, the node key and, on a manager, the raft snapshot and log, \
            replays them, and prints who this node is, the raft state and membership, how many \
            objects of each kind the cluster holds, and how the raft data is encrypted. A \
            worker's folder (no raft/) is described too.

            --json prints a stable document for scripts: cluster_id, node_id, role, raft \
            {term, vote, commit, last_index, snapshot_index, members, removed}, objects, \
            encryption {algorithm, locked, pending_dek} and certificate.
            """
    )

    @OptionGroup var state: StateDirectoryOptions
    @OptionGroup var unlock: UnlockKeyOptions
    @Flag(help: "Print the report as JSON.") var json = false

    func run() throws {
        let node = try NodeLoader(unlockKey: unlock.resolve()).load(state.directory)
        let report = node.inspectReport()
        for warning in node.warnings { Log.warning(warning) }
        if json {
            print(try report.json())
        } else {
            print(InspectSummary(report: report).text, terminator: "")
        }
    }
}
