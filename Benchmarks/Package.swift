// swift-tools-version:6.1
import PackageDescription

// Benchmarks live in their own package so that the main build never fetches or compiles
// ordo-one/benchmark. Run from this folder:
//     swift package --scratch-path ../.build-bench benchmark
// Figures go to ../Docs/benchmarks.md.
let package = Package(
    name: "NodeAgentBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "NodeAgent", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "SealingAndCodec",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Sealing", package: "NodeAgent"),
                .product(name: "Wire", package: "NodeAgent"),
                .product(name: "ClusterModel", package: "NodeAgent"),
            ],
            path: "Benchmarks/SealingAndCodec",
            plugins: [
                .plugin(name: "BenchmarkPlugin", package: "benchmark"),
            ]
        ),
        // Issue 6: a plain executable driven by dataplane/sync (iptables, namespaces), not an
        // ordo-one benchmark; see dataplane/README.md.
        .executableTarget(
            name: "DataPlaneSync",
            dependencies: [
                .product(name: "Catalog", package: "NodeAgent"),
                .product(name: "DataPlane", package: "NodeAgent"),
                .product(name: "ClusterModel", package: "NodeAgent"),
            ],
            path: "dataplane/DataPlaneSync"
        ),
    ]
)
