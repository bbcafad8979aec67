/// The parts of `GET /info` the docker CLI prints: a container-less engine and its swarm.
public struct EngineInfo: Encodable, Sendable {
    public struct Peer: Encodable, Sendable {
        var nodeID: String
        var addr: String
        enum CodingKeys: String, CodingKey { case nodeID = "NodeID", addr = "Addr" }
    }
    public struct Swarm: Encodable, Sendable {
        public var nodeID: String
        public var nodeAddr: String
        public var localNodeState: String
        public var controlAvailable: Bool
        var error: String
        var remoteManagers: [Peer]?
        public var nodes: Int?
        public var managers: Int?
        var cluster: EngineClusterInfo?
        enum CodingKeys: String, CodingKey {
            case nodeID = "NodeID", nodeAddr = "NodeAddr", localNodeState = "LocalNodeState"
            case controlAvailable = "ControlAvailable", error = "Error", remoteManagers = "RemoteManagers"
            case nodes = "Nodes", managers = "Managers", cluster = "Cluster"
        }
    }
    struct RegistryConfig: Encodable, Sendable {
        var indexConfigs: [String: String] = [:]
        var insecureRegistryCIDRs: [String] = []
        enum CodingKeys: String, CodingKey { case indexConfigs = "IndexConfigs", insecureRegistryCIDRs = "InsecureRegistryCIDRs" }
    }

    var id: String
    var containers = 0
    var containersRunning = 0
    var containersPaused = 0
    var containersStopped = 0
    var images = 0
    var driver = ""
    var ncpu: Int
    var memTotal: Int64
    var name: String
    var serverVersion: String
    var operatingSystem: String
    var osType = "linux"
    var architecture: String
    var kernelVersion: String
    var dockerRootDir: String
    var experimentalBuild = false
    var registryConfig = RegistryConfig()
    var loggingDriver = ""
    var swarm: Swarm
    var warnings: [String]

    enum CodingKeys: String, CodingKey {
        case id = "ID", containers = "Containers", containersRunning = "ContainersRunning"
        case containersPaused = "ContainersPaused", containersStopped = "ContainersStopped", images = "Images"
        case driver = "Driver", ncpu = "NCPU", memTotal = "MemTotal", name = "Name", serverVersion = "ServerVersion"
        case operatingSystem = "OperatingSystem", osType = "OSType", architecture = "Architecture"
        case kernelVersion = "KernelVersion", dockerRootDir = "DockerRootDir", experimentalBuild = "ExperimentalBuild"
        case registryConfig = "RegistryConfig", loggingDriver = "LoggingDriver", swarm = "Swarm", warnings = "Warnings"
    }
}

/// `GET /version`.
public struct EngineVersionInfo: Encodable, Sendable {
    struct Component: Encodable, Sendable {
        var name: String
        var version: String
        enum CodingKeys: String, CodingKey { case name = "Name", version = "Version" }
    }
    var version: String
    var apiVersion = EngineAPIVersion.current
    var minAPIVersion = EngineAPIVersion.minimum
    var os = "linux"
    var arch: String
    var gitCommit = ""
    var goVersion = ""
    var kernelVersion: String
    var buildTime = ""
    var components: [Component]

    enum CodingKeys: String, CodingKey {
        case version = "Version", apiVersion = "ApiVersion", minAPIVersion = "MinAPIVersion", os = "Os", arch = "Arch"
        case gitCommit = "GitCommit", goVersion = "GoVersion", kernelVersion = "KernelVersion", buildTime = "BuildTime"
        case components = "Components"
    }

    init(version: String, arch: String, kernelVersion: String) {
        self.version = version
        self.arch = arch
        self.kernelVersion = kernelVersion
        components = [Component(name: "swarmsafe", version: version)]
    }
}
