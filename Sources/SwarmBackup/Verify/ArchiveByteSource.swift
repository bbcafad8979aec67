#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import S3Client
import SwarmFormats

/// The raw bytes of an archive, pulled front to back: a local file, or an object read in
/// ranges from S3 (never copied to a local file first).
public protocol ArchiveByteSource: AnyObject {
    /// The whole archive's size, for progress.
    var size: Int64 { get }
    /// Fills `buffer` with the next bytes; 0 at the end.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

/// How archives named `s3://BUCKET/KEY` are reached, and in what sizes they are moved.
public struct S3Settings: Sendable {
    public let configuration: S3Configuration
    /// Bytes per multipart-upload part (S3 refuses parts under 5 MiB but the last).
    public let partSize: Int

    public init(configuration: S3Configuration, partSize: Int = S3UploadStream.defaultPartSize) {
        self.configuration = configuration
        self.partSize = partSize
    }
}

extension S3Settings {
    /// `text` as an object or prefix to reach with `settings`: nil when it is not an `s3://`
    /// address (a local path), an error when it is one but malformed or no settings came.
    static func address(_ text: String, _ settings: S3Settings?) throws -> (location: S3Location, settings: S3Settings)? {
        guard S3Location.isS3(text) else { return nil }
        let location = try S3Location(parsing: text)
        guard let settings else { throw S3Error.invalidLocation(text, reason: "no S3 settings were given for it") }
        return (location, settings)
    }
}

public enum ArchiveSources {
    /// Whether the operator named an object in S3 rather than a local file.
    public static func isRemote(_ archive: String) -> Bool { S3Location.isS3(archive) }

    /// Opens the archive an operator named: `s3://BUCKET/KEY` through `s3`, anything else as
    /// a local file.
    public static func open(_ archive: String, s3: S3Settings?) throws -> any ArchiveByteSource {
        guard let (location, s3) = try S3Settings.address(archive, s3) else { return try FileByteSource(path: archive) }
        return try S3ObjectReader(client: S3Client(configuration: s3.configuration), location: location)
    }
}

final class FileByteSource: ArchiveByteSource {
    let path: String
    let size: Int64
    private let fd: Int32

    init(path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileAccessError(path: path, operation: "open", errno: errno) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let code = errno
            close(fd)
            throw FileAccessError(path: path, operation: "examine", errno: code)
        }
        self.fd = fd
        self.path = path
        size = Int64(info.st_size)
    }

    deinit { close(fd) }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if n < 0 {
                if errno == EINTR { continue }
                throw FileAccessError(path: path, operation: "read", errno: errno)
            }
            return n
        }
    }
}

extension S3ObjectReader: ArchiveByteSource {}
