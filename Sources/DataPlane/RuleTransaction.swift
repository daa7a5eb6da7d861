/// The `iptables-restore --noflush` input that takes the installed rules to the desired
/// ones, touching only the agent's chains and jumps, and of those only what differs.
///
/// In one table's transaction: every chain to write is declared first (declaring an
/// existing chain flushes it), then written; jumps that moved are deleted and inserted at
/// the top of their built-in chain; chains no longer wanted are flushed, then deleted last,
/// once nothing refers to them. iptables-restore commits each table at once, so no packet
/// ever meets a half-written Service.
public enum RuleTransaction {
    /// nil when the installed rules are already the desired ones.
    public static func text(from installed: RuleSet, to desired: RuleSet) -> String? {
        var text = ""
        for table in Table.allCases {
            if let body = tableText(from: installed[table], to: desired[table], table: table) {
                text += "*\(table.rawValue)\n\(body)COMMIT\n"
            }
        }
        return text.isEmpty ? nil : text
    }

    /// Every rule and chain the agent owns removed: what `agent cleanup` sends.
    public static func removal(of installed: RuleSet) -> String? {
        text(from: installed, to: RuleSet())
    }

    static func tableText(from installed: TableRules, to desired: TableRules, table: Table) -> String? {
        let written = desired.chains.keys.filter { installed.chains[$0] != desired.chains[$0] }.sorted()
        let stale = installed.chains.keys.filter { desired.chains[$0] == nil }.sorted()
        let movedJumps = Jump.builtInChains(of: table).filter { chain in
            installed.jumps.filter { $0.chain == chain } != desired.jumps.filter { $0.chain == chain }
        }
        guard !written.isEmpty || !stale.isEmpty || !movedJumps.isEmpty else { return nil }

        var lines: [String] = []
        lines += (written + stale).map { ":\($0) - [0:0]" }
        for chain in written {
            lines += desired.chains[chain]!.map { "-A \(chain) \($0)" }
        }
        for chain in movedJumps {
            lines += installed.jumps.filter { $0.chain == chain }.map { "-D \(chain) \($0.rule)" }
            lines += desired.jumps.filter { $0.chain == chain }.enumerated().map { "-I \(chain) \($0.offset + 1) \($0.element.rule)" }
        }
        lines += stale.map { "-X \($0)" }
        return lines.joined(separator: "\n") + "\n"
    }
}

extension RuleSet {
    /// The agent's share of `iptables-save` output (of the nat and filter tables): its
    /// `AGENT-` chains, and the rules of built-in chains that jump to them.
    public init(iptablesSave text: some StringProtocol) {
        self.init()
        var table: Table?
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            if line.hasPrefix("*") {
                table = Table(rawValue: String(line.dropFirst()))
            } else if let table, line.hasPrefix(":") {
                let name = String(line.dropFirst().prefix { $0 != " " })
                if ChainName.isOwned(name) { self[table].chains[name] = self[table].chains[name] ?? [] }
            } else if let table, line.hasPrefix("-A ") {
                let rest = line.dropFirst(3)
                let chain = String(rest.prefix { $0 != " " })
                let rule = String(rest.dropFirst(chain.count + 1))
                if ChainName.isOwned(chain) {
                    self[table].chains[chain, default: []].append(rule)
                } else if rule.contains("-j \(ChainName.prefix)") {
                    self[table].jumps.append(Jump(chain: chain, rule: rule))
                }
            }
        }
    }
}
