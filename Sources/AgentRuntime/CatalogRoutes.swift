import Catalog
import ClusterModel
import ControlAPI
import Manifests

/// The control socket's catalog endpoints: `apply` and `delete` here; what `get` and
/// `describe` read is in `CatalogRoutes+Read.swift`.
enum CatalogRoutes {
    static func add(to router: inout ControlRouter, catalog: CatalogNode, gossip: GossipNode) {
        router.add("POST", V1.Path.apply) { request in
            guard let body = try? request.decodeJSON(V1.ApplyRequest.self), !body.manifests.isEmpty else {
                return .error(status: 400, message: "expected {\"manifests\": [{\"file\": NAME, \"text\": YAML or JSON}, ...]} with at least one manifest")
            }
            return await apply(body.manifests, catalog: catalog)
        }
        router.add("POST", V1.Path.delete) { request in
            guard let body = try? request.decodeJSON(V1.DeleteRequest.self), !(body.manifests.isEmpty && body.objects.isEmpty) else {
                return .error(
                    status: 400,
                    message: "expected {\"manifests\": [{\"file\", \"text\"}]} or {\"objects\": [{\"kind\": \"service|pod\", \"namespace\", \"name\"}]}")
            }
            return await delete(body, catalog: catalog)
        }
        addReads(to: &router, catalog: catalog, gossip: gossip)
    }

    /// Every manifest decoded first: one bad object refuses the whole invocation.
    static func decode(_ manifests: [V1.Manifest]) -> Result<DecodedManifests, ManifestError> {
        var all = DecodedManifests(objects: [], warnings: [])
        for manifest in manifests {
            do {
                let decoded = try ManifestDecoder().decode(manifest.text, file: manifest.file)
                all.objects += decoded.objects
                all.warnings += decoded.warnings
            } catch {
                return .failure(error)
            }
        }
        return .success(all)
    }

    private static func apply(_ manifests: [V1.Manifest], catalog: CatalogNode) async -> ControlResponse {
        let decoded: DecodedManifests
        switch decode(manifests) {
        case .success(let value): decoded = value
        case .failure(let error): return .error(status: 400, message: error.description)
        }
        guard !decoded.objects.isEmpty else {
            return .error(status: 400, message: "\(manifests.map(\.file).joined(separator: ", ")): no objects to apply (expected kind: Service, Pod or List)")
        }
        do {
            let actions = try await catalog.apply(decoded.objects).get()
            return .json(
                V1.ApplyResponse(
                    results: actions.map { V1.ObjectResult(object: V1.ObjectReference($0.key), action: $0.action.rawValue) },
                    warnings: decoded.warnings.map(\.description)))
        } catch let error as ManifestError {
            return .error(status: 400, message: error.description)
        } catch {
            return .error(status: 500, message: "the change was not saved: \(error)")
        }
    }

    private static func delete(_ request: V1.DeleteRequest, catalog: CatalogNode) async -> ControlResponse {
        var keys: [ObjectKey] = []
        switch decode(request.manifests) {
        case .success(let decoded): keys += decoded.objects.map(\.key)
        case .failure(let error): return .error(status: 400, message: error.description)
        }
        for object in request.objects {
            guard let key = ObjectKey(object) else {
                return .error(status: 400, message: "kind \"\(object.kind)\" is not one the agent keeps (expected service or pod)")
            }
            keys.append(key)
        }
        do {
            let results = try await catalog.delete(keys).get()
            guard results.contains(where: \.deleted) else {
                return .error(status: 404, message: results.map { notFound($0.key) }.joined(separator: "\n"))
            }
            return .json(
                V1.DeleteResponse(
                    results: results.map { V1.ObjectResult(object: V1.ObjectReference($0.key), action: $0.deleted ? "deleted" : "not found") }))
        } catch {
            return .error(status: 500, message: "the delete was not saved: \(error)")
        }
    }
}

/// kubectl's wording: `services "my-nginx" not found`.
func notFound(_ key: ObjectKey) -> String {
    "\(key.kind == .service ? "services" : "pods") \"\(key.name)\" not found"
}

extension V1.ObjectReference {
    init(_ key: ObjectKey) {
        self.init(kind: key.kind == .service ? "service" : "pod", namespace: key.namespace, name: key.name)
    }
}

extension ObjectKey {
    init?(_ reference: V1.ObjectReference) {
        // The API's words (V1.ObjectReference); the CLI resolves kubectl's aliases.
        switch reference.kind {
        case "service": self.init(kind: .service, namespace: reference.namespace, name: reference.name)
        case "pod": self.init(kind: .pod, namespace: reference.namespace, name: reference.name)
        default: return nil
        }
    }
}
