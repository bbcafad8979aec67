/// Reads one object from start to end in ranged requests of `chunkSize` bytes, so memory
/// stays flat for any object size. Every range is asked for with the ETag seen first
/// (If-Match): an object replaced while it is read fails the read instead of mixing two.
public final class S3ObjectReader {
    public let location: S3Location
    public let size: Int64
    public let etag: String
    public let chunkSize: Int
    private let client: S3Client
    private var chunk: [UInt8] = []
    private var consumed = 0
    private var offset: Int64 = 0

    public static let defaultChunkSize = 8 << 20

    public init(client: S3Client, location: S3Location, chunkSize: Int = S3ObjectReader.defaultChunkSize) throws(S3Error) {
        guard let info = try client.head(location) else { throw .noSuchKey(location: location.description) }
        self.client = client
        self.location = location
        self.size = info.size
        self.etag = info.etag
        self.chunkSize = max(1, chunkSize)
    }

    /// Fills `buffer` with the next bytes; 0 at the end.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(S3Error) -> Int {
        if consumed == chunk.count {
            guard offset < size else { return 0 }
            let last = min(size, offset + Int64(chunkSize)) - 1
            chunk = try client.get(location, range: offset...last, ifMatch: etag.isEmpty ? nil : etag)
            guard !chunk.isEmpty, Int64(chunk.count) == last - offset + 1 else {
                throw .malformedResponse(
                    location: location.description,
                    reason: "asked for bytes \(offset)-\(last), got \(chunk.count) bytes (the object changed or the server ignores ranges)")
            }
            offset = last + 1
            consumed = 0
        }
        let count = min(buffer.count, chunk.count - consumed)
        chunk.withUnsafeBytes { buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[consumed..<(consumed + count)])) }
        consumed += count
        return count
    }
}
