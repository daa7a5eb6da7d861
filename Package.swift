// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "NodeAgent",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "agent", targets: ["agent"]),
        // Libraries so that Benchmarks/ and Fuzz/ (their own packages) can reach the code.
        .library(name: "ClusterModel", targets: ["ClusterModel"]),
        .library(name: "Sealing", targets: ["Sealing"]),
        .library(name: "Wire", targets: ["Wire"]),
        .library(name: "Membership", targets: ["Membership"]),
        .library(name: "Catalog", targets: ["Catalog"]),
        .library(name: "DataPlane", targets: ["DataPlane"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CSodium",
            pkgConfig: "libsodium",
            providers: [.apt(["libsodium-dev"])]
        ),
        .systemLibrary(
            name: "CSystemd",
            pkgConfig: "libsystemd",
            providers: [.apt(["libsystemd-dev"])]
        ),
        .target(name: "ClusterModel"),
        .target(name: "Persistence"),
        .target(
            name: "Manifests",
            dependencies: [
                "ClusterModel",
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .target(name: "Sealing", dependencies: ["CSodium", "ClusterModel", "Persistence"]),
        .target(name: "Membership", dependencies: ["ClusterModel"]),
        .target(name: "Catalog", dependencies: ["ClusterModel"]),
        .target(name: "Wire", dependencies: ["ClusterModel", "Membership", "Catalog", "Election"]),
        .target(name: "DataPlane", dependencies: ["ClusterModel", "Catalog"]),
        .target(name: "Election", dependencies: ["ClusterModel", "Membership"]),
        // libsodium for SigV4's SHA-256 and HMAC; FoundationNetworking and FoundationXML
        // (in the toolchain) for the ELBv2 query API.
        .target(name: "LoadBalancers", dependencies: ["ClusterModel", "CSodium"]),
        .target(name: "Simulation", dependencies: ["ClusterModel", "Membership", "Catalog", "Election", "Sealing", "Wire"]),
        .target(
            name: "Systemd",
            dependencies: [
                "CSystemd",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "ControlAPI",
            dependencies: [
                "ClusterModel",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .target(
            name: "AgentConfig",
            dependencies: [
                "ClusterModel",
                "Systemd",
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .target(
            name: "AgentRuntime",
            dependencies: [
                "DataPlane", "Election", "LoadBalancers",
                "ClusterModel", "Membership", "Catalog", "Manifests", "Persistence", "Sealing", "Wire", "Systemd", "ControlAPI",
                "AgentConfig",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "AgentCLI",
            dependencies: [
                "Sealing",
                "Simulation",
                "Wire",
                "ControlAPI",
                "Manifests",
                "AgentConfig",
                "AgentRuntime",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .executableTarget(name: "agent", dependencies: ["AgentCLI"]),

        .testTarget(name: "ClusterModelTests", dependencies: ["ClusterModel"]),
        .testTarget(name: "SealingTests", dependencies: ["Sealing", "Wire", "Membership", "Catalog"]),
        .testTarget(name: "WireTests", dependencies: ["Wire", "Membership", "Catalog", "Election"]),
        .testTarget(name: "MembershipTests", dependencies: ["Membership", "Wire"]),
        .testTarget(name: "SimulationTests", dependencies: ["Simulation", "Membership", "Catalog", "Election", "ClusterModel", "Sealing"]),
        .target(name: "CLITestSupport", path: "Tests/CLITestSupport"),
        .testTarget(name: "AgentCLITests", dependencies: ["AgentCLI", "ControlAPI", "CLITestSupport"]),
        .testTarget(name: "SystemdTests", dependencies: ["Systemd", .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "ControlAPITests", dependencies: ["ControlAPI"]),
        .testTarget(name: "AgentConfigTests", dependencies: ["AgentConfig"]),
        .testTarget(name: "ManifestsTests", dependencies: ["Manifests", "ClusterModel"]),
        .testTarget(name: "CatalogTests", dependencies: ["Catalog", "ClusterModel"]),
        .testTarget(name: "DataPlaneTests", dependencies: ["DataPlane", "Catalog", "ClusterModel"]),
        .testTarget(name: "ElectionTests", dependencies: ["Election", "ClusterModel"]),
        .target(name: "MotoSupport", dependencies: ["LoadBalancers", "CLITestSupport"], path: "Tests/MotoSupport"),
        .testTarget(name: "LoadBalancersTests", dependencies: ["LoadBalancers", "ClusterModel", "CLITestSupport", "MotoSupport"], exclude: ["Fixtures"]),
        .testTarget(
            name: "AgentRuntimeTests",
            dependencies: [
                "AgentRuntime", "Membership", "Catalog", "ClusterModel", "ControlAPI", "Manifests", "Persistence", "Sealing", "Wire",
                "LoadBalancers",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "SystemTests", dependencies: ["CLITestSupport"]),
        .testTarget(name: "IntegrationTests", dependencies: ["ClusterModel", "Sealing", "Wire", "Membership", "CLITestSupport", "MotoSupport", "LoadBalancers"]),
    ]
)
