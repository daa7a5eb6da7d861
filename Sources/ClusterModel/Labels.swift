/// A Kubernetes object's labels: keys mapped to values.
public struct Labels: Hashable, Sendable, Codable, ExpressibleByDictionaryLiteral, CustomStringConvertible {
    public var values: [String: String]

    public init(_ values: [String: String] = [:]) {
        self.values = values
    }

    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }

    public init(from decoder: any Decoder) throws {
        self.values = try decoder.singleValueContainer().decode([String: String].self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(values)
    }

    public subscript(key: String) -> String? {
        get { values[key] }
        set { values[key] = newValue }
    }

    public var isEmpty: Bool { values.isEmpty }

    /// `key=value` pairs sorted by key and joined by commas, as kubectl's LABELS column
    /// shows them; `<none>` when there are none.
    public var description: String {
        guard !values.isEmpty else { return "<none>" }
        return values.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
    }
}
