// swift-tools-version:6.1
import PackageDescription

// Fuzzing lives in its own package so that the main build never carries sanitizer flags.
// `bash Fuzz/run.sh [SECONDS]` builds and runs it; Docs/testing.md, "Fuzzing", says more.
//
// One executable only: with --sanitize=fuzzer every executable of the package is linked
// with libFuzzer's own `main`, so a second tool with a `main` of its own cannot link.
// The seeds are written by the fuzzer binary itself (`--write-seeds=DIR`, see Seeds.swift).
let package = Package(
    name: "NodeAgentFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "NodeAgent", path: ".."),
    ],
    targets: [
        // Build with run.sh: -c debug --sanitize=fuzzer --sanitize=address, plus
        // -Xswiftc -sanitize=fuzzer,address (run.sh says why).
        .executableTarget(
            name: "FuzzOpenDecode",
            dependencies: [
                .product(name: "Sealing", package: "NodeAgent"),
                .product(name: "Wire", package: "NodeAgent"),
                .product(name: "ClusterModel", package: "NodeAgent"),
                .product(name: "Membership", package: "NodeAgent"),
            ]
        ),
    ]
)
