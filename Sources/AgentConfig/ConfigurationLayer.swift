/// Values as the user gave them on the command line, before they are checked.
///
/// The CLI fills it from its parsed options, leaving out every flag the user did not pass:
/// a key present here overrides the environment and the config file.
public struct ConfigurationLayer: Sendable, Equatable {
    public enum Value: Sendable, Equatable {
        /// One value: `--bind 0.0.0.0:7950`.
        case string(String)
        /// A repeatable flag: every `--join` or `--label k=v`, in order.
        case strings([String])
        /// A flag without a value: `--insecure-dev`.
        case bool(Bool)
    }

    public var values: [ConfigurationKey: Value]

    public init(_ values: [ConfigurationKey: Value] = [:]) {
        self.values = values
    }

    public subscript(key: ConfigurationKey) -> Value? {
        get { values[key] }
        set { values[key] = newValue }
    }

    /// Sets `key` when the option was given (non-nil), leaves it out otherwise.
    public mutating func set(_ key: ConfigurationKey, _ value: String?) {
        if let value { values[key] = .string(value) }
    }

    /// Sets a repeatable `key` when the option was given at least once.
    public mutating func set(_ key: ConfigurationKey, _ values: [String]) {
        if !values.isEmpty { self.values[key] = .strings(values) }
    }

    /// Sets a flag `key` when it was passed (true); an absent flag leaves the lower layers in charge.
    public mutating func set(_ key: ConfigurationKey, _ flag: Bool) {
        if flag { values[key] = .bool(true) }
    }
}
