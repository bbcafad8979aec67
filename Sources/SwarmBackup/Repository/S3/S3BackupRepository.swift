import Foundation
import Logging
import S3Client

/// A backup repository under an S3 prefix: archives named by `BackupName` directly under
/// it, the lock object `.swarmsafe.lock` beside them, and unfinished uploads under
/// `.swarmsafe-partial/`, which no listing takes for a backup. Other objects are ignored,
/// never listed or removed.
public struct S3BackupRepository: Sendable, CustomStringConvertible {
    public let location: S3Location
    public let settings: S3Settings
    let client: S3Client

    static let stagingFolder = ".swarmsafe-partial"

    public init(location: S3Location, settings: S3Settings, logger: Logger = Logger(label: "swarmsafe.s3")) throws(S3Error) {
        self.location = S3Location(bucket: location.bucket, key: location.keyPrefix)
        self.settings = settings
        client = try S3Client(configuration: settings.configuration, logger: logger)
    }

    public var description: String { location.description }

    public func location(of name: BackupName) -> S3Location { location.appending(name.fileName) }

    /// The staging key of one run's upload of `name`.
    func stagingLocation(of name: BackupName) -> S3Location {
        location.appending("\(Self.stagingFolder)/\(name.fileName).\(UUID().uuidString.lowercased())")
    }

    var stagingPrefix: S3Location { location.appending("\(Self.stagingFolder)/") }

    /// Every object directly under the prefix whose name parses as a `BackupName`, oldest
    /// first.
    public func backups() throws(S3Error) -> [BackupListing] {
        try client.list(location).compactMap { object in
            guard let name = BackupName(fileName: object.location.lastComponent), object.location == self.location(of: name) else {
                return nil
            }
            return BackupListing(name: name, path: object.location.description, size: object.size)
        }.sorted { $0.name < $1.name }
    }

    /// Deletes each archive. S3 answers a delete of a missing key with success, so each is
    /// looked up first to report what was already gone.
    public func remove(_ names: [BackupName]) throws(S3Error) -> RemovalReport {
        var report = RemovalReport()
        for name in names {
            let object = location(of: name)
            guard try client.head(object) != nil else {
                report.alreadyMissing.append(name)
                continue
            }
            try client.delete(object)
            report.removed.append(name)
        }
        return report
    }

    public func lock(clock: @escaping @Sendable () -> Date = Date.init) throws -> S3RepositoryLock {
        try S3RepositoryLock(repository: self, clock: clock)
    }

    /// Removes the staging objects and aborts the unfinished uploads of killed runs. Only
    /// call it while holding the lock: then no other run is writing one.
    public func removeAbandonedUploads() throws(S3Error) -> [String] {
        var removed: [String] = []
        for object in try client.list(stagingPrefix, delimited: false) {
            try client.delete(object.location)
            removed.append(object.location.description)
        }
        for upload in try client.pendingUploads(stagingPrefix) {
            try client.abortMultipartUpload(upload.location, uploadID: upload.uploadID)
            removed.append("\(upload.location) (unfinished upload)")
        }
        return removed
    }
}

/// The S3 side of `backup`.
struct S3Destination: BackupDestination {
    let repository: S3BackupRepository

    var description: String { repository.description }

    func open(logger: Logger) throws -> any RepositoryLease {
        let lock = try repository.lock()
        do {
            for leftover in try repository.removeAbandonedUploads() {
                logger.notice("removed the unfinished upload of a backup that was killed", metadata: ["object": "\(leftover)"])
            }
        } catch {
            lock.release()
            throw error
        }
        return lock
    }

    func beginOpening(logger: Logger) throws -> PendingLease {
        PendingLease(taking: { try open(logger: logger) })
    }

    func finalLocation(of name: BackupName) -> String { repository.location(of: name).description }

    func exists(_ name: BackupName) throws -> Bool {
        try repository.client.head(repository.location(of: name)) != nil
    }

    func makeOutput(for name: BackupName, lease: any RepositoryLease) throws -> any ArchiveOutput {
        try S3ArchiveOutput(repository: repository, name: name, lock: lease as? S3RepositoryLock)
    }
}
