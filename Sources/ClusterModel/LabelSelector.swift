/// A Service's `spec.selector`: labels a Pod must all carry, with the same values.
///
/// An empty selector selects nothing, as in Kubernetes, where a Service without a selector
/// gets no endpoints of its own.
public struct LabelSelector: Hashable, Sendable, Codable, ExpressibleByDictionaryLiteral, CustomStringConvertible {
    public var matchLabels: Labels

    public init(_ matchLabels: Labels = [:]) {
        self.matchLabels = matchLabels
    }

    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(Labels(Dictionary(elements, uniquingKeysWith: { _, last in last })))
    }

    public init(from decoder: any Decoder) throws {
        self.matchLabels = try Labels(from: decoder)
    }

    public func encode(to encoder: any Encoder) throws {
        try matchLabels.encode(to: encoder)
    }

    public var selectsNothing: Bool { matchLabels.isEmpty }

    public func matches(_ labels: Labels) -> Bool {
        !matchLabels.isEmpty && matchLabels.values.allSatisfy { labels[$0.key] == $0.value }
    }

    /// As kubectl's SELECTOR column: `app=nginx,tier=web`, or `<none>`.
    public var description: String { matchLabels.description }
}
