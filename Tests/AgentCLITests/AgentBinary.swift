import Foundation

/// Runs the built `agent` executable as a user would, and captures what it prints.
struct AgentBinary {
    struct Result {
        let status: Int32
        let standardOutput: String
        let standardError: String
    }

    /// The `agent` built beside this test bundle (`swift build` puts both in one folder).
    static let path: String = {
        let testExecutable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var directory = testExecutable.deletingLastPathComponent()
        // On Linux the test runner is `NodeAgentPackageTests.xctest` in the build folder.
        while !directory.path.isEmpty && directory.path != "/" {
            let candidate = directory.appendingPathComponent("agent").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return "agent-binary-not-found-run-swift-build-first"
    }()

    static func run(_ arguments: String..., environment: [String: String] = [:]) throws -> Result {
        try run(arguments, environment: environment)
    }

    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        var merged = ProcessInfo.processInfo.environment
        merged.merge(environment) { $1 }
        process.environment = merged
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus,
            standardOutput: String(decoding: outputData, as: UTF8.self),
            standardError: String(decoding: errorData, as: UTF8.self))
    }
}
