/// The netfilter rules the agent owns on one host, per table: its `AGENT-` chains with
/// their rules, and its jumps into the built-in chains. Both the planner's output and what
/// is read back from `iptables-save`, in iptables-save's own text so that the two compare.
public struct RuleSet: Hashable, Sendable {
    public var nat: TableRules
    public var filter: TableRules

    public init(nat: TableRules = TableRules(), filter: TableRules = TableRules()) {
        self.nat = nat
        self.filter = filter
    }

    public subscript(table: Table) -> TableRules {
        get {
            switch table {
            case .nat: nat
            case .filter: filter
            }
        }
        // In place, not get-then-set: reading back 120,000 rules appends to one table's
        // chains 120,000 times, and a copy each time made that quadratic (45 s at 10,000
        // Services; found by the data-plane benchmark).
        _modify {
            switch table {
            case .nat: yield &nat
            case .filter: yield &filter
            }
        }
        set {
            switch table {
            case .nat: nat = newValue
            case .filter: filter = newValue
            }
        }
    }

    /// The rules as `iptables-save` prints them (without its comments and counters): what
    /// `agent rules` shows.
    public var saveText: String {
        Table.allCases.map { table in self[table].saveText(table) }.joined()
    }
}

public enum Table: String, CaseIterable, Hashable, Sendable {
    case filter
    case nat
}

/// One table's share of a ``RuleSet``.
public struct TableRules: Hashable, Sendable {
    /// Each `AGENT-` chain's rules, each the text after `-A CHAIN `.
    public var chains: [String: [String]]
    /// The jumps into built-in chains, in the order they stand at the top of each.
    public var jumps: [Jump]

    public init(chains: [String: [String]] = [:], jumps: [Jump] = []) {
        self.chains = chains
        self.jumps = jumps
    }

    func saveText(_ table: Table) -> String {
        var lines = ["*\(table.rawValue)"]
        lines += chains.keys.sorted().map { ":\($0) - [0:0]" }
        // iptables-save lists built-in chains first (in the kernel's order), then the others
        // by name; each chain's rules in order.
        for chain in Jump.builtInChains(of: table) {
            lines += jumps.filter { $0.chain == chain }.map { "-A \(chain) \($0.rule)" }
        }
        for name in chains.keys.sorted() {
            lines += chains[name]!.map { "-A \(name) \($0)" }
        }
        lines.append("COMMIT")
        return lines.joined(separator: "\n") + "\n"
    }
}

/// A rule in a built-in chain that jumps to one of the agent's chains.
public struct Jump: Hashable, Sendable {
    public var chain: String
    /// The text after `-A CHAIN `, ending in `-j AGENT-…`.
    public var rule: String

    public init(chain: String, rule: String) {
        self.chain = chain
        self.rule = rule
    }

    static func builtInChains(of table: Table) -> [String] {
        switch table {
        case .filter: ["INPUT", "FORWARD", "OUTPUT"]
        case .nat: ["PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"]
        }
    }
}

/// What the agent's chains are called: `AGENT-` then a fixed word or a hash.
public enum ChainName {
    public static let prefix = "AGENT-"

    public static func isOwned(_ chain: String) -> Bool { chain.hasPrefix(prefix) }

    /// `AGENT-` + `kind` + `-` + 13 characters of base32: a stable name for `identity` (a
    /// Service port, say) within iptables' 28-character limit. 64 bits of hash: two of
    /// 10,000 Services share a name with odds of about 1 in 10^11.
    public static func hashed(_ kind: String, _ identity: String) -> String {
        "\(prefix)\(kind)-\(base32(fnv1a64(identity)))"
    }

    static func fnv1a64(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return hash
    }

    /// 13 characters of RFC 4648 base32 (no padding): 64 bits, most significant first.
    static func base32(_ value: UInt64) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        var characters: [Character] = []
        for index in 0..<13 {
            let shift = 64 - 5 * (index + 1)
            let digit = shift >= 0 ? (value >> UInt64(shift)) & 31 : (value << UInt64(-shift)) & 31
            characters.append(alphabet[Int(digit)])
        }
        return String(characters)
    }
}
