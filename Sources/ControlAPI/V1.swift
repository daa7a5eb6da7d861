/// The control API's version 1: paths and the JSON bodies the daemon and the CLI exchange.
/// Paths are versioned so that a newer CLI can still talk to an older daemon during an
/// upgrade; fields are only ever added.
public enum V1 {
    public enum Path {
        public static let members = "/v1/members"
        public static let join = "/v1/join"
        public static let leave = "/v1/leave"
        public static let keyring = "/v1/keyring"
        public static let agent = "/v1/agent"
        /// `GET`: who leads, as this node knows it (``Leader``).
        public static let leader = "/v1/leader"
        /// `POST` an ``ApplyRequest``; answers an ``ApplyResponse``, or 400 naming file, line
        /// and field when any object is refused (then nothing was changed).
        public static let apply = "/v1/apply"
        /// `POST` a ``DeleteRequest``; answers a ``DeleteResponse``, or 404 when none of the
        /// named objects exists.
        public static let delete = "/v1/delete"
        /// `GET`, each with the query parameters `namespace` (absent: every namespace),
        /// `name` (absent: all; present but missing: 404) and `watch` (`true`: a stream of
        /// ``Kube/WatchEvent``s, one JSON object a line, starting with an `ADDED` for each
        /// current object). Answers a ``Kube/List`` of Kubernetes-shaped objects.
        public static let services = "/v1/services"
        public static let pods = "/v1/pods"
        public static let endpoints = "/v1/endpoints"
        /// Every member as a Kubernetes-shaped Node (no `namespace`).
        public static let nodes = "/v1/nodes"
    }

    /// A manifest as the user gave it to `agent apply -f` or `agent delete -f`: the daemon
    /// decodes it, so that its errors name the file and line the user wrote.
    public struct Manifest: Codable, Sendable, Equatable {
        /// As the user named it; `<stdin>` for `-`.
        public var file: String
        /// YAML or JSON, one or more documents.
        public var text: String

        public init(file: String, text: String) {
            self.file = file
            self.text = text
        }
    }

    public struct ApplyRequest: Codable, Sendable, Equatable {
        /// Every file of the invocation: applied all together, or not at all.
        public var manifests: [Manifest]

        public init(manifests: [Manifest]) { self.manifests = manifests }
    }

    public struct ApplyResponse: Codable, Sendable, Equatable {
        /// One per object, in the order of the manifests.
        public var results: [ObjectResult]
        /// One line per field that was accepted and ignored (SPEC §4).
        public var warnings: [String]

        public init(results: [ObjectResult], warnings: [String] = []) {
            self.results = results
            self.warnings = warnings
        }
    }

    /// An object named by kind, namespace and name.
    public struct ObjectReference: Codable, Sendable, Equatable, Hashable {
        /// `service` or `pod`.
        public var kind: String
        public var namespace: String
        public var name: String

        public init(kind: String, namespace: String, name: String) {
            self.kind = kind
            self.namespace = namespace
            self.name = name
        }
    }

    /// What `apply` or `delete` did to one object; the CLI prints `service/NAME ACTION`.
    public struct ObjectResult: Codable, Sendable, Equatable {
        public var object: ObjectReference
        /// `created`, `configured`, `unchanged`, `deleted` or `not found`.
        public var action: String

        public init(object: ObjectReference, action: String) {
            self.object = object
            self.action = action
        }
    }

    /// `agent delete -f FILE` sends the manifests, `agent delete service NAME` the objects.
    public struct DeleteRequest: Codable, Sendable, Equatable {
        public var manifests: [Manifest]
        public var objects: [ObjectReference]

        public init(manifests: [Manifest] = [], objects: [ObjectReference] = []) {
            self.manifests = manifests
            self.objects = objects
        }
    }

    public struct DeleteResponse: Codable, Sendable, Equatable {
        /// One per object named, `deleted` or `not found`.
        public var results: [ObjectResult]

        public init(results: [ObjectResult]) { self.results = results }
    }

    /// One member as `agent members -o json` prints it (SPEC §3).
    public struct Member: Codable, Sendable, Equatable {
        public var name: String
        /// The host part of the gossip address.
        public var address: String
        public var port: Int
        /// `alive`, `suspect`, `failed` or `left`.
        public var status: String
        public var incarnation: UInt64
        public var labels: [String: String]

        public init(name: String, address: String, port: Int, status: String, incarnation: UInt64, labels: [String: String]) {
            self.name = name
            self.address = address
            self.port = port
            self.status = status
            self.incarnation = incarnation
            self.labels = labels
        }
    }

    /// Who leads, as `agent leader -o json` prints it (SPEC §3): every key always present,
    /// `leader` and `since` null before any node has led.
    public struct Leader: Codable, Sendable, Equatable {
        public var leader: String?
        public var term: UInt64
        /// When the leader began to act, RFC 3339.
        public var since: String?
        /// Whether the leader holds a majority's endorsement now, as this node last heard.
        public var quorum: Bool

        public init(leader: String?, term: UInt64, since: String?, quorum: Bool) {
            self.leader = leader
            self.term = term
            self.since = since
            self.quorum = quorum
        }

        private enum CodingKeys: String, CodingKey { case leader, term, since, quorum }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(leader, forKey: .leader)
            try container.encode(term, forKey: .term)
            try container.encode(since, forKey: .since)
            try container.encode(quorum, forKey: .quorum)
        }
    }

    public struct JoinRequest: Codable, Sendable, Equatable {
        /// `host` or `host:port`, as the operator typed them.
        public var peers: [String]

        public init(peers: [String]) { self.peers = peers }
    }

    public struct JoinResponse: Codable, Sendable, Equatable {
        public var results: [JoinResult]

        public init(results: [JoinResult]) { self.results = results }
    }

    /// How one peer of `agent join` answered: `node` when it did, `error` when not.
    public struct JoinResult: Codable, Sendable, Equatable {
        public var peer: String
        public var node: String?
        public var error: String?

        public init(peer: String, node: String? = nil, error: String? = nil) {
            self.peer = peer
            self.node = node
            self.error = error
        }
    }

    public struct LeaveResponse: Codable, Sendable, Equatable {
        public var node: String

        public init(node: String) { self.node = node }
    }

    public struct KeyringRequest: Codable, Sendable, Equatable {
        /// `list`, `install`, `use` or `remove`.
        public var operation: String
        /// Base64; absent for `list`.
        public var key: String?

        public init(operation: String, key: String? = nil) {
            self.operation = operation
            self.key = key
        }
    }

    public struct KeyringResponse: Codable, Sendable, Equatable {
        /// One entry per member asked, this node included, sorted by name.
        public var nodes: [KeyringNodeResult]

        public init(nodes: [KeyringNodeResult]) { self.nodes = nodes }
    }

    public struct KeyringNodeResult: Codable, Sendable, Equatable {
        public var node: String
        /// `ok`, `refused` or `no answer`.
        public var result: String
        public var error: String?
        /// The keys the node holds now, base64, primary first; empty when it did not answer.
        public var keys: [String]

        public init(node: String, result: String, error: String? = nil, keys: [String]) {
            self.node = node
            self.result = result
            self.error = error
            self.keys = keys
        }
    }

    /// `GET /v1/agent`: who this daemon is.
    public struct Agent: Codable, Sendable, Equatable {
        public var node: String
        public var address: String
        public var version: String

        public init(node: String, address: String, version: String) {
            self.node = node
            self.address = address
            self.version = version
        }
    }
}
