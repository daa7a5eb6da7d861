import ArgumentParser
import ControlAPI

/// `agent apply -f FILE`: every file in one request, applied all together or not at all.
struct Apply: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create or update Services and Pods from manifests.",
        discussion: """
            Services and Pods, YAML or JSON, several documents a file, kind List too. All files \
            are applied together or not at all; the command returns once the change is durable \
            on this node. Prints service/NAME created, configured or unchanged for each object.
            """
    )

    @OptionGroup var control: ControlOptions
    @OptionGroup var manifests: ManifestFiles

    func validate() throws {
        guard !manifests.files.isEmpty else { throw ValidationError("name at least one manifest: -f FILE, or -f - for standard input") }
    }

    func run() throws {
        let request = V1.ApplyRequest(manifests: try manifests.read())
        let response = try control.call { client throws(ControlClientError) in
            try client.request("POST", V1.Path.apply, json: request, as: V1.ApplyResponse.self)
        }
        for warning in response.warnings { standardError("Warning: \(warning)") }
        for result in response.results {
            print("\(result.object.kind.lowercased())/\(result.object.name) \(result.action)")
        }
    }
}
