import Foundation
import SwarmTestSupport

/// What swarmkit's own decoder read from a fixture (`Tests/Fixtures/golden`), as the judge of
/// any folder that must hold the same cluster — a decrypted copy, a restored backup, a
/// recovered manager — instead of our reader's reading of the source.
enum GoldenReading {
    static let kinds = Fixtures.goldenKinds

    /// `id version name` of every object swarmkit's decoder listed, by kind.
    static func objects(_ scenario: String, _ node: String) throws -> [String: Set<String>] {
        let golden = try Fixtures.golden(scenario, node)
        var result: [String: Set<String>] = [:]
        for kind in kinds {
            result[kind] = Set((golden[kind] as? [[String: Any]] ?? []).map {
                "\($0["id"] ?? "") \($0["meta.version.index"] ?? "") \($0["spec.annotations.name"] ?? "")"
            })
        }
        return result
    }

    /// The same triples as `swarmsafe dump objects KIND` prints them for `folder`, in its order.
    static func dumped(_ folder: String, kind: String, keys: [String] = []) throws -> [String] {
        let result = try CLIRunner.run(["dump", "objects", kind, "--state-dir", folder] + keys)
        guard result.status == 0 else { throw Failure(folder: folder, stderr: result.stderr) }
        return result.lines.map { object -> String in
            let meta = object["meta"] as? [String: Any]
            let version = (meta?["version"] as? [String: Any])?["index"] as? String ?? ""
            let name = ((object["spec"] as? [String: Any])?["annotations"] as? [String: Any])?["name"] as? String
            return "\(object["id"] ?? "") \(version) \(name ?? "")"
        }
    }

    /// Every kind, as sets, to compare with `objects`.
    static func dumped(_ folder: String, keys: [String] = []) throws -> [String: Set<String>] {
        var result: [String: Set<String>] = [:]
        for kind in kinds { result[kind] = Set(try dumped(folder, kind: kind, keys: keys)) }
        return result
    }

    /// Every object swarmkit's decoder listed with every field it listed (`Fixtures.goldenObjects`).
    static func fields(_ scenario: String, _ node: String) throws -> [String: Set<String>] {
        try Fixtures.goldenObjects(scenario, node)
    }

    /// The same fields as `swarmsafe dump objects` prints them for `folder`, every kind.
    static func dumpedFields(_ folder: String, keys: [String] = []) throws -> [String: Set<String>] {
        var result: [String: Set<String>] = [:]
        for kind in kinds {
            let dump = try CLIRunner.run(["dump", "objects", kind, "--state-dir", folder] + keys)
            guard dump.status == 0 else { throw Failure(folder: folder, stderr: dump.stderr) }
            result[kind] = Set(dump.lines.map { Fixtures.goldenLine(kind, json: $0) })
        }
        return result
    }

    struct Failure: Error, CustomStringConvertible {
        let folder: String
        let stderr: String
        var description: String { "dump objects of \(folder) failed: \(stderr)" }
    }
}
