import Foundation

/// `Benchmarks/serve_cli_load.py` (real docker CLI clients writing through `swarmsafe serve`,
/// serve killed under them) and what it printed, read back. The script is the judge of the
/// folder — it knows every command the CLI saw succeed — and the tests of two targets assert
/// its verdict and figures, so the reading lives here once.
public struct ServeCLILoadReport: Sendable {
    public static let script: String = Fixtures.sourceDirectory.deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Benchmarks/serve_cli_load.py").path

    /// The script's arguments for a bounded run; `docker` is the CLI the clients run;
    /// `endKilled` leaves the folder as the last SIGKILL left it.
    public static func arguments(
        binary: String, stateDirectory: URL, docker: String, clients: Int, seconds: Int, killRounds: Int,
        rssCapMiB: Int, snapshotInterval: Int? = nil, endKilled: Bool = false, result: URL? = nil
    ) -> [String] {
        [
            script, "--bin", binary, "--state-dir", stateDirectory.path, "--docker", docker, "--clients", String(clients),
            "--seconds", String(seconds), "--kill-rounds", String(killRounds), "--max-rss-mib", String(rssCapMiB),
        ] + (snapshotInterval.map { ["--snapshot-interval", String($0)] } ?? []) + (endKilled ? ["--end-killed"] : [])
            + (result.map { ["--result", $0.path] } ?? [])
    }

    public let output: String

    public init(output: String) { self.output = output }

    /// Every problem found ended the run with a line of its own and no "ok".
    public var passed: Bool { lines.last == "ok" && !lines.contains { $0.hasPrefix("PROBLEM") } }

    /// Writes the docker CLI saw succeed during the timed load.
    public var acknowledged: Int? { number(after: "acknowledged writes: ", in: "commands: ") }
    /// Failures that were not Docker's own conflict answers, over the whole run.
    public var errors: Int? { number(after: "errors: ", in: "lost or wrong: ") }
    /// Objects the replay lacks or holds wrongly, over the whole run.
    public var lostOrWrong: Int? { number(after: "lost or wrong: ", in: "lost or wrong: ") }
    public var conflicts: Int? { number(after: "conflicts: ", in: "commands: ") }
    public var peakRSSMiB: Double? {
        line(startingWith: "server peak RSS: ").flatMap { Double($0.dropFirst("server peak RSS: ".count).prefix { $0 != " " }) }
    }
    /// Kill rounds that ran to their judgement.
    public var killRounds: Int { lines.filter { $0.hasPrefix("kill round ") && $0.contains("lost or wrong: ") }.count }
    /// Writes acknowledged before each kill.
    public var acknowledgedBeforeKills: [Int] {
        lines.filter { $0.hasPrefix("kill round ") }.compactMap { line in
            line.range(of: " s; ").flatMap { Int(line[$0.upperBound...].prefix { $0.isNumber }) }
        }
    }

    var lines: [String] { output.split(separator: "\n").map(String.init) }

    func line(startingWith prefix: String) -> String? { lines.first { $0.hasPrefix(prefix) } }

    func number(after label: String, in prefix: String) -> Int? {
        guard let line = line(startingWith: prefix), let range = line.range(of: label) else { return nil }
        return Int(line[range.upperBound...].prefix { $0.isNumber })
    }
}
