import Dispatch
import Foundation
import NIOCore
import StreamingJSON
import SwarmManager
import SwarmProto
import SwarmStore
import Synchronization

extension EngineAPI {
    /// `GET /services` as the JSON body itself: each service rendered once per version and
    /// kept in the render cache, the status counts (once per commit) spliced in; the whole
    /// answer kept until the store or the question changes.
    public func servicesJSON(filters: EngineFilters, status: Bool) throws -> ByteBuffer {
        try filters.validate(accepted: Self.serviceFilters)
        let view = try view()
        return try renderCache.serviceList(.init(commitIndex: view.commitIndex, filters: filters, status: status)) {
            try servicesJSON(view, filters: filters, status: status)
        }
    }

    private func servicesJSON(_ view: ManagerView, filters: EngineFilters, status: Bool) throws -> ByteBuffer {
        let counter = status ? try statusCounter(view) : nil
        renderCache.prune(to: view.store, kind: .service)
        // The store lists objects in ID order, the order Docker answers in. On a big swarm the
        // list is megabytes: a part of it is written on each core, then the parts are joined.
        let services = view.store.objects(.service)
        let lanes = max(1, min(ProcessInfo.processInfo.activeProcessorCount, services.count / 256))
        let parts = Mutex<[Int: Result<ByteBuffer, any Error>]>([:])
        DispatchQueue.concurrentPerform(iterations: lanes) { lane in
            let range = lane * services.count / lanes..<(lane + 1) * services.count / lanes
            let part = Result { try listed(services[range], view: view, filters: filters, counter: counter) }
            parts.withLock { $0[lane] = part }
        }
        var body = ByteBuffer()
        body.reserveCapacity(services.count * 2048)
        body.writeInteger(UInt8(ascii: "["))
        let written = parts.withLock { $0 }
        for lane in 0..<lanes {
            guard var part = try written[lane]?.get(), part.readableBytes > 0 else { continue }
            if body.readableBytes > 1 { body.writeInteger(UInt8(ascii: ",")) }
            body.writeBuffer(&part)
        }
        body.writeString("]\n")
        return body
    }

    /// The services of `services` that the filters let through, as comma-separated elements
    /// of the list.
    private func listed(
        _ services: ArraySlice<StoredObject>, view: ManagerView, filters: EngineFilters, counter: ServiceStatusCounter?
    ) throws -> ByteBuffer {
        let runtimes = filters["runtime"].isEmpty ? ["container"] : filters["runtime"]
        var body = ByteBuffer()
        body.reserveCapacity(services.count * 2048)
        for stored in services {
            let (object, json) = try renderCache.json(stored, decoded: view.decoded, render: Self.renderListed)
            guard case .service(let service) = object,
                filters.matchesID(service.id), filters.matchesName(service.spec.annotations.name),
                filters.matchesLabels(service.spec.annotations.labels),
                filters.matchesExactly("mode", Self.modeName(service.spec)),
                runtimes.contains(Self.runtimeName(service.spec.task))
            else { continue }
            if body.readableBytes > 0 { body.writeInteger(UInt8(ascii: ",")) }
            try json.withUnsafeBytes { rendered in
                guard let counter, rendered.last == UInt8(ascii: "}") else {
                    body.writeBytes(rendered)
                    return
                }
                // The cached object without its closing brace, then the status and the brace.
                body.writeBytes(UnsafeRawBufferPointer(rebasing: rendered.dropLast()))
                body.writeString(#","ServiceStatus":"#)
                var status = JSONWriter()
                try status.write(counter.status(of: service))
                body.writeBytes(status.bytes)
                body.writeInteger(UInt8(ascii: "}"))
            }
        }
        return body
    }

    private func statusCounter(_ view: ManagerView) throws -> ServiceStatusCounter {
        try renderCache.statusCounter(at: view.commitIndex) {
            try ServiceStatusCounter(tasks: view.store.unorderedObjects(.task), nodes: try view.nodes(), selfNodeID: view.selfNodeID)
        }
    }

    /// A service as `GET /services` lists it, before its status counts.
    private static func renderListed(_ object: StoreObject) throws -> Data {
        guard case .service(let service) = object else { return Data() }
        var json = JSONWriter(capacity: 2048)
        try json.write(EngineService(service))
        return Data(json.bytes)
    }
}

extension EngineAPI {
    /// Starts `warmUp()` on a thread of its own and returns: the server can take connections
    /// meanwhile, and a service list asked for before it is done waits for it
    /// (`untilWarm()`), so a client started beside the server is answered as soon as it can be.
    public func startWarmUp() {
        warmUpGate.begin()
        Thread.detachNewThread {
            warmUp()
            warmUpGate.finish()
        }
    }

    /// Returns once no warm-up is running.
    public func untilWarm() async {
        await warmUpGate.wait()
    }

    /// Renders every service once, on every core, and counts the tasks, so the first `docker
    /// service ls` after a boot finds the cache filled. A locked manager has nothing to render
    /// yet; any other failure is met again, and answered, by the first request.
    public func warmUp() {
        guard let view = try? view() else { return }
        let services = view.store.objects(.service)
        // Small chunks, so that the cores finish together. The status counts are the first
        // piece of work handed out: as the last, they ran on one core while the other idled.
        let chunk = 32
        let chunks = (services.count + chunk - 1) / chunk
        DispatchQueue.concurrentPerform(iterations: chunks + 1) { index in
            guard index > 0 else {
                _ = try? statusCounter(view)
                return
            }
            let first = (index - 1) * chunk
            for stored in services[first..<min(services.count, first + chunk)] {
                _ = try? renderCache.json(stored, decoded: view.decoded, render: Self.renderListed)
            }
        }
        _ = try? servicesJSON(filters: EngineFilters(), status: true)
    }
}
