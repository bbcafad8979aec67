/// An AWS access key pair, with the session token of temporary credentials.
///
/// `description` never shows the secret or the token: credentials end up in error messages
/// and logs through string interpolation more easily than anyone intends.
public struct SigV4Credentials: Sendable, Equatable, CustomStringConvertible {
    public let accessKeyID: String
    public let secretAccessKey: String
    public let sessionToken: String?

    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }

    public var description: String {
        "access key \(accessKeyID)" + (sessionToken == nil ? "" : " (temporary)")
    }
}
