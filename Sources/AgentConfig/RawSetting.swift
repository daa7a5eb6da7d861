/// One key's value as a source gave it, before it is checked, with where it came from.
struct RawSetting {
    enum Value {
        case text(String)
        /// `--join`, `AGENT_JOIN`, or a YAML sequence, whose items may each have a line.
        case list([Item])
        /// Labels from a YAML mapping; flags and environment give `k=v` text in a `.list`.
        case pairs([(key: String, value: String, origin: ConfigurationError.Origin)])
        case boolean(Bool)
        case loadBalancer(LoadBalancerConfiguration)
    }

    struct Item {
        let text: String
        let origin: ConfigurationError.Origin
    }

    let key: ConfigurationKey
    let value: Value
    let origin: ConfigurationError.Origin

    /// The value of a literal default from the table.
    static func defaultValue(of key: ConfigurationKey) -> RawSetting? {
        guard case .literal(let text) = key.row.default else { return nil }
        return RawSetting(key: key, value: .text(text), origin: .defaultValue(key))
    }

    /// The flags the CLI parsed, in table order.
    static func flags(_ layer: ConfigurationLayer) -> [RawSetting] {
        ConfigurationKey.allCases.compactMap { key in
            guard let given = layer[key], let flag = key.row.flag else { return nil }
            let origin = ConfigurationError.Origin.flag(flag)
            let value: Value =
                switch (given, key.row.shape) {
                case (.strings(let texts), .list), (.strings(let texts), .labels):
                    .list(texts.map { Item(text: $0, origin: origin) })
                case (.string(let text), .list), (.string(let text), .labels): .list([Item(text: text, origin: origin)])
                // A repeated single-valued option: the last one wins, as argument-parser does.
                case (.strings(let texts), _): .text(texts.last ?? "")
                case (.string(let text), _): .text(text)
                case (.bool(let flag), .boolean): .boolean(flag)
                case (.bool(let flag), _): .text(String(flag))
                }
            return RawSetting(key: key, value: value, origin: origin)
        }
    }

    /// `AGENT_*` variables, in table order. An empty variable counts as unset, as in most
    /// environment files, so that `AGENT_JOIN=` does not need to be deleted to be ignored.
    static func environment(_ environment: [String: String]) -> [RawSetting] {
        ConfigurationKey.allCases.compactMap { key in
            guard let name = key.row.environmentVariable, let text = environment[name], !text.isEmpty else { return nil }
            let origin = ConfigurationError.Origin.environment(name)
            let value: Value =
                switch key.row.shape {
                case .list, .labels: .list(ValueSyntax.commaSeparated(text).map { Item(text: $0, origin: origin) })
                case .text, .boolean, .section: .text(text)
                }
            return RawSetting(key: key, value: value, origin: origin)
        }
    }
}
