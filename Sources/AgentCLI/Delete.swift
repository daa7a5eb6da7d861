import ArgumentParser
import ControlAPI

/// `agent delete -f FILE` or `agent delete service|pod NAME...`, with kubectl's output.
struct Delete: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Delete Services or Pods, named or as in manifests.",
        discussion: """
            Prints service "NAME" deleted for each object deleted; one that does not exist is \
            reported as kubectl does (Error from server (NotFound)) and the command exits 1.
            """
    )

    @OptionGroup var control: ControlOptions
    @OptionGroup var manifests: ManifestFiles

    @Argument(help: ArgumentHelp("service (svc) or pod (po), then one or more names.", valueName: "resource> <name"))
    var arguments: [String] = []

    @Option(name: .shortAndLong, help: ArgumentHelp("The namespace of the named objects (default \"default\").", valueName: "namespace"))
    var namespace: String?

    static let deletable: [ResourceType] = [.services, .pods]

    func validate() throws {
        if manifests.files.isEmpty {
            guard let resource = arguments.first, arguments.count >= 2 else {
                throw ValidationError("name what to delete: -f FILE, or service|pod NAME (e.g. `agent delete service my-nginx`)")
            }
            do throws(CommandFailure) {
                _ = try ResourceType.parse(resource, accepting: Self.deletable)
            } catch {
                throw ValidationError(error.message)
            }
        } else if !arguments.isEmpty {
            throw ValidationError("give either -f FILE or service|pod NAME, not both (unexpected \(arguments.joined(separator: " ")))")
        }
    }

    func run() throws {
        var request = V1.DeleteRequest(manifests: try manifests.read())
        if let resource = arguments.first {
            let kind = try ResourceType.parse(resource, accepting: Self.deletable) == .services ? "service" : "pod"
            request.objects = arguments.dropFirst().map {
                V1.ObjectReference(kind: kind, namespace: namespace ?? "default", name: $0)
            }
        }
        let answer = try control.callUnlessNotFound { client throws(ControlClientError) in
            try client.request("POST", V1.Path.delete, json: request, as: V1.DeleteResponse.self)
        }
        // No answer is a 404: none of the objects exists.
        if answer == nil && request.objects.isEmpty {
            throw CommandFailure.notFound("none of the objects in \(request.manifests.map(\.file).joined(separator: ", ")) exists")
        }
        let response = answer ?? V1.DeleteResponse(results: request.objects.map { V1.ObjectResult(object: $0, action: "not found") })
        var missing = false
        for result in response.results {
            if result.action == "deleted" {
                print("\(result.object.kind.lowercased()) \"\(result.object.name)\" deleted")
            } else {
                missing = true
                standardError(Self.notFoundLine(result.object))
            }
        }
        if missing { throw CommandFailure.alreadyReported(status: ExitStatus.failed) }
    }

    /// `services "x" not found`
    static func notFoundMessage(_ object: V1.ObjectReference) -> String {
        "\(object.kind.lowercased())s \"\(object.name)\" not found"
    }

    static func notFoundLine(_ object: V1.ObjectReference) -> String {
        let failure = CommandFailure.notFound(notFoundMessage(object))
        return failure.prefix + failure.message
    }
}
