import Catalog
import ClusterModel
import ControlAPI
import Foundation
import NIOCore

/// `GET /v1/services`, `/v1/pods`, `/v1/endpoints`, `/v1/nodes`: Kubernetes-shaped objects
/// made from a snapshot of the catalog and the member table, filtered by the query's
/// `namespace` and `name`; with `watch=true`, a stream of watch events, one JSON object a line.
extension CatalogRoutes {
    struct Read<Item: Codable & Equatable & Sendable>: Sendable {
        var path: String
        /// kubectl's plural, for `services "x" not found`.
        var plural: String
        var select: @Sendable (CatalogView, _ namespace: String?, _ name: String?) -> [Item]
        var key: @Sendable (Item) -> String
    }

    static func addReads(to router: inout ControlRouter, catalog: CatalogNode, gossip: GossipNode) {
        add(
            Read(path: V1.Path.services, plural: "services", select: { $0.services(namespace: $1, name: $2) }, key: { namespacedName($0.metadata) }),
            to: &router, catalog: catalog, gossip: gossip)
        add(
            Read(path: V1.Path.pods, plural: "pods", select: { $0.pods(namespace: $1, name: $2) }, key: { namespacedName($0.metadata) }),
            to: &router, catalog: catalog, gossip: gossip)
        add(
            Read(path: V1.Path.endpoints, plural: "endpoints", select: { $0.endpoints(namespace: $1, name: $2) }, key: { namespacedName($0.metadata) }),
            to: &router, catalog: catalog, gossip: gossip)
        add(
            Read(path: V1.Path.nodes, plural: "nodes", select: { view, _, name in view.nodes(name: name) }, key: { $0.metadata.name }),
            to: &router, catalog: catalog, gossip: gossip)
    }

    private static func namespacedName(_ metadata: Kube.ObjectMeta) -> String {
        "\(metadata.namespace ?? "")/\(metadata.name)"
    }

    private static func add<Item>(_ read: Read<Item>, to router: inout ControlRouter, catalog: CatalogNode, gossip: GossipNode) {
        router.add("GET", read.path) { request in
            let namespace = request.query["namespace"].flatMap { $0.isEmpty ? nil : $0 }
            let name = request.query["name"].flatMap { $0.isEmpty ? nil : $0 }
            if request.query["watch"] == "true" {
                return .stream(watch(read, namespace: namespace, name: name, catalog: catalog, gossip: gossip))
            }
            guard let view = await view(catalog: catalog, gossip: gossip) else { return .error(status: 503, message: "the agent is stopping") }
            let items = read.select(view, namespace, name)
            if let name, items.isEmpty { return .error(status: 404, message: "\(read.plural) \"\(name)\" not found") }
            return .json(Kube.List(items: items))
        }
    }

    static func view(catalog: CatalogNode, gossip: GossipNode) async -> CatalogView? {
        guard let snapshot = try? await catalog.snapshot().get(), let members = try? await gossip.members().get() else { return nil }
        return CatalogView(replica: snapshot.replica, conflicts: snapshot.conflicts, members: members, now: WallClock.now())
    }

    /// An `ADDED` event for each object there is, then one event per change, until the
    /// client goes away. Changes that come faster than a view is made are folded together.
    private static func watch<Item>(
        _ read: Read<Item>, namespace: String?, name: String?, catalog: CatalogNode, gossip: GossipNode
    ) -> AsyncStream<[UInt8]> {
        let (ticks, tick) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let (chunks, output) = AsyncStream.makeStream(of: [UInt8].self)
        let producer = Task {
            let cancel = try? await catalog.observe { tick.yield() }.get()
            defer { cancel?() }
            var shown: [Item] = []
            tick.yield()
            for await _ in ticks {
                guard let view = await view(catalog: catalog, gossip: gossip) else { break }
                let current = read.select(view, namespace, name)
                for event in watchEvents(from: shown, to: current, key: read.key) {
                    guard let line = try? ControlJSON.makeEncoder().encode(event) else { continue }
                    output.yield(Array(line) + [UInt8(ascii: "\n")])
                }
                shown = current
            }
            output.finish()
        }
        output.onTermination = { _ in
            producer.cancel()
            tick.finish()
        }
        return chunks
    }
}
