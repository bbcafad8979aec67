/// Why an archive could not be read at all (as opposed to findings about its contents).
public enum VerifyError: Error, Sendable, CustomStringConvertible {
    case identityRequired(path: String)
    case decryption(path: String, reason: String)
    case unreadable(path: String, reason: String)

    public var description: String {
        switch self {
        case .identityRequired(let path):
            "\(path): the archive is age-encrypted; pass --identity FILE or --passphrase-file FILE"
        case .decryption(let path, let reason): "\(path): cannot decrypt: \(reason)"
        case .unreadable(let path, let reason): "\(path): not a readable swarmsafe archive: \(reason)"
        }
    }
}
