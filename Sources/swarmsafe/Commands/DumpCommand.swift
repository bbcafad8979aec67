import ArgumentParser
import Foundation
import SwarmInspection
import SwarmNode
import SwarmProto
import SwarmStore

struct DumpCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dump",
        abstract: "Print the objects, the log or the snapshot of a manager as JSON.",
        discussion: """
            Output is JSON (one document per line for objects and log entries) in protobuf's \
            canonical JSON mapping. Secret payloads, CA private keys, unlock keys, network \
            encryption keys and join tokens print as "<redacted>" unless --reveal-secrets.
            """,
        subcommands: [DumpObjects.self, DumpWAL.self, DumpSnapshot.self]
    )
}

struct DumpSecretsOptions: ParsableArguments {
    @Flag(help: "Print secret material instead of \"<redacted>\".") var revealSecrets = false
    var redaction: Redaction { Redaction(reveal: revealSecrets) }
}

struct DumpObjects: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "objects",
        abstract: "Print the store's objects as JSON Lines, after replaying snapshot and log.",
        discussion: "KIND is one of \(ObjectKind.allCases.map(\.rawValue).joined(separator: ", ")); all kinds when omitted."
    )

    @Argument(help: ArgumentHelp("Only objects of this kind.", valueName: "kind"))
    var kind: ObjectKind?

    @OptionGroup var state: StateDirectoryOptions
    @OptionGroup var unlock: UnlockKeyOptions
    @OptionGroup var secrets: DumpSecretsOptions

    func run() throws {
        let node = try NodeLoader(unlockKey: unlock.resolve()).loadManager(state.directory)
        for warning in node.warnings { Log.warning(warning) }
        guard let cluster = node.cluster else { return }
        let encoder = ObjectJSON(redaction: secrets.redaction)
        var out = BufferedOutput()
        for kind in kind.map({ [$0] }) ?? ObjectKind.allCases {
            for object in cluster.store.objects(kind) {
                out.line(try encoder.line(object.decoded()))
            }
        }
        out.flush()
    }
}

extension ObjectKind: ExpressibleByArgument {}

struct DumpWAL: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wal",
        abstract: "Print each log entry after the snapshot as a JSON line.",
        discussion: """
            Each line holds the entry's index, term and type, and either the decoded store \
            request (its actions and objects) or the decoded conf change with its member.
            """
    )

    @Option(help: ArgumentHelp("First index to print.", valueName: "index")) var from: UInt64?
    @Option(help: ArgumentHelp("Last index to print.", valueName: "index")) var to: UInt64?
    @OptionGroup var state: StateDirectoryOptions
    @OptionGroup var unlock: UnlockKeyOptions
    @OptionGroup var secrets: DumpSecretsOptions

    func validate() throws {
        if let from, let to, from > to { throw ValidationError("--from \(from) is after --to \(to)") }
    }

    func run() throws {
        let node = try NodeLoader(unlockKey: unlock.resolve()).loadManager(state.directory, replay: false)
        for warning in node.warnings { Log.warning(warning) }
        guard let log = node.raft else { return }
        let describer = EntryJSON(redaction: secrets.redaction)
        var out = BufferedOutput()
        try log.forEachEntry(in: (from ?? 0)...(to ?? UInt64.max)) { entry in
            out.line(try describer.line(entry))
        }
        out.flush()
    }
}

struct DumpSnapshot: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot",
        abstract: "Print the snapshot the manager would start from: metadata, members, removed and object counts."
    )

    @OptionGroup var state: StateDirectoryOptions
    @OptionGroup var unlock: UnlockKeyOptions

    func run() throws {
        let node = try NodeLoader(unlockKey: unlock.resolve()).loadManager(state.directory, replay: false)
        for warning in node.warnings { Log.warning(warning) }
        guard let log = node.raft, let report = try SnapshotReport(log: log) else {
            throw CommandError("\(state.directory.path): no snapshot: the log starts at index 1")
        }
        print(try report.json())
    }
}

/// Collects output lines and writes them in large blocks: dumps of big clusters print
/// tens of thousands of lines.
struct BufferedOutput {
    private var buffer = Data()

    mutating func line(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        buffer.append(0x0A)
        if buffer.count >= 1 << 16 { flush() }
    }

    mutating func flush() {
        guard !buffer.isEmpty else { return }
        FileHandle.standardOutput.write(buffer)
        buffer.removeAll(keepingCapacity: true)
    }
}
