import Foundation
import SwarmFormats
import SwarmProto
import SwarmStore

/// An entry the WAL stores intact whose payload swarmkit could not use.
struct UnusableEntry {
    let index: UInt64
    let position: WALPosition
    let reason: String
    let decryptFailed: Bool
}

/// Decrypts and decodes every entry as replay will, stopping at the first that fails: the
/// WAL's CRC only proves the bytes are what was written, not that they open with this node's
/// key or hold a request swarmkit can apply.
enum EntryCheck {
    struct Outcome {
        let firstUnusable: UnusableEntry?
        /// Entries whose payload decrypted, to tell damage from a wrong key.
        let decrypted: Int
    }

    private struct Stop: Error {
        let entry: UnusableEntry
    }

    static func run(_ wal: WALContents, decrypter: any RaftPayloadDecrypter) throws -> Outcome {
        var decrypted = 0
        do {
            try wal.forEachEntry { stored, entry in
                if let reason = problem(entry, decrypter: decrypter, decrypted: &decrypted) {
                    throw Stop(entry: UnusableEntry(
                        index: stored.index, position: stored.position, reason: reason.text, decryptFailed: reason.decrypt))
                }
            }
        } catch let stop as Stop {
            return Outcome(firstUnusable: stop.entry, decrypted: decrypted)
        }
        return Outcome(firstUnusable: nil, decrypted: decrypted)
    }

    /// Why `entry` cannot be applied, or nil. Mirrors what replay refuses: a payload that
    /// does not decrypt, a request or conf change that does not decode, an object whose
    /// header does not decode.
    private static func problem(
        _ entry: RaftEntry, decrypter: any RaftPayloadDecrypter, decrypted: inout Int
    ) -> (text: String, decrypt: Bool)? {
        // Leader no-ops may carry no data at all.
        guard !entry.data.isEmpty else { return nil }
        let payload: Data
        do {
            payload = try decrypter.decrypt(entry.data)
        } catch {
            return ("payload does not decrypt: \(error)", true)
        }
        decrypted += 1
        switch entry.type {
        case .entryNormal:
            guard !payload.isEmpty else { return nil }
            guard let request = try? SwarmRawInternalRaftRequest(serializedBytes: payload) else {
                return ("request does not decode", false)
            }
            for action in request.action {
                guard let target = action.target else { continue }
                let (kind, bytes) = target.kindAndBytes
                if (try? StoredObject(kind: kind, bytes: bytes)) == nil {
                    return ("\(kind.rawValue) object does not decode", false)
                }
            }
        case .entryConfChange:
            if (try? RaftConfChange(serializedBytes: payload)) == nil { return ("conf change does not decode", false) }
        default:
            break
        }
        return nil
    }
}
