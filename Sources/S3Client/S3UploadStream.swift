import BackgroundCalls
import Crypto
import NIOCore
import SigV4

/// Writes one object as a multipart upload, from bytes handed over in any sizes: each
/// `partSize` bytes become a part, sent while the next part fills, so memory holds at most
/// two parts whatever the object's size. Nothing is visible under the key until `finish()`
/// completes the upload; a stream dropped unfinished aborts it.
public final class S3UploadStream {
    public let location: S3Location
    public let partSize: Int
    private let client: S3Client
    /// The upload's ID, asked for while the first part fills: the archive's first bytes need
    /// not wait for that round trip.
    private let creation: BackgroundCall<String, S3Error>
    private var buffer = ByteBuffer()
    /// The SHA-256 of `buffer`, which the part's signature needs: hashed as it fills, the part
    /// goes out the moment it is full instead of after one more pass over 5 MiB.
    private var hasher = SHA256()
    private var etags: [String] = []
    private var inFlight: BackgroundCall<String, S3Error>?
    private var state: State = .open
    public private(set) var bytesWritten: Int64 = 0
    /// Parts handed to the server so far (the last one may still be in flight).
    public var partsSent: Int { etags.count + (inFlight == nil ? 0 : 1) }

    private enum State { case open, finished, aborted }

    /// S3's minimum (it refuses smaller parts but the last): two of them are in memory at most.
    public static let defaultPartSize = 5 << 20
    /// S3 allows at most this many parts.
    public static let maximumParts = 10_000

    public init(client: S3Client, location: S3Location, partSize: Int = S3UploadStream.defaultPartSize) throws(S3Error) {
        self.client = client
        self.location = location
        self.partSize = max(1, partSize)
        creation = BackgroundCall { () throws(S3Error) in try client.createMultipartUpload(location) }
    }

    deinit {
        if state == .open { abort() }
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws(S3Error) {
        var rest = bytes[...]
        while !rest.isEmpty {
            // Exactly one part's room: growing by writes would round up to a power of two.
            if buffer.capacity < partSize { buffer = ByteBufferAllocator().buffer(capacity: partSize) }
            let take = min(partSize - buffer.readableBytes, rest.count)
            let piece = UnsafeRawBufferPointer(rebasing: rest.prefix(take))
            buffer.writeBytes(piece)
            hasher.update(bufferPointer: piece)
            rest = rest.dropFirst(take)
            bytesWritten += Int64(take)
            if buffer.readableBytes == partSize { try send() }
        }
    }

    /// Sends what is left as the last part and completes the upload.
    public func finish() throws(S3Error) {
        guard state == .open else { return }
        do {
            if buffer.readableBytes > 0 || etags.isEmpty && inFlight == nil { try send() }
            try collect()
            buffer = ByteBuffer()
            try client.completeMultipartUpload(location, uploadID: try creation.value(), parts: etags)
            state = .finished
        } catch {
            abort()
            throw error
        }
    }

    /// Gives up: the parts sent so far are discarded by the server. Best effort: when the
    /// server cannot be reached, the next backup's cleanup aborts it.
    public func abort() {
        guard state == .open else { return }
        state = .aborted
        // Already failing: the part in flight is waited for so nothing uploads after the
        // abort, and its own error adds nothing to the one being reported.
        _ = try? collect()
        // An upload that was never begun has nothing to abort.
        guard let uploadID = try? creation.value() else { return }
        try? client.abortMultipartUpload(location, uploadID: uploadID)
    }

    /// Waits for the part in flight, then starts the buffered one on a worker thread. At most
    /// two parts are in memory: the one being sent and the one filling.
    private func send() throws(S3Error) {
        try collect()
        let number = etags.count + 1
        guard number <= Self.maximumParts else {
            throw .server(
                location: location.description, status: 400, code: "TooManyParts",
                message: "more than \(Self.maximumParts) parts of \(partSize) bytes; use a larger part size", attempts: 1)
        }
        let body = buffer
        let payloadHash = SigV4Signer.hex(hasher.finalize())
        let (client, location, uploadID) = (self.client, self.location, try creation.value())
        inFlight = BackgroundCall { () throws(S3Error) in
            try client.uploadPart(location, uploadID: uploadID, number: number, body: body, payloadHash: payloadHash)
        }
        // A new buffer for the next part: the one in flight is the request's body until sent.
        buffer = ByteBuffer()
        hasher = SHA256()
    }

    private func collect() throws(S3Error) {
        guard let part = inFlight else { return }
        inFlight = nil
        etags.append(try part.value())
    }
}
