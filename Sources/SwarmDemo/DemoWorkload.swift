import Foundation
import SwarmConventions
import SwarmInit
import SwarmManager
import SwarmProto
import SwarmStore

/// What the demo puts into its swarm, through the embedded manager: the objects a small
/// production stack has, so a restore has something worth proving.
enum DemoWorkload {
    struct Counts: Equatable, CustomStringConvertible {
        var services = 0, secrets = 0, configs = 0, networks = 0

        init(services: Int = 0, secrets: Int = 0, configs: Int = 0, networks: Int = 0) {
            self.services = services
            self.secrets = secrets
            self.configs = configs
            self.networks = networks
        }

        init(_ store: ObjectStore) {
            services = store.count(.service)
            secrets = store.count(.secret)
            configs = store.count(.config)
            networks = store.count(.network)
        }

        var description: String { "\(services) services, \(secrets) secrets, \(configs) configs, \(networks) networks" }
    }

    /// The same stack as a compose file, for `docker stack deploy` through `swarmsafe serve`
    /// (the file names are relative to the folder the files are written to).
    static let compose = """
        version: "3.8"
        services:
          web:
            image: nginx:1.27-alpine
            ports: ["8080:80"]
            networks: [backend]
            configs: [{source: nginx.conf, target: /etc/nginx/nginx.conf}]
            deploy: {replicas: 3}
          api:
            image: ghcr.io/example/api:2.4
            networks: [backend]
            secrets: [db-password]
            deploy: {replicas: 2}
          node-exporter:
            image: prom/node-exporter:v1.8.2
            deploy: {mode: global, labels: {team: ops}}
        networks:
          backend: {driver: overlay, attachable: true}
        secrets:
          db-password: {file: ./db-password.txt}
        configs:
          nginx.conf: {file: ./nginx.conf}

        """

    /// Writes the compose file and the files it names into `folder`; returns the compose file.
    static func writeStack(into folder: String) throws -> String {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try Data(compose.utf8).write(to: URL(fileURLWithPath: folder + "/compose.yml"))
        try Data(UUID().uuidString.utf8).write(to: URL(fileURLWithPath: folder + "/db-password.txt"))
        chmod(folder + "/db-password.txt", 0o600)
        try Data("events {}\nhttp { server { listen 80; } }\n".utf8).write(to: URL(fileURLWithPath: folder + "/nginx.conf"))
        return folder + "/compose.yml"
    }

    static func populate(_ manager: EmbeddedManager) throws {
        var ids = SystemRandomNumberGenerator()
        func newID() -> String { SwarmID.random(using: &ids) }

        var network = SwarmNetwork()
        network.id = newID()
        network.spec.annotations.name = "backend"
        network.spec.driverConfig.name = "overlay"
        network.spec.attachable = true

        var secret = SwarmSecret()
        secret.id = newID()
        secret.spec.annotations.name = "db-password"
        secret.spec.data = Data(UUID().uuidString.utf8)

        var config = SwarmConfig()
        config.id = newID()
        config.spec.annotations.name = "nginx.conf"
        config.spec.data = Data("events {}\nhttp { server { listen 80; } }\n".utf8)

        let web = service(
            newID(), "web", image: "nginx:1.27-alpine", replicas: 3, network: network.id,
            config: (config.id, "nginx.conf", "/etc/nginx/nginx.conf"))
        let api = service(
            newID(), "api", image: "ghcr.io/example/api:2.4", replicas: 2, network: network.id,
            secret: (secret.id, "db-password"))
        var monitor = service(newID(), "node-exporter", image: "prom/node-exporter:v1.8.2", replicas: nil, network: nil)
        monitor.spec.annotations.labels["team"] = "ops"

        try manager.update { tx in
            try tx.create(.network(network))
            try tx.create(.secret(secret))
            try tx.create(.config(config))
        }
        for item in [web, api, monitor] {
            try manager.update { try $0.create(.service(item)) }
        }
    }

    private static func service(
        _ id: String, _ name: String, image: String, replicas: UInt64?, network: String?,
        secret: (id: String, name: String)? = nil, config: (id: String, name: String, path: String)? = nil
    ) -> SwarmService {
        var service = SwarmService()
        service.id = id
        service.spec.annotations.name = name
        var container = SwarmContainerSpec()
        container.image = image
        if let secret {
            var reference = SwarmSecretReference()
            reference.secretID = secret.id
            reference.secretName = secret.name
            var file = SwarmFileTarget()
            file.name = secret.name
            file.uid = "0"
            file.gid = "0"
            file.mode = 0o444
            reference.file = file
            container.secrets = [reference]
        }
        if let config {
            var reference = SwarmConfigReference()
            reference.configID = config.id
            reference.configName = config.name
            var file = SwarmFileTarget()
            file.name = config.path
            file.uid = "0"
            file.gid = "0"
            file.mode = 0o444
            reference.file = file
            container.configs = [reference]
        }
        service.spec.task.container = container
        if let network {
            var attachment = SwarmNetworkAttachmentConfig()
            attachment.target = network
            service.spec.task.networks = [attachment]
        }
        if let replicas {
            var mode = SwarmReplicatedService()
            mode.replicas = replicas
            service.spec.replicated = mode
        } else {
            service.spec.global = SwarmGlobalService()
        }
        return service
    }
}
