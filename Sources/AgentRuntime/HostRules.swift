import DataPlane

/// What `agent rules` and `agent cleanup` do: read this host's rules (and the agent's pod
/// routes) as they are installed, and remove every one the agent owns.
public enum HostRules {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// The agent's chains and jumps as installed now, in iptables-save's format.
    public static func installed() throws(Failure) -> RuleSet {
        var text = ""
        for table in Table.allCases {
            text += try run(["iptables-save", "-t", table.rawValue])
        }
        return RuleSet(iptablesSave: text)
    }

    public struct Removed: Sendable {
        public var chains: Int
        public var jumps: Int
        public var routes: Int
    }

    /// Removes every chain, jump and route the agent owns; everyone else's stay as they are.
    public static func cleanUp() throws(Failure) -> Removed {
        let rules = try installed()
        if let text = RuleTransaction.removal(of: rules) {
            _ = try run(["iptables-restore", "--noflush", "--wait"], input: text)
        }
        let routes = PodRouting.installed(try run(["ip", "-4", "route", "show", "proto", "\(PodRouting.routeProtocol)"]))
        for command in PodRouting.commands(from: routes, to: []) { _ = try run(["ip"] + command) }
        return Removed(
            chains: rules.nat.chains.count + rules.filter.chains.count, jumps: rules.nat.jumps.count + rules.filter.jumps.count,
            routes: routes.count)
    }

    private static func run(_ arguments: [String], input: String? = nil) throws(Failure) -> String {
        do {
            return try HostCommand.runBlocking(arguments, input: input, accepting: [0])
        } catch {
            throw Failure(description: "\(error.description) (the agent's rules are root's to read and change)")
        }
    }
}
