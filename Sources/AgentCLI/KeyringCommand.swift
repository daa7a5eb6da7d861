import ArgumentParser
import ControlAPI
import Sealing

/// `agent keyring list|install|use|remove`: changes made on every live member at once.
struct KeyringCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keyring",
        abstract: "List or change the cluster keys on every live member.",
        discussion: """
            Rotate a key with `install NEW`, then `use NEW`, then `remove OLD`. Each change \
            prints one line per node and exits 1 unless every live member acknowledged it.
            """,
        subcommands: [List.self, Install.self, Use.self, Remove.self]
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The keys each member holds, primary first.")
        @OptionGroup var control: ControlOptions

        func run() throws {
            let response = try KeyringCommand.send("list", key: nil, control: control)
            var holders: [String: (primary: Int, installed: Int)] = [:]
            var order: [String] = []
            for node in response.nodes where node.result == "ok" {
                for (index, key) in node.keys.enumerated() {
                    if holders[key] == nil { order.append(key) }
                    holders[key, default: (0, 0)].installed += 1
                    if index == 0 { holders[key, default: (0, 0)].primary += 1 }
                }
            }
            let total = response.nodes.count
            let rows = order.map { key in
                let counts = holders[key]!
                return [key, "\(counts.primary)/\(total)", "\(counts.installed)/\(total)"]
            }
            print(TextTable.render(header: ["KEY", "PRIMARY", "INSTALLED"], rows: rows), terminator: "")
            try KeyringCommand.reportFailures(response)
        }
    }

    struct Install: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Install a key on every member; it opens but does not yet seal.")
        @OptionGroup var change: KeyChange
        func run() throws { try change.apply("install") }
    }

    struct Use: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Make an installed key the primary on every member.")
        @OptionGroup var change: KeyChange
        func run() throws { try change.apply("use") }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a key that is not primary from every member.")
        @OptionGroup var change: KeyChange
        func run() throws { try change.apply("remove") }
    }

    /// What install, use and remove share: the socket, the key, and how the outcome is told.
    struct KeyChange: ParsableArguments {
        @OptionGroup var control: ControlOptions
        @Argument(help: ArgumentHelp("The key, as `agent keygen` prints it.", valueName: "key")) var key: String

        func validate() throws { try KeyringCommand.validate(key) }

        func apply(_ operation: String) throws {
            let response = try KeyringCommand.send(operation, key: key, control: control)
            let rows = response.nodes.map { node in [node.node, node.result, node.error ?? ""] }
            print(TextTable.render(header: ["NODE", "RESULT", "DETAIL"], rows: rows).replacingTrailingSpaces(), terminator: "")
            try KeyringCommand.reportFailures(response)
        }
    }

    static func validate(_ key: String) throws {
        do {
            _ = try ClusterKey(base64: key)
        } catch {
            throw ValidationError("KEY: \(error.description); expected the base64 of 32 bytes, as `agent keygen` prints")
        }
    }

    static func send(_ operation: String, key: String?, control: ControlOptions) throws -> V1.KeyringResponse {
        try control.call { client throws(ControlClientError) in
            try client.request("POST", V1.Path.keyring, json: V1.KeyringRequest(operation: operation, key: key), as: V1.KeyringResponse.self)
        }
    }

    static func reportFailures(_ response: V1.KeyringResponse) throws {
        let failed = response.nodes.filter { $0.result != "ok" }
        guard failed.isEmpty else {
            throw CommandFailure(
                status: ExitStatus.failed,
                "\(failed.count) of \(response.nodes.count) members did not acknowledge: \(failed.map(\.node).joined(separator: ", "))")
        }
    }
}

extension String {
    /// Each line without its trailing spaces (an empty last column leaves some).
    func replacingTrailingSpaces() -> String {
        split(separator: "\n", omittingEmptySubsequences: false).map { line in
            var line = Substring(line)
            while line.last == " " { line = line.dropLast() }
            return String(line)
        }.joined(separator: "\n")
    }
}
