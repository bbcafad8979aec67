import Foundation
import SwarmFormats
import SwarmProto
import SwarmStore

/// Every snapshot file of a raft directory checked the whole way: CRC and framing (as etcd
/// checks them), then payload decryption and decoding (as swarmkit needs them). etcd only
/// finds out a payload is bad after it has committed to that snapshot; a repair must know
/// before it picks one.
struct SnapshotSurvey {
    struct Good {
        let loaded: LoadedSnapshot
        /// The decrypted `api.Snapshot`.
        let payload: Data
    }

    struct Damaged {
        let name: SnapshotName
        let path: String
        let reason: String
        /// The payload failed to decrypt (as opposed to failing its CRC or decoding).
        let decryptFailed: Bool
    }

    /// Newest first, as etcd tries them.
    let good: [Good]
    let damaged: [Damaged]

    init(directory: URL, decrypter: any RaftPayloadDecrypter) throws {
        var good: [Good] = []
        var damaged: [Damaged] = []
        let reader = SnapshotReader(directory: directory)
        for name in try reader.snapshotNames().reversed() {
            let path = directory.appendingPathComponent(name.fileName).path
            switch Self.check(path: path, name: name, decrypter: decrypter) {
            case .success(let snapshot): good.append(snapshot)
            case .failure(let problem):
                damaged.append(Damaged(name: name, path: path, reason: problem.reason, decryptFailed: problem.decrypt))
            }
        }
        self.good = good
        self.damaged = damaged
    }

    struct Problem: Error {
        let reason: String
        var decrypt = false
    }

    static func check(path: String, name: SnapshotName, decrypter: any RaftPayloadDecrypter) -> Result<Good, Problem> {
        let loaded: LoadedSnapshot
        do {
            loaded = try SnapshotReader.load(path: path, name: name)
        } catch let error as SnapshotError {
            return .failure(Problem(reason: Self.reason(error)))
        } catch {
            return .failure(Problem(reason: "cannot be read: \(error)"))
        }
        let payload: Data
        do {
            payload = try decrypter.decrypt(loaded.snapshot.data)
        } catch {
            return .failure(Problem(reason: "payload does not decrypt: \(error)", decrypt: true))
        }
        do {
            let decoded = try SwarmRawSnapshot(serializedBytes: payload)
            guard decoded.version == .v0 else {
                return .failure(Problem(reason: "unknown snapshot version \(decoded.version.rawValue)"))
            }
            _ = try ObjectStore(snapshot: decoded.store)
        } catch {
            return .failure(Problem(reason: "payload does not decode: \(error)"))
        }
        return .success(Good(loaded: loaded, payload: payload))
    }

    /// The error without the path, which the finding carries separately.
    private static func reason(_ error: SnapshotError) -> String {
        let text = error.description
        switch error {
        case .empty(let path), .undecodable(let path, _), .crcMismatch(let path, _, _):
            return text.hasPrefix(path + ": ") ? String(text.dropFirst(path.count + 2)) : text
        }
    }
}
