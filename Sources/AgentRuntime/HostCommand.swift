import Foundation

/// Runs a host tool (iptables-restore, iptables-save, conntrack, ip) to its end, on a thread
/// of its own: neither an event loop nor the cooperative pool waits on it.
enum HostCommand {
    struct Failure: Error, CustomStringConvertible {
        var command: String
        var reason: String

        var description: String { "\(command): \(reason)" }
    }

    /// The host tools' environment: their messages in plain English and C locale, whatever
    /// the host's.
    static let toolEnvironment = ["PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL": "C"]

    /// The tool's standard output. Throws when it cannot start or exits other than 0 (or
    /// than one of `accepting`), with what it wrote to standard error, or when it runs longer
    /// than `timeout` (it is then terminated).
    static func run(
        _ arguments: [String], input: String? = nil, accepting: Set<Int32> = [0], environment: [String: String] = toolEnvironment,
        timeout: Duration? = nil
    ) async throws(Failure) -> String {
        let result: Result<String, Failure> = await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(
                    returning: Result { () throws(Failure) in
                        try runBlocking(arguments, input: input, accepting: accepting, environment: environment, timeout: timeout)
                    })
            }
        }
        return try result.get()
    }

    static func runBlocking(
        _ arguments: [String], input: String?, accepting: Set<Int32>, environment: [String: String] = toolEnvironment,
        timeout: Duration? = nil
    ) throws(Failure) -> String {
        let command = arguments.prefix(3).joined(separator: " ")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.environment = environment
        let (output, errors) = (Pipe(), Pipe())
        let stdin = input == nil ? nil : Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = stdin ?? FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw Failure(command: command, reason: "cannot start: \(error.localizedDescription)")
        }
        let overtime = timeout.map { timeout in
            let item = DispatchWorkItem { [process] in if process.isRunning { process.terminate() } }
            DispatchQueue.global().asyncAfter(deadline: .now() + timeout.seconds, execute: item)
            return item
        }
        // Input, output and errors each on their own, so that a tool that writes before it
        // has read everything never waits on us while we wait on it.
        let done = DispatchGroup()
        if let stdin, let input {
            DispatchQueue.global().async(group: done) {
                try? stdin.fileHandleForWriting.write(contentsOf: Data(input.utf8))
                try? stdin.fileHandleForWriting.close()
            }
        }
        nonisolated(unsafe) var errorText = Data()
        DispatchQueue.global().async(group: done) { errorText = errors.fileHandleForReading.readDataToEndOfFile() }
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        done.wait()
        process.waitUntilExit()
        overtime?.cancel()
        if process.terminationReason == .uncaughtSignal, let timeout, process.terminationStatus == SIGTERM {
            throw Failure(command: command, reason: "ran longer than \(timeout) and was stopped")
        }
        guard accepting.contains(process.terminationStatus) else {
            let message = String(decoding: errorText, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw Failure(command: command, reason: "exited \(process.terminationStatus)\(message.isEmpty ? "" : ": \(message)")")
        }
        return String(decoding: outputData, as: UTF8.self)
    }
}
