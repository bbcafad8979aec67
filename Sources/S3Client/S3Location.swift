/// `s3://BUCKET[/KEY-OR-PREFIX]`, as the AWS CLI writes it.
public struct S3Location: Sendable, Hashable, CustomStringConvertible {
    public let bucket: String
    /// The key (or key prefix) within the bucket, without a leading '/'; may be empty.
    public let key: String

    public init(bucket: String, key: String) {
        self.bucket = bucket
        self.key = key
    }

    /// Whether `text` is meant as an S3 address (so a folder named like one is never taken
    /// for a bucket by accident, and a typo in one is never taken for a folder).
    public static func isS3(_ text: String) -> Bool { text.hasPrefix("s3://") }

    /// Parses `s3://BUCKET[/KEY]`; the bucket name must be one S3 accepts.
    public init(parsing text: String) throws(S3Error) {
        guard Self.isS3(text) else { throw .invalidLocation(text, reason: "does not start with s3://") }
        let rest = text.dropFirst("s3://".count)
        let bucket = rest.prefix { $0 != "/" }
        guard Self.isValidBucket(String(bucket)) else {
            throw .invalidLocation(
                text, reason: "'\(bucket)' is not a valid bucket name (3-63 characters: lower-case letters, digits, '.' and '-')")
        }
        var key = rest.dropFirst(bucket.count)
        while key.hasPrefix("/") { key = key.dropFirst() }
        self.bucket = String(bucket)
        self.key = String(key)
    }

    /// This location with `name` appended as one more path component of the key.
    public func appending(_ name: String) -> S3Location {
        S3Location(bucket: bucket, key: keyPrefix + name)
    }

    /// The key as a folder-like prefix: empty, or ending in '/'.
    public var keyPrefix: String {
        key.isEmpty || key.hasSuffix("/") ? key : key + "/"
    }

    /// The last component of the key.
    public var lastComponent: String {
        String(key.split(separator: "/").last ?? "")
    }

    public var description: String { key.isEmpty ? "s3://\(bucket)" : "s3://\(bucket)/\(key)" }

    static func isValidBucket(_ name: String) -> Bool {
        guard (3...63).contains(name.count) else { return false }
        let allowed = name.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "." || $0 == "-"
        }
        guard allowed, let first = name.unicodeScalars.first, let last = name.unicodeScalars.last else { return false }
        return first != "." && first != "-" && last != "." && last != "-" && !name.contains("..")
    }
}
