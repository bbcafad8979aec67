import Foundation
import SwarmProto
import SwarmStore

extension EngineAPI {
    /// `GET /services` as the JSON body itself: each service rendered once per version and
    /// kept in the render cache, the per-request status counts spliced in.
    public func servicesJSON(filters: EngineFilters, status: Bool) throws -> Data {
        try filters.validate(accepted: Self.serviceFilters)
        let view = try view()
        let runtimes = filters["runtime"].isEmpty ? ["container"] : filters["runtime"]
        var counter: ServiceStatusCounter?
        if status {
            let tasks = try view.store.objects(.task).compactMap { stored -> SwarmTask? in
                if case .task(let task) = try renderCache.decoded(stored) { return task }
                return nil
            }
            counter = ServiceStatusCounter(tasks: tasks, nodes: try view.nodes(), selfNodeID: view.selfNodeID)
            renderCache.prune(to: view.store, kind: .task)
        }
        renderCache.prune(to: view.store, kind: .service)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        var body = Data("[".utf8)
        var first = true
        // The store lists objects in ID order, the order Docker answers in.
        for stored in view.store.objects(.service) {
            let (object, json) = try renderCache.json(stored) { object in
                guard case .service(let service) = object else { return Data() }
                return try encoder.encode(EngineService(service))
            }
            guard case .service(let service) = object,
                filters.matchesID(service.id), filters.matchesName(service.spec.annotations.name),
                filters.matchesLabels(service.spec.annotations.labels),
                filters.matchesExactly("mode", Self.modeName(service.spec)),
                runtimes.contains(Self.runtimeName(service.spec.task))
            else { continue }
            if !first { body.append(UInt8(ascii: ",")) }
            first = false
            if let counter, json.last == UInt8(ascii: "}") {
                // The cached object without its closing brace, then the status and the brace.
                body.append(json.dropLast())
                body.append(contentsOf: #","ServiceStatus":"#.utf8)
                body.append(try encoder.encode(counter.status(of: service)))
                body.append(UInt8(ascii: "}"))
            } else {
                body.append(json)
            }
        }
        body.append(contentsOf: "]\n".utf8)
        return body
    }
}

extension EngineAPI {
    /// Renders every service once, so the first `docker service ls` after a boot finds the
    /// cache filled. A locked manager has nothing to render yet; any other failure is met
    /// again, and answered, by the first request.
    public func warmUp() {
        _ = try? servicesJSON(filters: EngineFilters(), status: true)
    }
}
