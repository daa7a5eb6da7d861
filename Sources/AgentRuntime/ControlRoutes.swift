import AgentConfig
import ClusterModel
import ControlAPI
import Membership
import Sealing
import Wire

/// The control socket's version-1 endpoints, each a thin translation between JSON and the
/// membership shell.
enum ControlRoutes {
    static func router(node: GossipNode, catalog: CatalogNode, version: String, requestShutdown: @escaping @Sendable () -> Void) -> ControlRouter {
        var router = ControlRouter()
        CatalogRoutes.add(to: &router, catalog: catalog, gossip: node)
        router.add("GET", V1.Path.agent) { _ in
            .json(V1.Agent(node: node.name.rawValue, address: node.address.description, version: version))
        }
        router.add("GET", V1.Path.leader) { _ in
            guard let status = try? await node.leaderStatus().get() else { return .error(status: 503, message: "the agent is stopping") }
            return .json(
                V1.Leader(
                    leader: status.claim?.leader.rawValue, term: status.claim?.term ?? 0,
                    since: status.claim.map { Kube.time(millisecondsSinceEpoch: $0.since.millisecondsSinceEpoch) }, quorum: status.quorum))
        }
        router.add("GET", V1.Path.members) { _ in
            guard let members = try? await node.members().get() else { return .error(status: 503, message: "the agent is stopping") }
            return .json(members.sorted { $0.name < $1.name }.map(V1.Member.init))
        }
        router.add("POST", V1.Path.join) { request in
            guard let body = try? request.decodeJSON(V1.JoinRequest.self), !body.peers.isEmpty else {
                return .error(status: 400, message: "expected {\"peers\": [\"host[:port]\", ...]} with at least one peer")
            }
            return .json(await join(body.peers, node: node))
        }
        router.add("POST", V1.Path.leave) { _ in
            try? await node.leave().get()
            requestShutdown()
            return .json(V1.LeaveResponse(node: node.name.rawValue))
        }
        router.add("POST", V1.Path.keyring) { request in
            guard let body = try? request.decodeJSON(V1.KeyringRequest.self) else {
                return .error(status: 400, message: "expected {\"operation\": \"list|install|use|remove\", \"key\": \"BASE64\"}")
            }
            return await keyring(body, node: node)
        }
        return router
    }

    private static func join(_ peers: [String], node: GossipNode) async -> V1.JoinResponse {
        var results: [V1.JoinResult] = []
        var addresses: [(peer: String, address: PeerAddress)] = []
        for peer in peers {
            do {
                let spec = try PeerSpec(parsing: peer)
                let resolved = try spec.resolve()
                guard let address = resolved.first else {
                    results.append(V1.JoinResult(peer: peer, error: "\(peer) resolves to no IPv4 address"))
                    continue
                }
                addresses.append((peer, address))
            } catch {
                results.append(V1.JoinResult(peer: peer, error: "\(error)"))
            }
        }
        let outcomes = (try? await node.join(addresses.map(\.address)).get()) ?? [:]
        for (peer, address) in addresses {
            switch outcomes[address] ?? .unanswered {
            case .answered(let name):
                results.append(V1.JoinResult(peer: peer, node: name.rawValue))
            case .isThisNode:
                results.append(V1.JoinResult(peer: peer, error: "\(address) is this node's own address; name another member of the cluster"))
            case .unanswered:
                results.append(
                    V1.JoinResult(
                        peer: peer,
                        error: "\(address) did not answer authenticated traffic; check that an agent runs there, that UDP port \(address.port) is reachable, and that both nodes hold the same cluster key (`agent keyring list`)"
                    ))
            }
        }
        return V1.JoinResponse(results: results)
    }

    private static func keyring(_ body: V1.KeyringRequest, node: GossipNode) async -> ControlResponse {
        let operations: [String: KeyringRequest.Operation] = ["list": .list, "install": .install, "use": .use, "remove": .remove]
        guard let operation = operations[body.operation] else {
            return .error(status: 400, message: "unknown keyring operation \"\(body.operation)\"; expected list, install, use or remove")
        }
        var key: ClusterKey?
        if operation != .list {
            guard let text = body.key else { return .error(status: 400, message: "keyring \(operation) needs a key") }
            do {
                key = try ClusterKey(base64: text)
            } catch {
                return .error(status: 400, message: "KEY: \(error.description); expected the base64 of 32 bytes, as `agent keygen` prints")
            }
        }
        guard let results = try? await node.changeKeyring(operation, key: key).get() else {
            return .error(status: 503, message: "the agent is stopping")
        }
        return .json(V1.KeyringResponse(nodes: results.map(V1.KeyringNodeResult.init)))
    }
}

extension V1.Member {
    init(_ member: SWIM.Member) {
        self.init(
            name: member.name.rawValue, address: member.address.ipAddress,
            port: Int(member.address.port), status: member.status.description, incarnation: member.incarnation, labels: member.labels)
    }
}

extension V1.KeyringNodeResult {
    init(_ result: KeyringNodeResult) {
        switch result.outcome {
        case .applied(let keys):
            self.init(node: result.node.rawValue, result: "ok", keys: keys.map(\.base64))
        case .refused(let reason):
            self.init(node: result.node.rawValue, result: "refused", error: reason, keys: [])
        case .noAnswer:
            self.init(node: result.node.rawValue, result: "no answer", error: "did not answer within 5 s", keys: [])
        }
    }
}
