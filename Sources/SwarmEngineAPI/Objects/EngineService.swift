import StreamingJSON
import SwarmProto

/// Docker's swarm.Service.
public struct EngineService: Encodable, Sendable {
    /// `service ls` REPLICAS column: RunningTasks/DesiredTasks.
    public struct Status: Encodable, Sendable, Equatable {
        public var runningTasks: UInt64
        public var desiredTasks: UInt64
        public var completedTasks: UInt64
        enum CodingKeys: String, CodingKey {
            case runningTasks = "RunningTasks", desiredTasks = "DesiredTasks", completedTasks = "CompletedTasks"
        }
    }
    struct JobStatus: Encodable, Sendable {
        var jobIteration: EngineObjectVersion
        var lastExecution: String?
        enum CodingKeys: String, CodingKey { case jobIteration = "JobIteration", lastExecution = "LastExecution" }
    }

    public var id: String
    var version: EngineObjectVersion
    var createdAt: String?
    var updatedAt: String?
    var spec: EngineServiceSpec
    var previousSpec: EngineServiceSpec?
    var endpoint: EngineEndpoint?
    var updateStatus: EngineUpdateStatus?
    public var serviceStatus: Status?
    var jobStatus: JobStatus?

    enum CodingKeys: String, CodingKey {
        case id = "ID", version = "Version", createdAt = "CreatedAt", updatedAt = "UpdatedAt", spec = "Spec"
        case previousSpec = "PreviousSpec", endpoint = "Endpoint", updateStatus = "UpdateStatus"
        case serviceStatus = "ServiceStatus", jobStatus = "JobStatus"
    }

    init(_ service: SwarmService, insertDefaults: Bool = false, status: Status? = nil) {
        let meta = ObjectMeta(service.meta)
        id = service.id
        version = meta.version
        createdAt = meta.createdAt
        updatedAt = meta.updatedAt
        spec = EngineServiceSpec(insertDefaults ? ServiceDefaults.interpolate(service.spec) : service.spec)
        previousSpec = service.hasPreviousSpec ? EngineServiceSpec(service.previousSpec) : nil
        endpoint = service.hasEndpoint ? EngineEndpoint(service.endpoint) : nil
        updateStatus = service.hasUpdateStatus ? EngineUpdateStatus(service.updateStatus) : nil
        serviceStatus = status
        jobStatus = service.hasJobStatus
            ? JobStatus(
                jobIteration: EngineObjectVersion(index: service.jobStatus.jobIteration.index),
                lastExecution: service.jobStatus.hasLastExecution ? EngineTime.string(service.jobStatus.lastExecution) : nil)
            : nil
    }
}

extension EngineService: JSONWritable {
    public func writeJSON(to json: inout JSONWriter) throws {
        try json.object { json in
            try json.member(CodingKeys.id, id)
            try json.member(CodingKeys.version, version)
            try json.member(CodingKeys.createdAt, createdAt)
            try json.member(CodingKeys.updatedAt, updatedAt)
            try json.member(CodingKeys.spec, spec)
            try json.member(CodingKeys.previousSpec, previousSpec)
            try json.member(CodingKeys.endpoint, endpoint)
            try json.member(CodingKeys.updateStatus, updateStatus)
            try json.member(CodingKeys.serviceStatus, serviceStatus)
            try json.member(CodingKeys.jobStatus, jobStatus)
        }
    }
}

extension EngineService.Status: JSONWritable {
    public func writeJSON(to json: inout JSONWriter) throws {
        try json.object { json in
            try json.member(CodingKeys.runningTasks, runningTasks)
            try json.member(CodingKeys.desiredTasks, desiredTasks)
            try json.member(CodingKeys.completedTasks, completedTasks)
        }
    }
}

extension EngineService.JobStatus: JSONWritable {
    public func writeJSON(to json: inout JSONWriter) throws {
        try json.object { json in
            try json.member(CodingKeys.jobIteration, jobIteration)
            try json.member(CodingKeys.lastExecution, lastExecution)
        }
    }
}
