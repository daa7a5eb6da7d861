/// Why `agent run` cannot start with the configuration it was given: which flag, environment
/// variable or config file line, and what would have been accepted. `agent run` exits 2 on it.
public struct ConfigurationError: Error, Equatable, CustomStringConvertible {
    /// Where the refused value (or the missing one) came from.
    public enum Origin: Sendable, Equatable, CustomStringConvertible {
        /// `--bind`.
        case flag(String)
        /// `AGENT_BIND`.
        case environment(String)
        /// The config file; `key` is the dotted path of the key when the problem is its value.
        case file(path: String, line: Int?, key: String?)
        /// A key nobody set, whose default could not be worked out.
        case defaultValue(ConfigurationKey)

        public var description: String {
            switch self {
            case .flag(let flag): "flag \(flag)"
            case .environment(let name): "environment \(name)"
            case .file(let path, let line, let key):
                [line.map { "\(path):\($0)" } ?? path, key.map { "key \"\($0)\"" }].compactMap { $0 }.joined(separator: ": ")
            case .defaultValue(let key): key.yamlKey
            }
        }
    }

    public let origin: Origin
    /// What is wrong and what would be accepted.
    public let problem: String

    public init(origin: Origin, problem: String) {
        self.origin = origin
        self.problem = problem
    }

    public var description: String { "\(origin): \(problem)" }
}

extension ConfigurationKey {
    /// "pass --pod-cidr, set AGENT_POD_CIDR, or set podCIDR in the config file": every way to give it.
    var howToSet: String {
        let ways = [row.flag.map { "pass \($0)" }, row.environmentVariable.map { "set \($0)" }, "set \(yamlKey) in the config file"]
        let list = ways.compactMap { $0 }
        return list.dropLast().joined(separator: ", ") + (list.count > 1 ? ", or " : "") + list.last!
    }
}
