import ArgumentParser

struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the agent's version, its wire protocol version and its libsodium version.")

    func run() {
        print(AgentVersion.summary)
    }
}
