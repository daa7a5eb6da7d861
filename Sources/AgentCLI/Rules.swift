import AgentRuntime
import ArgumentParser

struct Rules: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the netfilter rules this node owns, in iptables-save format.",
        discussion: """
            Reads what is installed now (root): the agent's AGENT- chains in the filter and nat \
            tables, and its jumps into the built-in chains. Everyone else's rules are left out.
            """)

    func run() throws {
        do {
            print(try HostRules.installed().saveText, terminator: "")
        } catch {
            throw CommandFailure(status: ExitStatus.failed, error.description)
        }
    }
}

struct Cleanup: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Remove every rule, chain and pod route the agent owns, then exit.",
        discussion: """
            Deletes the agent's jumps from the built-in chains, then its AGENT- chains, in one \
            iptables-restore transaction per table, and the pod routes it made (proto 77). \
            Everyone else's rules and routes stay byte for byte as they were. Stop the agent \
            first: a running agent puts its rules back at its next sync.
            """)

    func run() throws {
        do {
            let removed = try HostRules.cleanUp()
            print("removed \(removed.chains) chains, \(removed.jumps) jumps and \(removed.routes) pod routes")
        } catch {
            throw CommandFailure(status: ExitStatus.failed, error.description)
        }
    }
}
