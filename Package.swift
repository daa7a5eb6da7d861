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
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
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
        .target(name: "Sealing", dependencies: ["CSodium", "ClusterModel"]),
        .target(name: "Membership", dependencies: ["ClusterModel"]),
        .target(name: "Wire", dependencies: ["ClusterModel", "Membership"]),
        .target(name: "Simulation", dependencies: ["ClusterModel", "Membership", "Sealing", "Wire"]),
        .target(
            name: "AgentCLI",
            dependencies: [
                "Sealing",
                "Simulation",
                "Wire",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "agent", dependencies: ["AgentCLI"]),

        .testTarget(name: "ClusterModelTests", dependencies: ["ClusterModel"]),
        .testTarget(name: "SealingTests", dependencies: ["Sealing", "Wire", "Membership"]),
        .testTarget(name: "WireTests", dependencies: ["Wire", "Membership"]),
        .testTarget(name: "MembershipTests", dependencies: ["Membership", "Wire"]),
        .testTarget(name: "SimulationTests", dependencies: ["Simulation", "Membership", "ClusterModel"]),
        .testTarget(name: "AgentCLITests", dependencies: ["AgentCLI"]),
    ]
)
