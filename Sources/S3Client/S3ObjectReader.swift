import NIOCore
import NIOHTTP1

/// Reads one object from start to end in one streamed GET: the server sends it as fast as it
/// is consumed, and memory stays bounded (`S3ResponseStream.limit`) for any object size. A
/// transfer that breaks is resumed where it stopped with a ranged GET. Every request after
/// the first asks for the ETag the first one saw (If-Match): an object replaced while it is
/// read fails the read instead of mixing two.
public final class S3ObjectReader {
    public let location: S3Location
    public let size: Int64
    public let etag: String
    private let client: S3Client
    private var stream: S3ResponseStream?
    private var chunk = ByteBuffer()
    private var offset: Int64 = 0
    /// Transfers broken in a row without a byte received since; at most
    /// `configuration.attempts`, as for any request.
    private var breaks = 0

    public init(client: S3Client, location: S3Location) throws(S3Error) {
        self.client = client
        self.location = location
        let (stream, headers) = try client.openStream(location)
        guard let size = headers.first(name: "Content-Length").flatMap({ Int64($0) }), size >= 0 else {
            stream.cancel()
            throw .malformedResponse(location: location.description, reason: "no Content-Length in the answer to GET")
        }
        self.stream = stream
        self.size = size
        etag = headers.first(name: "ETag") ?? ""
    }

    deinit {
        stream?.cancel()
    }

    /// Fills `buffer` with the next bytes; 0 at the end.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(S3Error) -> Int {
        while chunk.readableBytes == 0 {
            guard offset < size else {
                stream?.cancel()
                stream = nil
                return 0
            }
            chunk = try nextChunk()
        }
        let count = min(buffer.count, chunk.readableBytes)
        chunk.withUnsafeReadableBytes { buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
        chunk.moveReaderIndex(forwardBy: count)
        offset += Int64(count)
        return count
    }

    /// The next bytes past `offset`, from the open transfer or, when it broke, from a new one
    /// that resumes there (which has retries of its own: its failure is final).
    private func nextChunk() throws(S3Error) -> ByteBuffer {
        while true {
            let current: S3ResponseStream
            if let stream { current = stream } else { current = try resume() }
            let failure: S3Error
            do {
                if let part = try current.next() {
                    breaks = 0
                    return part
                }
                failure = .malformedResponse(
                    location: location.description,
                    reason: "the object ended after \(offset) of \(size) bytes (it changed while it was read)")
            } catch {
                failure = client.transportFailure(error, named: location)
            }
            current.cancel()
            stream = nil
            breaks += 1
            guard failure.isTransient, breaks < client.configuration.attempts else { throw failure.counting(breaks) }
        }
    }

    /// A ranged GET of the rest of the object, as the first GET saw it.
    private func resume() throws(S3Error) -> S3ResponseStream {
        let (resumed, headers) = try client.openStream(location, from: offset, ifMatch: etag.isEmpty ? nil : etag)
        let expected = "bytes \(offset)-\(size - 1)/\(size)"
        guard headers.first(name: "Content-Range") == expected else {
            resumed.cancel()
            throw .malformedResponse(
                location: location.description,
                reason: "asked for bytes \(offset)-\(size - 1), got \(headers.first(name: "Content-Range") ?? "the whole object") (the object changed or the server ignores ranges)")
        }
        stream = resumed
        return resumed
    }
}
