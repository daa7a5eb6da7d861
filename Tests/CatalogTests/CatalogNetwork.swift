import Catalog
import ClusterModel

typealias CatalogNode = CatalogSync.Instance<NodeName>

/// Sizes close to the binary codec's: enough for the core to cut pushes to a budget.
let approximateSizes = CatalogSync.EncodedSize(
    entry: { entry in
        let body: Int
        switch entry.body {
        case .service(let service): body = 24 + 12 * service.service.spec.ports.count
        case .pod(let pod): body = 24 + 8 * pod.spec.containers.count
        case .tombstone: body = 1
        }
        return 2 + entry.key.description.utf8.count + 2 * (12 + entry.version.writer.rawValue.utf8.count) + body
    },
    digest: { digest in 3 + digest.newestByWriter.keys.reduce(0) { $0 + 13 + $1.rawValue.utf8.count } })

/// N catalog instances joined by an in-memory network: a virtual clock, a seeded generator,
/// messages delayed 1–10 ms and dropped with a given probability or across a partition.
/// Every directive is carried out as a shell would.
struct CatalogNetwork {
    enum Event {
        case deliver(CatalogMessage, from: NodeName, to: NodeName)
        case timer(CatalogSync.Timer, node: NodeName)
    }

    var nodes: [NodeName: CatalogNode] = [:]
    let names: [NodeName]
    var now = Timestamp(millisecondsSinceEpoch: 1_700_000_000_000)
    var random: SeededGenerator
    var loss = 0.0
    /// When false, every message takes 5 ms, so each link delivers in order (as a LAN mostly
    /// does); when true, 1–10 ms at random, so messages overtake one another.
    var reorders = true
    /// When set, a message crosses only within one group.
    var partition: [Set<NodeName>]?
    /// Nodes cut off from everyone (a host switched off).
    var down: Set<NodeName> = []
    /// Every write a node made itself, including reallocations: what must survive.
    var writes: [CatalogEntry] = []
    var largestPush = 0
    var pushesSent = 0
    var largestDigest = 0

    private var events: [(at: Timestamp, order: Int, event: Event)] = []
    private var order = 0

    init(_ count: Int, seed: UInt64, settings: CatalogSync.Settings = CatalogSync.Settings()) throws {
        random = SeededGenerator(seed: seed)
        names = (0..<count).map { node("n\($0)") }
        for name in names { try add(name, settings: settings) }
    }

    /// Starts a node with an empty replica and tells every node who is live.
    mutating func add(_ name: NodeName, settings: CatalogSync.Settings = CatalogSync.Settings()) throws {
        nodes[name] = try CatalogNode(name: name, settings: settings, encodedSize: approximateSizes)
        handle(nodes[name]!.start(random: &random), of: name)
        refreshPeers()
    }

    var sortedNames: [NodeName] { nodes.keys.sorted() }

    /// Membership's view: each node's live peers are the others it can reach.
    mutating func refreshPeers() {
        for name in sortedNames {
            let live = sortedNames.filter { $0 != name && canReach(name, $0) }
            nodes[name]!.setPeers(live)
        }
    }

    func canReach(_ from: NodeName, _ to: NodeName) -> Bool {
        if down.contains(from) || down.contains(to) { return false }
        guard let partition else { return true }
        return partition.contains { $0.contains(from) && $0.contains(to) }
    }

    func replica(_ name: NodeName) -> CatalogReplica { nodes[name]!.replica }

    // MARK: Driving

    mutating func apply(_ service: KubernetesService, on name: NodeName, seed: UInt64? = nil) throws {
        var generator = SeededGenerator(seed: seed ?? random.next())
        handle(try nodes[name]!.apply(service, now: now, random: &generator), of: name)
    }

    mutating func apply(_ pod: Pod, on name: NodeName) throws {
        handle(try nodes[name]!.apply(pod, now: now, random: &random), of: name)
    }

    mutating func recordLoadBalancerStatus(_ status: LoadBalancerStatus, for key: ObjectKey, on name: NodeName) {
        handle(nodes[name]!.recordLoadBalancerStatus(status, for: key, now: now, random: &random), of: name)
    }

    mutating func delete(_ key: ObjectKey, on name: NodeName) {
        handle(nodes[name]!.delete(key, now: now, random: &random), of: name)
    }

    /// Runs every event due in the next `duration`, then leaves the clock at its end.
    mutating func run(for duration: Duration) {
        let end = now + duration
        while let next = events.indices.min(by: { (events[$0].at, events[$0].order) < (events[$1].at, events[$1].order) }),
            events[next].at <= end
        {
            let (at, _, event) = events.remove(at: next)
            now = max(now, at)
            switch event {
            case .deliver(let message, let from, let to):
                guard canReach(from, to), nodes[to] != nil else { continue }
                handle(nodes[to]!.onMessage(message, from: from, now: now, random: &random), of: to)
            case .timer(let timer, let name):
                handle(nodes[name]!.onTimer(timer, now: now, random: &random), of: name)
            }
        }
        now = end
    }

    mutating func handle(_ directives: [CatalogNode.Directive], of name: NodeName) {
        for directive in directives {
            switch directive {
            case .send(let message, let to):
                if case .push(let entries, _, _) = message {
                    pushesSent += 1
                    largestPush = max(largestPush, entries.reduce(0) { $0 + approximateSizes.entry($1) })
                } else if case .digest(let digest, _) = message {
                    largestDigest = max(largestDigest, approximateSizes.digest(digest))
                } else if case .rumor(let entries) = message {
                    pushesSent += 1
                    largestPush = max(largestPush, entries.reduce(0) { $0 + approximateSizes.entry($1) })
                }
                guard Double.random(in: 0..<1, using: &random) >= loss else { continue }
                let delay = reorders ? Duration.milliseconds(Int.random(in: 1...10, using: &random)) : .milliseconds(5)
                enqueue(.deliver(message, from: name, to: to), at: now + delay)
            case .scheduleTimer(let timer, let after):
                enqueue(.timer(timer, node: name), at: now + after)
            case .changed(let change):
                if change.current.version.writer == name { writes.append(change.current) }
            case .purged, .cleared, .conflictsChanged:
                break
            }
        }
    }

    private mutating func enqueue(_ event: Event, at time: Timestamp) {
        order += 1
        events.append((time, order, event))
    }

    // MARK: What a user would see

    /// Names of nodes whose replica differs from the first node's.
    var divergent: [NodeName] {
        let reference = replica(sortedNames[0])
        return sortedNames.filter { replica($0) != reference }
    }

    /// Every node holds the same replica.
    var converged: Bool { divergent.isEmpty }

    /// Runs anti-entropy until every node agrees, up to `limit`; returns the time it took.
    @discardableResult
    mutating func runUntilConverged(limit: Duration, step: Duration = .seconds(1)) -> Duration? {
        let start = now
        while now - start < limit {
            run(for: step)
            if converged { return now - start }
        }
        return nil
    }
}
