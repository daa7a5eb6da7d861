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
