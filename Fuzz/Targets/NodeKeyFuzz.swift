import Foundation
import SwarmFormats

/// The input is `swarm-node.key`: the PEM block, the DEK headers and the private key, as
/// `NodeKeyFile.parse` and `unlock` read them (without a key, then with each fixture key).
enum NodeKeyFuzz {
    static func run(_ data: Data) -> FuzzOutcome {
        let file: NodeKeyFile
        do {
            file = try NodeKeyFile.parse(data)
        } catch {
            return .rejected("\(error)")
        }
        roundTrip(file.block)
        _ = file.kekVersion
        _ = file.isLocked
        var outcome = FuzzOutcome.of { _ = try file.unlock(with: nil) }
        for key in FuzzKeys.unlockKeys where !outcome.isAccepted {
            outcome = FuzzOutcome.of {
                let keys = try file.unlock(with: key)
                _ = keys.raftCipher(fips: keys.dekAlgorithm == .fernet)
            }
        }
        return outcome
    }

    /// A block we read is one we can write back and read as the same block: key rotation and
    /// unlock-key changes rewrite this file from what was read.
    private static func roundTrip(_ block: PEMBlock) {
        let again: PEMBlock
        do {
            again = try PEMBlock.parse(block.encodedData(headerOrder: .asGiven))
        } catch {
            preconditionFailure("a parsed PEM block does not parse once written: \(error)")
        }
        precondition(again == block, "a parsed PEM block reads back different once written")
    }
}
