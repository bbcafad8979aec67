import SwarmFormats

/// Keys the entries open their inputs with, so seeds made from the fixtures get past
/// decryption and the fuzzer reaches what lies behind it. None of them protects anything:
/// the unlock keys are the fixtures' own (their `expected.json`), the age identity was made
/// for these tests.
public enum FuzzKeys {
    public static let unlockKeys: [UnlockKey] = [
        "SWMKEY-1-DUEKhY12fUqBWFejof5Pq5FKHKXMmQiQo2RCYCVvOy8",  // autolock-3mgr
        "SWMKEY-1-v4SuabE+QiqbNU8+Lt0gBLJuGCaq0i9o/C2raHed970",  // fips-1mgr
        "SWMKEY-1-C/cVZ5rdn77HGWeSWCbL8fcy8uNPq139asFBitDcNS0",  // reference: fresh-init-autolock
    ].map { text in
        guard let key = try? UnlockKey(text: text) else { preconditionFailure("fixture unlock key does not parse") }
        return key
    }

    public static let ageIdentity: AgeX25519Identity = {
        guard let identity = try? AgeX25519Identity("AGE-SECRET-KEY-1E6SGDVZS9NTJT658UGACY0CUV9TVPZPME3SFZ50SRWTSVMTVQ5YSLTHSRZ") else {
            preconditionFailure("fuzz age identity does not parse")
        }
        return identity
    }()

    public static let agePassphrase = "swarmsafe-fuzz"
    /// scrypt's log2(N) for passphrase seeds and the most the entries accept: the product's
    /// default (22, 4 GiB) would make every passphrase input a hang and a huge allocation, and
    /// even 8 spent a third of each age execution in scrypt. The code path is the same for any N.
    public static let ageWorkFactor = 2
}
