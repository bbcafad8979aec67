import BackgroundCalls
import FaultInjection
import Foundation
import S3Client

/// An archive uploaded to S3: a multipart upload to a staging key, completed, read back
/// from there, and only then copied to its final key (server-side) and the staging object
/// deleted. Until then no listing, prune or restore sees it; a killed run leaves only
/// staging objects or an unfinished upload, which the next backup removes.
final class S3ArchiveOutput: ArchiveOutput {
    let staging: S3Location
    let final: S3Location
    private let repository: S3BackupRepository
    private let upload: S3UploadStream
    private let lock: S3RepositoryLock?
    private var stored = false
    /// Whether the final key is taken, asked while the archive is read back.
    private var finalTaken: BackgroundCall<Bool, S3Error>?
    private var published = false

    init(repository: S3BackupRepository, name: BackupName, lock: S3RepositoryLock?) throws {
        self.repository = repository
        self.lock = lock
        staging = repository.stagingLocation(of: name)
        final = repository.location(of: name)
        upload = try S3UploadStream(client: repository.client, location: staging, partSize: repository.settings.partSize)
    }

    deinit {
        finalTaken?.wait()
        // Never published: only our own staging object, which must not linger.
        if stored && !published { try? repository.client.delete(staging) }
    }

    var bytesWritten: Int64 { upload.bytesWritten }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        let before = upload.partsSent
        try upload.write(bytes)
        for part in stride(from: before + 1, through: upload.partsSent, by: 1) { FaultPoint.reached("s3-part-sent", index: part) }
        try lock?.refreshIfDue()
    }

    func finishWriting() throws {
        try upload.finish()
        stored = true
        FaultPoint.reached("s3-upload-complete")
    }

    func readBack() throws -> any ArchiveByteSource {
        let (client, final) = (repository.client, final)
        finalTaken = BackgroundCall { () throws(S3Error) in try client.head(final) != nil }
        return try S3ObjectReader(client: client, location: staging)
    }

    func publish() throws {
        let taken = try finalTaken?.value() ?? (repository.client.head(final) != nil)
        guard !taken else { throw BackupError.archiveExists(path: final.description) }
        try repository.client.copy(staging, to: final)
        published = true
        FaultPoint.reached("s3-archive-copied")
        try repository.client.delete(staging)
    }
}
