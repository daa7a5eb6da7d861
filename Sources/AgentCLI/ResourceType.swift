import ControlAPI

/// The kinds of object `agent get`, `describe` and `delete` name, with kubectl's short names.
enum ResourceType: String, CaseIterable {
    case services, pods, endpoints, nodes

    /// Every spelling kubectl accepts for the kinds we serve.
    private static let spellings: [String: ResourceType] = [
        "services": .services, "service": .services, "svc": .services,
        "pods": .pods, "pod": .pods, "po": .pods,
        "endpoints": .endpoints, "endpoint": .endpoints, "ep": .endpoints,
        "nodes": .nodes, "node": .nodes, "no": .nodes,
    ]

    /// Parses what the user typed; `accepted` limits the kinds (e.g. `describe` has no nodes).
    /// - Throws: a message listing what is accepted.
    static func parse(_ text: String, accepting accepted: [ResourceType] = allCases) throws(CommandFailure) -> ResourceType {
        guard let type = spellings[text.lowercased()], accepted.contains(type) else {
            throw .badInput("unknown resource type \"\(text)\"; expected \(list(accepted))")
        }
        return type
    }

    /// `services (svc), pods (po) or nodes (no)`, for help and messages.
    static func list(_ types: [ResourceType]) -> String {
        let names = types.map(\.withShortName)
        guard names.count > 1 else { return names.joined() }
        return names.dropLast().joined(separator: ", ") + " or " + (names.last ?? "")
    }

    var withShortName: String { "\(rawValue) (\(shortName))" }

    var shortName: String {
        switch self {
        case .services: "svc"
        case .pods: "po"
        case .endpoints: "ep"
        case .nodes: "no"
        }
    }

    /// Where the control API lists this kind.
    var path: String {
        switch self {
        case .services: V1.Path.services
        case .pods: V1.Path.pods
        case .endpoints: V1.Path.endpoints
        case .nodes: V1.Path.nodes
        }
    }

    /// Nodes belong to no namespace.
    var isNamespaced: Bool { self != .nodes }

    /// kubectl's `Error from server (NotFound): services "x" not found`, exit 1.
    func notFound(_ name: String) -> CommandFailure {
        CommandFailure.notFound("\(rawValue) \"\(name)\" not found")
    }
}
