import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// One response's body, pulled by a blocking reader as it arrives. The connection is read
/// only while fewer than `limit` bytes wait here: memory stays bounded whatever the size of
/// the object, and the server streams it in one request instead of one per range.
final class S3ResponseStream: HTTPClientResponseDelegate, @unchecked Sendable {
    typealias Response = Void

    /// Bytes received and not yet taken before the connection is no longer read.
    static let limit = 1 << 20

    /// Everything below is guarded by `condition`.
    private let condition = NSCondition()
    private var head: HTTPResponseHead?
    private var parts = CircularBuffer<ByteBuffer>()
    private var queued = 0
    private var finished = false
    private var failure: (any Error)?
    /// Completed when the reader has taken enough that the connection may be read again.
    private var demand: EventLoopPromise<Void>?
    private var task: HTTPClient.Task<Void>?
    private var cancelled = false

    func start(_ task: HTTPClient.Task<Void>) {
        condition.withLock { self.task = task }
    }

    func didReceiveHead(task: HTTPClient.Task<Void>, _ head: HTTPResponseHead) -> EventLoopFuture<Void> {
        condition.withLock {
            self.head = head
            condition.broadcast()
        }
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didReceiveBodyPart(task: HTTPClient.Task<Void>, _ buffer: ByteBuffer) -> EventLoopFuture<Void> {
        condition.withLock {
            // Nobody will read it: let the transfer run into its cancellation.
            if cancelled { return task.eventLoop.makeSucceededVoidFuture() }
            parts.append(buffer)
            queued += buffer.readableBytes
            condition.broadcast()
            guard queued >= Self.limit else { return task.eventLoop.makeSucceededVoidFuture() }
            let promise = task.eventLoop.makePromise(of: Void.self)
            demand = promise
            return promise.futureResult
        }
    }

    func didReceiveError(task: HTTPClient.Task<Void>, _ error: any Error) {
        let waiting: EventLoopPromise<Void>? = condition.withLock {
            failure = error
            condition.broadcast()
            defer { demand = nil }
            return demand
        }
        waiting?.succeed(())
    }

    func didFinishRequest(task: HTTPClient.Task<Void>) throws {
        condition.withLock {
            finished = true
            condition.broadcast()
        }
    }

    /// Waits for the response's status line and headers.
    func waitForHead() throws -> HTTPResponseHead {
        try condition.withLock {
            while head == nil && failure == nil && !finished { condition.wait() }
            if let head { return head }
            throw failure ?? HTTPClientError.remoteConnectionClosed
        }
    }

    /// The next bytes of the body; nil once it has all arrived.
    func next() throws -> ByteBuffer? {
        let (part, resume): (ByteBuffer?, EventLoopPromise<Void>?) = try condition.withLock {
            while parts.isEmpty && failure == nil && !finished { condition.wait() }
            guard let part = parts.popFirst() else {
                if let failure { throw failure }
                return (nil, nil)
            }
            queued -= part.readableBytes
            guard queued < Self.limit, let waiting = demand else { return (part, nil) }
            demand = nil
            return (part, waiting)
        }
        // Outside the lock: the event loop may call back into this stream at once.
        resume?.succeed(())
        return part
    }

    /// Stops the transfer (a reader dropped before the end) and waits until it has stopped,
    /// so nothing arrives for a reader that is gone.
    func cancel() {
        let (task, waiting): (HTTPClient.Task<Void>?, EventLoopPromise<Void>?) = condition.withLock {
            cancelled = true
            parts.removeAll()
            defer { demand = nil }
            return (self.task, demand)
        }
        task?.cancel()
        waiting?.succeed(())
        _ = try? task?.wait()
    }
}
