import Foundation
import SwarmFormats

/// `state.json` (the managers a node dials) and `docker-state.json` (dockerd's saved start
/// configuration), read from a file as every loader does. What we read we also rewrite
/// (`recover` moves addresses), so a file we accept must survive our own writing unchanged.
enum StateFilesFuzz {
    static func runStateJSON(_ data: Data) -> FuzzOutcome {
        FuzzScratch.withFolder("state-json") { folder in
            let url = FuzzScratch.write(data, to: folder, name: "state.json")
            let managers: [KnownManager]
            do {
                managers = try StateJSON.read(url)
            } catch {
                return .rejected("\(error)")
            }
            let rewritten = FuzzScratch.write(StateJSON.encode(managers), to: folder, name: "state.json")
            let again = FuzzOutcome.of {
                let reread = try StateJSON.read(rewritten)
                precondition(reread == managers, "state.json reads back different once rewritten")
            }
            precondition(again.isAccepted, "state.json we wrote does not read back: \(again)")
            return .accepted
        }
    }

    static func runDockerStateJSON(_ data: Data) -> FuzzOutcome {
        FuzzScratch.withFolder("docker-state-json") { folder in
            let url = FuzzScratch.write(data, to: folder, name: "docker-state.json")
            let state: DockerStateJSON
            do {
                state = try DockerStateJSON.read(url)
            } catch {
                return .rejected("\(error)")
            }
            for key in ["LocalAddr", "RemoteAddr", "ListenAddr", "AdvertiseAddr", "DataPathAddr"] { _ = state[key] }
            let again = FuzzOutcome.of {
                // As `recover` rewrites it (AddressFiles).
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                let encoded = try encoder.encode(JSONValue.object(state.object))
                let reread = try DockerStateJSON.read(FuzzScratch.write(encoded, to: folder, name: "docker-state.json"))
                precondition(reread.object == state.object, "docker-state.json reads back different once rewritten")
            }
            precondition(again.isAccepted, "docker-state.json we wrote does not read back: \(again)")
            return .accepted
        }
    }
}
