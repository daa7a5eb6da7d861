import ArgumentParser
import Foundation

/// The root of the command tree. Each subcommand lives in a file of its own.
public struct Agent: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "agent",
        abstract: "A serverless service proxy: gossip membership, replicated Services, iptables load balancing.",
        discussion: """
            Every host runs the agent; the agents find each other by authenticated gossip and \
            each programs its own host's netfilter rules for every Service.
            """,
        version: AgentVersion.number,
        subcommands: [
            Run.self, Join.self, Leave.self, Members.self, Apply.self, Get.self, Describe.self, Delete.self, Keygen.self,
            KeyringCommand.self, Leader.self, Rules.self, Cleanup.self, Simulate.self, Version.self,
        ]
    )

    public init() {}
}

/// The exit codes of SPEC.md §3, which scripts rely on.
public enum ExitStatus {
    public static let done: Int32 = 0
    /// The operation failed: a peer unreachable, a change not acknowledged.
    public static let failed: Int32 = 1
    /// Bad usage or bad input; nothing was changed.
    public static let badInput: Int32 = 2
    /// The local daemon is not reachable.
    public static let daemonUnreachable: Int32 = 3
}

/// An error a command reports to the user with a chosen exit status. The message says what
/// was wrong, where, and what would be accepted.
public struct CommandFailure: Error, CustomStringConvertible {
    public let status: Int32
    /// Empty when the command has already told the user what went wrong.
    public let message: String
    /// Printed before `message`.
    public let prefix: String

    public init(status: Int32, _ message: String, prefix: String = "error: ") {
        self.status = status
        self.message = message
        self.prefix = prefix
    }

    public static func badInput(_ message: String) -> CommandFailure { CommandFailure(status: ExitStatus.badInput, message) }

    /// kubectl's words for an object that does not exist, which scripts match on:
    /// `Error from server (NotFound): services "x" not found`. The operation failed: exit 1.
    public static func notFound(_ message: String) -> CommandFailure {
        CommandFailure(status: ExitStatus.failed, message, prefix: "Error from server (NotFound): ")
    }

    /// The command printed its own errors (one per object) and only the exit status is left.
    public static func alreadyReported(status: Int32) -> CommandFailure { CommandFailure(status: status, "") }

    public var description: String { message }
}

extension Agent {
    /// Parses `arguments`, runs the command, and exits with the status of SPEC.md §3.
    public static func runAndExit(_ arguments: [String] = Array(CommandLine.arguments.dropFirst())) -> Never {
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
            Foundation.exit(ExitStatus.done)
        } catch let failure as CommandFailure {
            if !failure.message.isEmpty { standardError(failure.prefix + failure.message) }
            Foundation.exit(failure.status)
        } catch {
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if code == .success {
                if !message.isEmpty { print(message) }
                Foundation.exit(ExitStatus.done)
            }
            if !message.isEmpty { standardError(message) }
            // argument-parser reports usage errors as EX_USAGE (64); SPEC.md §3 says 2.
            Foundation.exit(code == .validationFailure ? ExitStatus.badInput : code.rawValue)
        }
    }
}

func standardError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
