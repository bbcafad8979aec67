import Foundation
import SwarmFormats

/// The input is an age file (header, MAC, payload stream), opened with the fuzz identity and
/// with the fuzz passphrase, in one piece and fed in small pieces as archives are streamed.
/// No encrypt/decrypt round trip of the input as plaintext: encryption branches on nothing but
/// the length, which `AgeFormatTests` covers at every chunk boundary, and its ephemeral X25519
/// key made each execution three times slower (BoringSSL is instrumented too).
enum AgeFuzz {
    static func run(_ data: Data) -> FuzzOutcome {
        let identity = AgeDecryptionKey.identities([FuzzKeys.ageIdentity])
        let passphrase = AgeDecryptionKey.passphrase(FuzzKeys.agePassphrase, maxWorkFactor: FuzzKeys.ageWorkFactor)
        var opened: Data?
        let whole = FuzzOutcome.of { opened = try Age.decrypt(data, with: identity) }
        let byPassphrase = FuzzOutcome.of { opened = try Age.decrypt(data, with: passphrase) }
        precondition(!(whole.isAccepted && byPassphrase.isAccepted), "one file opened by an identity and by a passphrase")
        let key = whole.isAccepted ? identity : passphrase
        var streamed = Data()
        let pieces = FuzzOutcome.of {
            let decryptor = AgeDecryptor(with: key) { streamed.append($0) }
            var offset = 0
            while offset < data.count {
                let end = min(data.count, offset + 777)
                try decryptor.write(data.subdata(in: offset..<end))
                offset = end
            }
            try decryptor.finish()
        }
        let outcome = whole.isAccepted ? whole : byPassphrase
        precondition(pieces.isAccepted == outcome.isAccepted, "age file opens whole (\(outcome)) but not in pieces (\(pieces)), or the reverse")
        if let opened, pieces.isAccepted {
            precondition(streamed == opened, "age file decrypts to different bytes in pieces")
        }
        return outcome
    }
}
