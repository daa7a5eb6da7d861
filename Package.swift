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
        .target(name: "Wire", dependencies: ["ClusterModel"]),
        .target(
            name: "AgentCLI",
            dependencies: [
                "Sealing",
                "Wire",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "agent", dependencies: ["AgentCLI"]),

        .testTarget(name: "ClusterModelTests", dependencies: ["ClusterModel"]),
        .testTarget(name: "SealingTests", dependencies: ["Sealing", "Wire"]),
        .testTarget(name: "WireTests", dependencies: ["Wire"]),
        .testTarget(name: "AgentCLITests", dependencies: ["AgentCLI"]),
    ]
)
