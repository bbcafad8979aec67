// swift-tools-version:6.1
import PackageDescription

// Layers, bottom to top; each target depends only on the ones above it in this list.
// ARCHITECTURE.md draws the graph and says where the data flows.
//   FaultInjection        named kill points for crash tests, compiled into debug builds only
//   SwarmProto            generated protobuf messages (etcd walpb/raftpb/snappb, swarmkit api subset)
//   SwarmFormats          on-disk formats: WAL, snapshots, raft-data crypto, node keys, certificates
//   SwarmStore            object store, raft membership and log replay
//   SwarmStateReplacement who holds a state directory, swarmsafe's lock on it, and the one way
//                         to replace it: staged beside it, synced, exchanged, the old one kept
//   SwarmNode             a node's state directory loaded as swarmkit would (keys, log, store),
//                         its state at an index, its node key and raft data written anew
//   SwarmConventions      swarmkit's conventions every layer shares: object IDs, join tokens,
//                         manager addresses, the cluster's defaults
//   SwarmInit             `init`: a new one-manager swarm on disk
//   SwarmInspection       `inspect` and `dump` reports: entries, objects and keys as JSON, redacted
//   SwarmHistory          `history` and `diff`: what changed between two states, entry by entry
//   SwarmArchive          tar archives through libarchive (zstd, gzip), streamed, with safe extraction
//   SigV4                 AWS Signature Version 4 request signing, and nothing else
//   S3Client              an S3-protocol client: credentials and endpoints as the AWS CLI finds them,
//                         objects, ranged reads, multipart uploads, listings, conditional writes
//   SwarmBackup           backup, verify, restore, the backup repository (a folder or S3) and its retention
//   SwarmRecovery         quorum-loss rescue on disk (force-new-cluster), repair, rewind, key changes,
//                         certificate renewal
//   SwarmManager          the embedded manager: single-node raft leader over a state directory,
//                         its store transactions and a minimal orchestrator
//   SwarmEngineAPI        the Docker Engine API subset the docker CLI needs, served over HTTP
//   SwarmCheck            `check`: a state or a backup booted by the embedded manager and probed
//   SwarmDemo             the whole job on one machine, narrated: init, deploy, backup, loss, restore, check
//   swarmsafe             the command-line interface
let package = Package(
    name: "swarmsafe",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "swarmsafe", targets: ["swarmsafe"]),
        .library(name: "SwarmFormats", targets: ["SwarmFormats"]),
        .library(name: "SwarmStore", targets: ["SwarmStore"]),
        .library(name: "SwarmNode", targets: ["SwarmNode"]),
        .library(name: "SwarmBackup", targets: ["SwarmBackup"]),
        .library(name: "SwarmRecovery", targets: ["SwarmRecovery"]),
        .library(name: "SwarmManager", targets: ["SwarmManager"]),
        .library(name: "SwarmEngineAPI", targets: ["SwarmEngineAPI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.7.4"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
    ],
    targets: [
        .systemLibrary(
            name: "CSodium",
            pkgConfig: "libsodium",
            providers: [.apt(["libsodium-dev"])]
        ),
        .systemLibrary(
            name: "CArchive",
            pkgConfig: "libarchive",
            providers: [.apt(["libarchive-dev"])]
        ),
        // Crash-test hooks (debug builds only): named kill points for the fault-injection tests.
        .target(name: "FaultInjection"),
        // A blocking call on a worker thread, waited for later (S3 round trips, boot phases).
        .target(name: "BackgroundCalls"),
        .target(
            name: "SwarmProto",
            dependencies: [.product(name: "SwiftProtobuf", package: "swift-protobuf")],
            exclude: ["README.md"]
        ),
        .target(
            name: "SwarmFormats",
            dependencies: [
                "BackgroundCalls",
                "SwarmProto",
                "CSodium",
                "FaultInjection",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ]
        ),
        .target(
            name: "SwarmStore",
            dependencies: [
                "SwarmFormats",
                "SwarmProto",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]
        ),
        .target(
            name: "SwarmStateReplacement",
            dependencies: ["SwarmFormats", "FaultInjection", .product(name: "Logging", package: "swift-log")]
        ),
        .target(
            name: "SwarmNode",
            dependencies: ["SwarmFormats", "SwarmStore", "SwarmProto"]
        ),
        .target(
            name: "SwarmConventions",
            dependencies: [
                "SwarmFormats", "SwarmProto",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]
        ),
        .target(
            name: "SwarmInit",
            dependencies: [
                "SwarmConventions", "SwarmFormats", "SwarmProto",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]
        ),
        .target(
            name: "SwarmInspection",
            dependencies: [
                "SwarmNode", "SwarmFormats", "SwarmStore", "SwarmProto",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]
        ),
        .target(
            name: "SwarmHistory",
            dependencies: [
                "SwarmInspection", "SwarmFormats", "SwarmStore", "SwarmProto",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]
        ),
        .target(
            name: "SwarmArchive",
            dependencies: ["CArchive"]
        ),
        .target(
            name: "SigV4",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")]
        ),
        .target(
            name: "S3Client",
            dependencies: [
                "BackgroundCalls",
                "SigV4",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "SwarmBackup",
            dependencies: [
                "BackgroundCalls",
                "SwarmInspection", "SwarmNode", "SwarmStateReplacement", "SwarmArchive", "S3Client", "FaultInjection", "SwarmFormats",
                "SwarmStore", "SwarmProto",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "SwarmRecovery",
            dependencies: [
                "SwarmNode", "SwarmStateReplacement", "SwarmConventions", "SwarmHistory", "SwarmFormats", "SwarmStore",
                "SwarmProto",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "SwarmManager",
            dependencies: [
                "BackgroundCalls",
                "SwarmNode", "SwarmConventions", "SwarmFormats", "SwarmStore", "SwarmProto",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(name: "StreamingJSON"),
        .target(
            name: "SwarmEngineAPI",
            dependencies: [
                "SwarmManager", "SwarmConventions", "SwarmFormats", "SwarmStore", "SwarmProto", "StreamingJSON",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "SwarmCheck",
            dependencies: [
                "SwarmManager", "SwarmBackup", "SwarmRecovery", "SwarmNode", "SwarmStateReplacement", "SwarmConventions",
                "SwarmFormats", "SwarmStore", "SwarmProto",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "SwarmDemo",
            dependencies: [
                "SwarmCheck", "SwarmManager", "SwarmRecovery", "SwarmBackup", "SwarmNode", "SwarmInit", "SwarmConventions", "SwarmFormats",
                "SwarmStore", "SwarmProto",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "swarmsafe",
            dependencies: [
                "SwarmDemo",
                "SwarmEngineAPI",
                "S3Client",
                "SwarmManager",
                "SwarmRecovery",
                "SwarmBackup",
                "SwarmArchive",
                "SwarmCheck",
                "SwarmHistory",
                "SwarmInspection",
                "SwarmInit",
                "SwarmConventions",
                "SwarmNode",
                "SwarmStateReplacement",
                "SwarmFormats",
                "SwarmStore",
                "SwarmProto",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]
        ),
        .executableTarget(
            name: "swarmsafe-test-appender",
            dependencies: ["SwarmFormats", "SwarmProto"],
            path: "Tests/Tools/WALAppender"
        ),
        // Fuzzing: one entry per decoder of bytes swarmsafe did not write (README.md, "Fuzzing").
        // The driver is libFuzzer's in scripts/fuzz.sh (--sanitize=fuzzer, -DFUZZING) and a
        // replayer of inputs otherwise; SwarmFuzzTests runs the entries briefly in the suite.
        .target(
            name: "SwarmFuzzTargets",
            dependencies: ["SwarmBackup", "SwarmEngineAPI", "SwarmConventions", "SwarmFormats", "SwarmProto"],
            path: "Fuzz/Targets"
        ),
        .executableTarget(
            name: "swarmsafe-fuzz",
            dependencies: ["SwarmFuzzTargets", "SwarmBackup", "SwarmArchive", "SwarmFormats"],
            path: "Fuzz/Driver"
        ),
        .target(
            name: "SwarmTestSupport",
            path: "Tests/SwarmTestSupport"
        ),
        // Real containerd and dockerd (Debian's docker.io) started by the tests themselves:
        // the judge of everything swarmsafe writes.
        .target(
            name: "RealDocker",
            path: "Tests/RealDocker"
        ),
        // A real S3-protocol server (moto) and a connection-dropping proxy, started by the tests.
        .target(
            name: "S3TestServer",
            dependencies: ["RealDocker"],
            path: "Tests/S3TestServer"
        ),
        // States built from fixtures with real log entries, for tests of more than one target.
        .target(
            name: "SwarmTestScenarios",
            dependencies: ["SwarmManager", "SwarmNode", "SwarmStore", "SwarmFormats", "SwarmProto", "SwarmTestSupport"],
            path: "Tests/SwarmTestScenarios"
        ),
        .testTarget(
            name: "SwarmFormatsTests",
            dependencies: ["SwarmFormats", "SwarmProto", "SwarmTestSupport"]
        ),
        .testTarget(
            name: "SwarmStoreTests",
            dependencies: [
                "SwarmStore", "SwarmFormats", "SwarmProto", "SwarmTestSupport",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]
        ),
        .testTarget(
            name: "SwarmStateReplacementTests",
            dependencies: ["SwarmStateReplacement", "SwarmFormats", "SwarmTestSupport"]
        ),
        .testTarget(
            name: "SwarmNodeTests",
            dependencies: ["SwarmNode", "SwarmFormats", "SwarmTestSupport"]
        ),
        .testTarget(
            name: "SwarmInitTests",
            dependencies: [
                "SwarmInit", "SwarmConventions", "SwarmNode", "SwarmStore", "SwarmProto", "SwarmFormats", "SwarmTestSupport",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]
        ),
        .testTarget(
            name: "SwarmInspectionTests",
            dependencies: [
                "SwarmInspection", "SwarmStore", "SwarmProto",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]
        ),
        .testTarget(
            name: "SwarmHistoryTests",
            dependencies: ["SwarmHistory", "SwarmInspection", "SwarmNode", "SwarmStore", "SwarmProto", "SwarmFormats", "SwarmTestSupport"]
        ),
        .testTarget(
            name: "SwarmArchiveTests",
            dependencies: ["SwarmArchive", "SwarmTestSupport"]
        ),
        .testTarget(
            name: "StreamingJSONTests",
            dependencies: ["StreamingJSON"]
        ),
        .testTarget(
            name: "SigV4Tests",
            dependencies: ["SigV4", "SwarmTestSupport"]
        ),
        .testTarget(
            name: "S3ClientTests",
            dependencies: [
                "S3Client", "SigV4", "SwarmTestSupport",
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "SwarmBackupTests",
            dependencies: [
                "SwarmBackup", "SwarmArchive", "SwarmInspection", "SwarmNode", "SwarmStore", "SwarmFormats", "SwarmProto",
                "SwarmTestSupport",
            ]
        ),
        .testTarget(
            name: "SwarmRecoveryTests",
            dependencies: [
                "SwarmRecovery", "SwarmManager", "SwarmHistory", "SwarmInit", "SwarmConventions", "SwarmNode", "SwarmStore", "SwarmFormats", "SwarmProto",
                "SwarmTestSupport",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]
        ),
        .testTarget(
            name: "SwarmManagerTests",
            dependencies: [
                "SwarmManager", "SwarmRecovery", "SwarmInit", "SwarmConventions", "SwarmNode", "SwarmStore", "SwarmFormats", "SwarmProto",
                "SwarmTestSupport", "SwarmTestScenarios",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]
        ),
        .testTarget(
            name: "SwarmCheckTests",
            dependencies: [
                "SwarmCheck", "SwarmManager", "SwarmBackup", "SwarmNode", "SwarmStore", "SwarmFormats",
                "SwarmTestSupport", "SwarmTestScenarios",
            ]
        ),
        .testTarget(
            name: "SwarmEngineAPITests",
            dependencies: [
                "SwarmEngineAPI", "SwarmManager", "SwarmInit", "SwarmConventions", "SwarmNode", "SwarmStore", "SwarmFormats", "SwarmProto",
                "SwarmTestSupport",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
        .testTarget(
            name: "RealDockerTests",
            dependencies: ["swarmsafe", "RealDocker", "SwarmTestSupport", "S3TestServer"]
        ),
        .testTarget(
            name: "SwarmSafeCLITests",
            dependencies: [
                "swarmsafe", "swarmsafe-test-appender", "SwarmNode", "SwarmStore", "SwarmFormats", "SwarmTestSupport",
                "SwarmTestScenarios", "S3TestServer",
            ]
        ),
        .testTarget(
            name: "SwarmFuzzTests",
            dependencies: ["SwarmFuzzTargets", "SwarmTestSupport"]
        ),
    ]
)
