import ArgumentParser
import ControlAPI
import Foundation

/// `-o wide|json|yaml` of `agent get`.
enum GetOutput: String, ExpressibleByArgument, CaseIterable {
    case wide, json, yaml
}

struct Get: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List Services, Pods, Endpoints or Nodes, as kubectl get does.",
        discussion: """
            RESOURCE is \(ResourceType.list(ResourceType.allCases)). Without -n or -A, the "default" \
            namespace. Prints "No resources found" on standard error and exits 0 when there is nothing to list.
            """
    )

    @OptionGroup var control: ControlOptions

    @Argument(help: ArgumentHelp("What to list: services, pods, endpoints or nodes.", valueName: "resource"))
    var resource: String

    @Argument(help: ArgumentHelp("One object's name; every object when absent.", valueName: "name"))
    var name: String?

    @Option(name: .shortAndLong, help: ArgumentHelp("The namespace (default \"default\").", valueName: "namespace"))
    var namespace: String?

    @Flag(name: [.customShort("A"), .customLong("all-namespaces")], help: "Every namespace.")
    var allNamespaces = false

    @Option(name: .shortAndLong, help: "Output format: wide, json or yaml (default: a table).")
    var output: GetOutput?

    @Flag(name: .shortAndLong, help: "After the current objects, print each change as it happens, until interrupted.")
    var watch = false

    func validate() throws {
        let type: ResourceType
        do throws(CommandFailure) {
            type = try ResourceType.parse(resource)
        } catch {
            throw ValidationError(error.message)
        }
        if allNamespaces && namespace != nil { throw ValidationError("give either -n NAMESPACE or -A (every namespace), not both") }
        if allNamespaces && name != nil && type.isNamespaced {
            throw ValidationError("a name is only unique within a namespace: give -n NAMESPACE instead of -A with \(name ?? "")")
        }
    }

    func run() throws {
        switch try ResourceType.parse(resource) {
        case .services: try list(Kube.Service.self)
        case .pods: try list(Kube.Pod.self)
        case .endpoints: try list(Kube.Endpoints.self)
        case .nodes: try list(Kube.Node.self)
        }
    }

    /// The namespace asked for: nil for every namespace, and for nodes, which have none.
    private func namespaceFilter(_ type: ResourceType) -> String? {
        guard type.isNamespaced, !allNamespaces else { return nil }
        return namespace ?? "default"
    }

    private func target<Object: ListedObject>(_: Object.Type, watching: Bool = false) -> String {
        ControlRequest.target(
            Object.resource.path,
            query: ["namespace": namespaceFilter(Object.resource), "name": name, "watch": watching ? "true" : nil])
    }

    private func list<Object: ListedObject>(_ type: Object.Type) throws {
        if watch, output == .json || output == .yaml { return try watchDocuments(type) }
        let objects = try control.call(notFound: Object.resource.notFound(name ?? "")) { client throws(ControlClientError) in
            try client.request("GET", target(type), as: Kube.List<Object>.self).items
        }
        switch output {
        case .json:
            standardOutput(
                try name != nil && objects.count == 1 ? ObjectOutput.json(objects[0]) : ObjectOutput.json(Kube.List(items: objects)))
        case .yaml:
            standardOutput(
                try name != nil && objects.count == 1 ? ObjectOutput.yaml(objects[0]) : ObjectOutput.yaml(Kube.List(items: objects)))
        case .wide, nil:
            if objects.isEmpty {
                standardError(noResourcesMessage(Object.resource))
            } else {
                standardOutput(KubectlTable.render(objects, wide: output == .wide, now: Date()))
            }
            if watch { try watchRows(type, shown: objects) }
        }
    }

    /// kubectl's words, which scripts match on.
    private func noResourcesMessage(_ type: ResourceType) -> String {
        guard let namespace = namespaceFilter(type) else { return "No resources found" }
        return "No resources found in \(namespace) namespace."
    }

    /// `get -w`: after the table of current objects, one row per change. The watch starts
    /// with an ADDED for every current object; those already in the table are not repeated.
    private func watchRows<Object: ListedObject>(_ type: Object.Type, shown: [Object]) throws {
        let wide = output == .wide
        var unrepeated = Dictionary(shown.map { ($0.listingKey, $0) }, uniquingKeysWith: { first, _ in first })
        var widths: [Int]? =
            shown.isEmpty ? nil : TextTable.widths(of: [Object.header(wide: wide)] + shown.map { $0.row(wide: wide, now: Date()) })
        try eachEvent(type) { event in
            let earlier = unrepeated.removeValue(forKey: event.object.listingKey)
            if event.type == .added && earlier == event.object { return }
            let row = event.object.row(wide: wide, now: Date())
            if widths == nil {
                let header = Object.header(wide: wide)
                widths = TextTable.widths(of: [header, row])
                standardOutput(TextTable.line(header, widths: widths ?? []))
            }
            standardOutput(TextTable.line(row, widths: widths ?? []))
        }
    }

    /// `get -w -o json|yaml`: every object of the watch as it comes, the current ones first;
    /// JSON one object a line, YAML one document each.
    private func watchDocuments<Object: ListedObject>(_ type: Object.Type) throws {
        try eachEvent(type) { event in
            standardOutput(output == .yaml ? try "---\n" + ObjectOutput.yaml(event.object) : try ObjectOutput.jsonLine(event.object))
        }
    }

    /// Streams the watch until the agent ends it; each line is one ``Kube/WatchEvent``.
    private func eachEvent<Object: ListedObject>(_: Object.Type, _ handle: (Kube.WatchEvent<Object>) throws -> Void) throws {
        var failure: (any Error)?
        try control.call(notFound: Object.resource.notFound(name ?? "")) { client throws(ControlClientError) in
            try client.stream("GET", target(Object.self, watching: true)) { line in
                guard !line.isEmpty else { return true }
                do {
                    try handle(try ControlJSON.makeDecoder().decode(Kube.WatchEvent<Object>.self, from: Data(line.utf8)))
                    return true
                } catch {
                    failure = error
                    return false
                }
            }
        }
        if let failure {
            throw CommandFailure(
                status: ExitStatus.failed,
                "the agent's watch sent a line this CLI cannot read (is the CLI the same version as the agent?): \(failure)")
        }
    }
}
