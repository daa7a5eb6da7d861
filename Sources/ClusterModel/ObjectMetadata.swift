/// The `metadata` of a Service or a Pod, as far as the agent uses it.
public struct ObjectMetadata: Hashable, Sendable {
    public var name: String
    public var namespace: String
    public var labels: Labels
    /// Kept for Services only; SPEC.md §4 lists no annotations for Pods.
    public var annotations: [String: String]

    public static let defaultNamespace = "default"

    public init(name: String, namespace: String = ObjectMetadata.defaultNamespace, labels: Labels = [:], annotations: [String: String] = [:]) {
        self.name = name
        self.namespace = namespace
        self.labels = labels
        self.annotations = annotations
    }
}
