import ArgumentParser
import ControlAPI

/// `agent describe service|pod NAME`: one object in kubectl describe's layout.
struct Describe: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show one Service (with its endpoints) or one Pod in detail.")

    @OptionGroup var control: ControlOptions

    @Argument(help: ArgumentHelp("service (svc) or pod (po).", valueName: "resource"))
    var resource: String

    @Argument(help: ArgumentHelp("The object's name.", valueName: "name"))
    var name: String

    @Option(name: .shortAndLong, help: ArgumentHelp("The namespace (default \"default\").", valueName: "namespace"))
    var namespace: String?

    static let describable: [ResourceType] = [.services, .pods]

    func validate() throws {
        do throws(CommandFailure) {
            _ = try ResourceType.parse(resource, accepting: Self.describable)
        } catch {
            throw ValidationError(error.message)
        }
    }

    func run() throws {
        switch try ResourceType.parse(resource, accepting: Self.describable) {
        case .pods:
            print(KubectlDescribe.pod(try fetch(Kube.Pod.self)), terminator: "")
        default:
            let service = try fetch(Kube.Service.self)
            // The Service exists; its Endpoints may not have been derived yet.
            let endpoints = try control.callUnlessNotFound { client throws(ControlClientError) in
                try client.request("GET", target(.endpoints), as: Kube.List<Kube.Endpoints>.self).items.first
            }
            print(KubectlDescribe.service(service, endpoints: endpoints ?? nil), terminator: "")
        }
    }

    private func target(_ type: ResourceType) -> String {
        ControlRequest.target(type.path, query: ["namespace": namespace ?? "default", "name": name])
    }

    private func fetch<Object: ListedObject>(_: Object.Type) throws -> Object {
        let objects = try control.call(notFound: Object.resource.notFound(name)) { client throws(ControlClientError) in
            try client.request("GET", target(Object.resource), as: Kube.List<Object>.self).items
        }
        guard let object = objects.first else { throw Object.resource.notFound(name) }
        return object
    }
}
