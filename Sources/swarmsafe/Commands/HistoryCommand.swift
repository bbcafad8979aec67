import ArgumentParser
import Foundation
import SwarmBackup
import SwarmHistory
import SwarmStore

struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Show a manager's raft log as a timeline: who created, changed or removed what, and when.",
        discussion: """
            Reads a state directory (--state-dir, default /var/lib/docker/swarm) or a backup \
            archive. The first line is the snapshot the log starts from, then one line per \
            store action or membership change, oldest first: index, term, time, action and \
            object, e.g.

              4213  t7  2026-11-23T09:12:44Z  remove service web (tr55luf2baqfdal0jc1pduujv)
              4220  t7  -                     add member 4f2a91c3d2e1b0a9 (node abc…, 10.0.0.2:2377)

            Times come from the objects' own metadata (updated_at, else created_at); an entry \
            that only removes objects or changes membership carries none ("-"). An entry \
            with several actions gives several lines. Empty entries written by a new leader \
            are left out unless --all.

            Undoing a `docker service rm web`: find the removal with \
            `swarmsafe history --kind service --name web`, note its index (4213), then \
            `swarmsafe recover --rewind-to 4212` (or `restore ARCHIVE --before-index 4213`) \
            with the daemon stopped. `swarmsafe diff` shows what such a rewind takes back.

            --name matches an object's name or ID; a service's name also matches its tasks \
            (named <service>.<slot> as `docker service ps` shows them), and a member's raft \
            or node ID. With --json, one JSON object per line.
            """
    )

    @Argument(help: ArgumentHelp("A backup archive to read instead of a state directory.", valueName: "archive"))
    var archive: String?

    @Option(name: .customLong("state-dir"), help: ArgumentHelp("The swarm state directory to read.", valueName: "dir"))
    var stateDir: String?

    @Option(help: ArgumentHelp(
        "Only this kind: \(HistoryFilter.kindNames.joined(separator: ", ")). Repeat for several.", valueName: "kind"))
    var kind: [String] = []

    @Option(help: ArgumentHelp("Only objects with this name or ID (a service's name includes its tasks).", valueName: "name"))
    var name: String?

    @Option(help: ArgumentHelp("First index to show.", valueName: "index")) var fromIndex: UInt64?
    @Option(help: ArgumentHelp("Last index to show.", valueName: "index")) var toIndex: UInt64?

    @Flag(help: "Also show empty leader entries (no-ops).") var all = false
    @Flag(help: "Print JSON Lines, one event per line.") var json = false

    @OptionGroup var decryption: DecryptionOptions
    @OptionGroup var unlock: UnlockKeyOptions

    func validate() throws {
        if archive != nil && stateDir != nil { throw ValidationError("Give an archive or --state-dir, not both.") }
        for kind in kind where !HistoryFilter.kindNames.contains(kind) {
            throw ValidationError("unknown kind '\(kind)'; one of \(HistoryFilter.kindNames.joined(separator: ", "))")
        }
        if let fromIndex, let toIndex, fromIndex > toIndex {
            throw ValidationError("--from-index \(fromIndex) is after --to-index \(toIndex)")
        }
    }

    func run() throws {
        let opened = try StateSource.open(
            archive ?? stateDir ?? "/var/lib/docker/swarm", key: try decryption.key(), unlockKey: try unlock.resolve(),
            replay: false)
        for warning in opened.node.warnings { Log.warning(warning) }
        guard let log = opened.node.raft else { return }
        let filter = HistoryFilter(
            kinds: kind.isEmpty ? nil : Set(kind), name: name, indexes: (fromIndex ?? 0)...(toIndex ?? UInt64.max),
            includeNoOps: all)
        var out = BufferedOutput()
        try Timeline(log: log).forEachEvent(filter) { event in
            out.line(json ? try event.jsonLine() : event.line)
        }
        out.flush()
    }
}
