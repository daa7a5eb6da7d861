import Catalog
import ClusterModel
import Manifests

/// What `agent apply` did to one object, as kubectl words it.
enum ApplyAction: String, Sendable {
    case created, configured, unchanged
}

/// Applies manifests to a replication core, all or nothing: every object is checked and
/// written on `instance`, which the caller passes as a copy and keeps only when this
/// returns; the first refusal of any object leaves the caller's core as it was.
///
/// An object equal to what the catalog holds is `unchanged` and not written again, so a
/// re-apply sends nothing and keeps its version. A Pod applied without `spec.nodeName` keeps
/// the node it already has (or gets this one, when new); its reported readiness is kept while
/// its containers are unchanged, as a kubelet keeps a Pod's status.
struct CatalogApplier<Peer: Hashable & Sendable> {
    var instance: CatalogSync.Instance<Peer>
    let now: Timestamp

    private(set) var actions: [(key: ObjectKey, action: ApplyAction)] = []
    private(set) var directives: [CatalogSync.Instance<Peer>.Directive] = []

    mutating func apply(_ objects: [ManifestObject], random: inout some RandomNumberGenerator) throws(ManifestError) {
        let ranges = instance.settings.allocation
        for object in objects {
            switch object.resource {
            case .service(let service):
                try validateNodePorts(service, range: ranges.nodePorts, origin: object.origin)
                try validateClusterIP(service, cidr: ranges.serviceCIDR, origin: object.origin)
                try apply(service, origin: object.origin, random: &random)
            case .pod(let pod):
                try apply(pod, origin: object.origin, random: &random)
            }
        }
    }

    private mutating func apply(_ service: KubernetesService, origin: ManifestOrigin, random: inout some RandomNumberGenerator) throws(ManifestError) {
        let existing = instance.replica[service.key]?.service
        if existing?.service == service {
            actions.append((service.key, .unchanged))
            return
        }
        do {
            directives += try instance.apply(service, now: now, random: &random)
        } catch {
            throw Self.manifestError(error, service: service, origin: origin)
        }
        actions.append((service.key, existing == nil ? .created : .configured))
    }

    private mutating func apply(_ pod: Pod, origin: ManifestOrigin, random: inout some RandomNumberGenerator) throws(ManifestError) {
        var pod = pod
        let existing = instance.replica[pod.key]?.pod
        if let existing {
            if pod.spec.nodeName == nil { pod.spec.nodeName = existing.spec.nodeName }
            if pod.spec.containers == existing.spec.containers && pod.spec.nodeName == existing.spec.nodeName {
                pod.status.ready = existing.status.ready
            }
            if pod == existing {
                actions.append((pod.key, .unchanged))
                return
            }
        }
        do {
            directives += try instance.apply(pod, now: now, random: &random)
        } catch {
            throw ManifestError(file: origin.file, line: origin.line, field: nil, message: error.description)
        }
        actions.append((pod.key, existing == nil ? .created : .configured))
    }

    /// An allocation refusal, pointed at the field that asked for the value.
    static func manifestError(_ error: CatalogSync.WriteError, service: KubernetesService, origin: ManifestOrigin) -> ManifestError {
        guard case .allocation(let allocation) = error else {
            return ManifestError(file: origin.file, line: origin.line, field: nil, message: error.description)
        }
        let field: String
        switch allocation {
        case .clusterIPTaken, .clusterIPOutsideRange, .clusterIPImmutable, .noFreeClusterIP:
            field = "spec.clusterIP"
        case .nodePortTaken(let port, _), .nodePortOutsideRange(let port, _):
            let index = service.spec.ports.firstIndex { $0.nodePort == port }
            field = index.map { "spec.ports[\($0)].nodePort" } ?? "spec.ports"
        case .noFreeNodePort:
            field = "spec.ports"
        }
        return origin.error(field: field, allocation.description + Self.advice(allocation))
    }

    private static func advice(_ error: AllocationError) -> String {
        switch error {
        case .clusterIPTaken, .nodePortTaken: " (choose a free one, or leave it out to have one allocated)"
        case .clusterIPImmutable: " (delete the Service and apply it again to change it)"
        default: ""
        }
    }
}
