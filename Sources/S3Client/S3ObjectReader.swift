import NIOCore

/// Reads one object from start to end in ranged requests of `chunkSize` bytes, the next range
/// fetched while the current one is consumed, so memory stays flat (two ranges) for any object
/// size. Every range is asked for with the ETag seen first (If-Match): an object replaced while
/// it is read fails the read instead of mixing two.
public final class S3ObjectReader {
    public let location: S3Location
    public let size: Int64
    public let etag: String
    public let chunkSize: Int
    private let client: S3Client
    private var chunk = ByteBuffer()
    private var offset: Int64 = 0
    private var next: PendingRange?

    public static let defaultChunkSize = 4 << 20

    public init(client: S3Client, location: S3Location, chunkSize: Int = S3ObjectReader.defaultChunkSize) throws(S3Error) {
        guard let info = try client.head(location) else { throw .noSuchKey(location: location.description) }
        self.client = client
        self.location = location
        self.size = info.size
        self.etag = info.etag
        self.chunkSize = max(1, chunkSize)
    }

    deinit {
        next?.call.wait()
    }

    /// Fills `buffer` with the next bytes; 0 at the end.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(S3Error) -> Int {
        if chunk.readableBytes == 0 {
            guard let range = next ?? fetch(from: offset) else { return 0 }
            next = nil
            chunk = try range.call.value()
            guard chunk.readableBytes == range.count else {
                throw .malformedResponse(
                    location: location.description,
                    reason: "asked for bytes \(range.start)-\(range.start + Int64(range.count) - 1), got \(chunk.readableBytes) bytes (the object changed or the server ignores ranges)")
            }
            offset = range.start + Int64(range.count)
            next = fetch(from: offset)
        }
        let count = min(buffer.count, chunk.readableBytes)
        chunk.withUnsafeReadableBytes { buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
        chunk.moveReaderIndex(forwardBy: count)
        return count
    }

    /// One range being fetched.
    private struct PendingRange {
        let start: Int64
        let count: Int
        let call: BackgroundCall<ByteBuffer>
    }

    /// Starts fetching the range at `start` on a worker thread; nil past the end.
    private func fetch(from start: Int64) -> PendingRange? {
        guard start < size else { return nil }
        let last = min(size, start + Int64(chunkSize)) - 1
        let (client, location, ifMatch) = (self.client, self.location, etag.isEmpty ? nil : etag)
        return PendingRange(start: start, count: Int(last - start + 1), call: BackgroundCall { () throws(S3Error) in
            try client.getBuffer(location, range: start...last, ifMatch: ifMatch)
        })
    }
}
