import ArgumentParser
import Foundation
import SwarmBackup
import SwarmHistory
import SwarmNode
import SwarmStore

struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Compare the objects of two manager states: folders, archives, or one log at two indexes.",
        discussion: """
            A and B are state directories or backup archives (an archive is unpacked into a \
            private temporary folder and checked against its manifest). Lists per kind the \
            objects B added, removed and changed relative to A, and for each change the \
            fields that differ, as `dump objects` renders them (secret payloads, CA keys and \
            join tokens redacted, never printed). An object whose only difference is its \
            meta (version, created/updated times) is not counted as changed.

            --at-index N takes A as it was right after entry N of its log (N between A's \
            snapshot index and its last index). Before undoing a `docker service rm web` \
            that `history` shows at index 4213:

              swarmsafe diff /var/lib/docker/swarm /var/lib/docker/swarm --at-index 4212

            lists everything that changed since, i.e. what `recover --rewind-to 4212` would \
            take back. Exit code 0 whether or not there are differences.
            """
    )

    @Argument(help: ArgumentHelp("The first state: a state directory or a backup archive.", valueName: "a"))
    var a: String

    @Argument(help: ArgumentHelp("The second state: a state directory or a backup archive.", valueName: "b"))
    var b: String

    @Option(help: ArgumentHelp("Take A as it was right after this log index.", valueName: "index"))
    var atIndex: UInt64?

    @Option(help: ArgumentHelp("Only this kind of object (\(ObjectKind.allCases.map(\.rawValue).joined(separator: ", "))).", valueName: "kind"))
    var kind: ObjectKind?

    @Flag(help: "Print the result as JSON.") var json = false

    @OptionGroup var decryption: DecryptionOptions
    @OptionGroup var unlock: UnlockKeyOptions

    func run() throws {
        let key = try decryption.key()
        let unlockKey = try unlock.resolve()
        let first = try StateSource.open(a, key: key, unlockKey: unlockKey, replay: false)
        let second = try StateSource.open(b, key: key, unlockKey: unlockKey, replay: false)
        let (storeA, indexA) = try state(first, at: atIndex)
        let (storeB, indexB) = try state(second, at: nil)
        let diff = try StoreDiff.compare(storeA, storeB, kinds: kind.map { [$0] } ?? ObjectKind.allCases)
        let report = DiffReport(
            a: DiffReport.Side(source: a, index: indexA), b: DiffReport.Side(source: b, index: indexB), diff: diff)
        if json {
            print(try report.json())
        } else {
            var out = BufferedOutput()
            for line in report.lines { out.line(line) }
            out.flush()
        }
    }

    private func state(_ opened: OpenedState, at index: UInt64?) throws -> (ObjectStore, UInt64) {
        for warning in opened.node.warnings { Log.warning(warning) }
        guard let log = opened.node.raft else { throw CommandError("\(opened.source): no raft log") }
        let index = index ?? log.lastIndex
        return (try opened.node.state(at: index, source: opened.source).store, index)
    }
}
