import ArgumentParser
import Foundation
import SwarmFormats
import SwarmNode
import SwarmStore

struct DecryptCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decrypt",
        abstract: "Write a copy of a manager's state directory with its raft data decrypted.",
        discussion: """
            The copy holds the raft data in swarmkit's unencrypted layout (raft/wal and \
            raft/snap, the folders swarm-rafttool reads): the newest snapshot and every \
            entry after it, payloads in the clear, the hard state unchanged. Certificates, the \
            node key and state.json are copied unchanged. swarmkit re-encrypts such a folder \
            when it starts on it.

            The source is only read. The output must not exist (or be an empty directory); it \
            is built under a temporary name and renamed into place when complete. It contains \
            the swarm's secrets in the clear: keep it as private as the original.
            """
    )

    @OptionGroup var state: StateDirectoryOptions

    @Option(
        name: [.customShort("o"), .long],
        help: ArgumentHelp("The folder to create (must not exist, or be empty).", valueName: "dir"))
    var output: String

    @OptionGroup var unlock: UnlockKeyOptions

    @Flag(help: "Print the result as JSON.") var json = false

    func run() throws {
        let node = try NodeLoader(unlockKey: unlock.resolve()).loadManager(state.directory, replay: false)
        for warning in node.warnings { Log.warning(warning) }
        let summary = try StateDecryptor(node: node).write(to: StateDirectory(path: output))
        if json {
            print(try DecryptReport(summary).json())
        } else {
            let snapshot = summary.snapshotIndex.map { "snapshot at index \($0) (term \(summary.snapshotTerm ?? 0)), " } ?? "no snapshot, "
            print("""
                wrote \(summary.target): raft/\(summary.layout.walDirectoryName) + raft/\(summary.layout.snapshotDirectoryName), \
                \(snapshot)\(summary.entries) entries, commit \(summary.hardState.commit)
                the raft data in it is NOT encrypted: it holds the swarm's secrets in the clear
                """)
        }
        for path in summary.skipped { Log.warning("\(path): not a file, folder or symlink; not copied") }
    }
}

/// `decrypt --json`: where the copy is and what its log holds. Raft IDs in hex, as
/// `inspect` prints them.
private struct DecryptReport: ReportJSON {

    let output: String
    let walDirectory: String
    let snapshotDirectory: String
    let snapshotIndex: UInt64?
    let snapshotTerm: UInt64?
    let entries: Int
    let hardState: HardStateJSON
    let encrypted: Bool

    init(_ summary: StateRewriter.Summary) {
        output = summary.target
        walDirectory = "raft/" + summary.layout.walDirectoryName
        snapshotDirectory = "raft/" + summary.layout.snapshotDirectoryName
        snapshotIndex = summary.snapshotIndex
        snapshotTerm = summary.snapshotTerm
        entries = summary.entries
        hardState = HardStateJSON(summary.hardState)
        encrypted = summary.layout.isEncrypted
    }

    enum CodingKeys: String, CodingKey {
        case output, entries, encrypted
        case walDirectory = "wal_directory"
        case snapshotDirectory = "snapshot_directory"
        case snapshotIndex = "snapshot_index"
        case snapshotTerm = "snapshot_term"
        case hardState = "hard_state"
    }
}
