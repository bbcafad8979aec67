import Foundation

/// What a command given `--json` prints on standard output when it refuses or fails, so a
/// script that parses standard output gets an answer either way: `{"ok": false, "error":
/// "<the one-line message>", "exit_code": N}`. The message still goes to standard error as
/// usual and the process exits with the same code. Field names are a contract.
struct JSONFailure: ReportJSON {
    let ok = false
    let error: String
    let exitCode: Int32

    init(_ error: Error) {
        self.error = SwarmSafe.summary(of: error)
        exitCode = SwarmSafe.status(for: error)
    }

    enum CodingKeys: String, CodingKey {
        case ok, error
        case exitCode = "exit_code"
    }

    /// Runs `body`; when it throws and `json` is set, the failure is printed as JSON first,
    /// then thrown on to the usual handling.
    static func reporting(json: Bool, _ body: () throws -> Void) throws {
        do {
            try body()
        } catch {
            if json, SwarmSafe.status(for: error) != 0, let text = try? JSONFailure(error).json() {
                print(text)
            }
            throw error
        }
    }
}
