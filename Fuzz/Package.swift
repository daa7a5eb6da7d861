// swift-tools-version:6.1
import PackageDescription

// Fuzzing lives in its own package so that the main build never carries sanitizer flags.
// `bash Fuzz/run.sh [SECONDS]` builds and runs it; see Docs/testing.md, "Fuzzing".
let package = Package(
    name: "NodeAgentFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "NodeAgent", path: ".."),
    ],
    targets: [
        // The fixed key, sender and clock that the fuzzer and its seeds must agree on.
        .target(
            name: "FuzzFixtures",
            dependencies: [
                .product(name: "Sealing", package: "NodeAgent"),
                .product(name: "Wire", package: "NodeAgent"),
                .product(name: "ClusterModel", package: "NodeAgent"),
            ]
        ),
        // libFuzzer target: build with --sanitize=fuzzer --sanitize=address.
        .executableTarget(name: "FuzzOpenDecode", dependencies: ["FuzzFixtures"]),
        // Writes a few valid inputs (sealed datagrams, compound packets) to seed the corpus.
        .executableTarget(name: "FuzzSeeds", dependencies: ["FuzzFixtures"]),
    ]
)
