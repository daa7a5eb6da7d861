import ClusterModel
import Catalog
import Election
import Logging
import Membership
import NIOCore
import Sealing
import Wire

/// The membership shell: one `SWIM.Instance` driven by real datagrams, real timers and the
/// wall clock. Every datagram in or out is sealed; every directive the core returns is
/// carried out here.
///
/// Confined to one event loop: all state is touched on `eventLoop` only, and the methods
/// other tasks call (`members()`, `join`, `leave`, keyring changes) hop onto it first. That
/// is why the class can be `@unchecked Sendable`: it shares nothing across threads.
final class GossipNode: @unchecked Sendable {
    let eventLoop: any EventLoop
    let logger: Logger
    let metrics: GossipMetrics
    let sealer: Sealer
    let mtu: Int
    /// This node's name and advertised address, fixed for the process's life (and readable
    /// from any thread, unlike the core).
    let name: NodeName
    let address: PeerAddress

    var instance: SWIM.Instance
    var opener = Opener()
    var keyring: Keyring
    /// Where keyring changes are persisted; nil for `--insecure-dev`, whose key is public.
    let keyringFile: KeyringFile?
    let snapshot: MemberSnapshot?
    var random = SystemRandomNumberGenerator()

    /// The catalog shell, on the same event loop; it sends through this node's socket.
    var catalog: CatalogNode?
    /// The election core, on the same event loop (GossipNode+Election.swift).
    var election: Election.Instance
    /// The election's view of the members, built once per membership change rather than
    /// for every endorsement (a leader of 1,000 nodes gets 2,000 a second).
    var electionView: ElectionView?
    /// Told on the event loop whenever this node starts or stops leading.
    var leadershipObservers: [@Sendable (Bool) -> Void] = []
    var channel: (any Channel)?
    var addresses = SocketAddressCache()
    var isStopped = false

    // Callers waiting for the core's answers.
    var joinWaiters: [PeerAddress: [EventLoopPromise<JoinOutcome>]] = [:]
    var leaveWaiters: [EventLoopPromise<Void>] = []
    var keyringCalls: [UInt64: KeyringCall] = [:]
    var snapshotWriteScheduled = false
    /// The peers the snapshot on disk holds.
    var snapshotPeers: Set<PeerAddress> = []
    /// What the snapshot on disk holds (MemberSnapshot.merged keeps peers no longer heard of).
    var snapshotEntries: [MemberSnapshot.Entry] = []
    /// Peers from the snapshot still to try, a few at a time, until one answers.
    var rejoinQueue: [PeerAddress] = []
    var rejoinInFlight: Set<PeerAddress> = []

    init(
        instance: SWIM.Instance, election: Election.Instance, snapshotEntries: [MemberSnapshot.Entry], keyring: Keyring, keyringFile: KeyringFile?, snapshot: MemberSnapshot?,
        mtu: Int, eventLoop: any EventLoop, logger: Logger, metrics: GossipMetrics
    ) {
        self.instance = instance
        self.election = election
        self.snapshotEntries = snapshotEntries
        self.keyring = keyring
        self.keyringFile = keyringFile
        self.snapshot = snapshot
        self.mtu = mtu
        self.eventLoop = eventLoop
        self.logger = logger
        self.metrics = metrics
        self.sealer = Sealer(sender: instance.name)
        self.name = instance.name
        self.address = instance.localMember.address
    }

    // MARK: Starting

    /// Starts the core's timers, joins `seeds`, and rejoins the peers of the last run.
    func start(on channel: any Channel, seeds: [PeerAddress], rejoin: [PeerAddress]) {
        eventLoop.preconditionInEventLoop()
        self.channel = channel
        carryOut { instance, now, random in instance.start(now: now, random: &random) }
        if !seeds.isEmpty {
            carryOut { instance, now, random in instance.join(seeds: seeds, now: now, random: &random) }
        }
        if let catalog {
            catalog.send = { [unowned self] payload, peer in send(payload: payload, to: peer) }
            catalog.flush = { [unowned self] in flush() }
            catalog.setPeers(instance.members)
            catalog.start()
        }
        rejoinQueue = rejoin.filter { !seeds.contains($0) }.shuffled(using: &random)
        rejoinNext()
        publishGauges()
        startElection()
    }

    /// Tries the next few snapshot peers; called again while none has answered.
    func rejoinNext() {
        guard rejoinInFlight.isEmpty, !rejoinQueue.isEmpty, !instance.isLeaving else { return }
        let batch = Array(rejoinQueue.prefix(3))
        rejoinQueue.removeFirst(batch.count)
        rejoinInFlight = Set(batch)
        logger.info("rejoining peers known before the restart", metadata: ["peers": "\(batch.map(\.description).joined(separator: ","))"])
        carryOut { instance, now, random in instance.join(seeds: batch, now: now, random: &random) }
    }

    // MARK: Datagrams in

    func receive(_ datagram: [UInt8], from source: SocketAddress) {
        guard !isStopped else { return }
        metrics.received(bytes: datagram.count)
        guard let peer = PeerAddress(source) else { return }
        let opened: OpenedDatagram
        do {
            opened = try opener.open(datagram, keyring: keyring, now: WallClock.now())
        } catch {
            metrics.rejected(error.reason)
            logger.debug("datagram rejected", metadata: ["from": "\(peer)", "reason": "\(error)"])
            return
        }
        catalog?.heardFromPeer()
        let frames: [Frame]
        do {
            frames = try CompoundPacket.unpack(opened.payload)
        } catch {
            metrics.rejected(.malformed)
            return
        }
        for frame in frames {
            switch frame.tag {
            case .keyringRequest:
                guard let request = try? KeyringRequest(body: frame.body) else {
                    metrics.rejected(.malformed)
                    continue
                }
                answer(request, from: opened.sender, at: peer)
            case .keyringResponse:
                guard let response = try? KeyringResponse(body: frame.body) else {
                    metrics.rejected(.malformed)
                    continue
                }
                collect(response, from: opened.sender)
            case .electionEndorse, .electionAnnounce:
                guard let message = try? ElectionMessage(frame: frame) else {
                    metrics.rejected(.malformed)
                    continue
                }
                carryOutElection { election, view, now, wallClock in
                    election.receive(message, from: opened.sender, view: view, now: now, wallClock: wallClock)
                }
            case .catalogPush, .catalogDigest, .catalogRumor:
                guard let catalog, let message = try? CatalogMessage(frame: frame) else {
                    metrics.rejected(.malformed)
                    continue
                }
                catalog.receive(message, from: peer)
            default:
                let message: SWIM.Message?
                do {
                    message = try SWIM.Message(frame: frame)
                } catch {
                    metrics.rejected(.malformed)
                    continue
                }
                // A tag from a newer agent: skipped, as the registry promises.
                guard let message else { continue }
                carryOut { instance, now, random in
                    instance.onMessage(message, from: opened.sender, at: peer, now: now, random: &random)
                }
            }
        }
    }

    // MARK: Datagrams out

    func send(payload: [UInt8], to peer: PeerAddress) {
        guard let channel, !isStopped else { return }
        let datagram = sealer.seal(payload, keyring: keyring, now: WallClock.now())
        guard let address = addresses.socketAddress(for: peer) else { return }
        metrics.sent(bytes: datagram.count)
        var buffer = channel.allocator.buffer(capacity: datagram.count)
        buffer.writeBytes(datagram)
        channel.write(AddressedEnvelope(remoteAddress: address, data: buffer), promise: nil)
    }

    func flush() {
        channel?.flush()
    }

    // MARK: The core

    /// Runs one input on the core and carries out what it directs.
    func carryOut(_ input: (inout SWIM.Instance, Timestamp, inout SystemRandomNumberGenerator) -> [SWIM.Directive]) {
        eventLoop.preconditionInEventLoop()
        guard !isStopped else { return }
        let directives = input(&instance, WallClock.now(), &random)
        var membersChanged = false
        for directive in directives {
            switch directive {
            case .send(let message, let peer):
                send(payload: message.payload, to: peer)
            case .scheduleTimer(let timer, let delay):
                eventLoop.scheduleTask(in: TimeAmount(delay)) { [self] in
                    carryOut { instance, now, random in instance.onTimer(timer, now: now, random: &random) }
                }
            case .memberChanged(let change):
                membersChanged = true
                log(change)
            case .memberForgotten(let name):
                membersChanged = true
                logger.info("forgot member after the reap time", metadata: ["peer": "\(name)"])
            case .probeAnswered(_, let roundTrip):
                metrics.probeRoundTrip(roundTrip)
            case .joinAnswered(let seed, let node):
                finishJoin(seed, .answered(by: node))
            case .joinUnanswered(let seed):
                finishJoin(seed, .unanswered)
            case .leaveCompleted:
                let waiters = leaveWaiters
                leaveWaiters.removeAll()
                waiters.forEach { $0.succeed() }
            }
        }
        flush()
        if membersChanged {
            publishGauges()
            scheduleSnapshotWrite()
            catalog?.setPeers(instance.members)
            electionView = nil
            electionTick()
        }
    }

    private func log(_ change: SWIM.MemberChange) {
        let member = change.member
        guard member.name != name else { return }
        var metadata: Logger.Metadata = ["peer": "\(member.name)", "address": "\(member.address)", "status": "\(member.status)"]
        if let previous = change.previousStatus { metadata["previous"] = "\(previous)" }
        let level: Logger.Level = member.status == .failed ? .warning : .info
        logger.log(level: level, "member \(member.name) is \(member.status)", metadata: metadata)
    }

    private func publishGauges() {
        metrics.members(instance)
    }

    // MARK: Join and leave

    private func finishJoin(_ seed: PeerAddress, _ outcome: JoinOutcome) {
        if rejoinInFlight.remove(seed) != nil {
            if case .answered(let node) = outcome {
                logger.info("rejoined the cluster", metadata: ["peer": "\(node)", "address": "\(seed)"])
                rejoinQueue.removeAll()
            } else if rejoinInFlight.isEmpty {
                rejoinNext()
            }
        }
        for waiter in joinWaiters.removeValue(forKey: seed) ?? [] {
            waiter.succeed(outcome)
        }
    }

    /// Asks each peer for its member table; the future completes when each has answered or
    /// the join attempts ran out.
    func join(_ peers: [PeerAddress]) -> EventLoopFuture<[PeerAddress: JoinOutcome]> {
        eventLoop.flatSubmit { [self] in
            var futures: [EventLoopFuture<(PeerAddress, JoinOutcome)>] = []
            var asked: [PeerAddress] = []
            for peer in peers where !asked.contains(peer) {
                asked.append(peer)
                if peer == address {
                    futures.append(eventLoop.makeSucceededFuture((peer, .isThisNode)))
                    continue
                }
                let promise = eventLoop.makePromise(of: JoinOutcome.self)
                joinWaiters[peer, default: []].append(promise)
                futures.append(promise.futureResult.map { (peer, $0) })
            }
            let seeds = asked.filter { $0 != address }
            if !seeds.isEmpty {
                carryOut { instance, now, random in instance.join(seeds: seeds, now: now, random: &random) }
            }
            if instance.isLeaving {
                for seed in seeds { finishJoin(seed, .unanswered) }
            }
            return EventLoopFuture.whenAllSucceed(futures, on: eventLoop).map { Dictionary($0, uniquingKeysWith: { first, _ in first }) }
        }
    }

    /// Leaves gracefully; the future completes once the news has been gossiped (bounded by
    /// the leave timeout).
    func leave() -> EventLoopFuture<Void> {
        eventLoop.flatSubmit { [self] in
            let promise = eventLoop.makePromise(of: Void.self)
            if instance.isLeaving && leaveWaiters.isEmpty && !isStopped {
                // Already left: nothing more to wait for.
                promise.succeed()
                return promise.futureResult
            }
            leaveWaiters.append(promise)
            logger.notice("leaving the cluster")
            carryOut { instance, now, random in instance.leave(now: now, random: &random) }
            return promise.futureResult
        }
    }

    /// Stops all activity: no more sends, timers do nothing. Writes the last snapshot.
    func stop() -> EventLoopFuture<Void> {
        eventLoop.submit { [self] in
            writeSnapshot()
            isStopped = true
            for waiters in joinWaiters.values { waiters.forEach { $0.succeed(.unanswered) } }
            joinWaiters.removeAll()
            leaveWaiters.forEach { $0.succeed() }
            leaveWaiters.removeAll()
            for call in keyringCalls.values { call.finish() }
            keyringCalls.removeAll()
        }
    }

    // MARK: What operators read

    func members() -> EventLoopFuture<[SWIM.Member]> {
        eventLoop.submit { [self] in instance.members }
    }

    /// A one-line summary for systemd's `STATUS=`.
    func summary() -> EventLoopFuture<String> {
        eventLoop.submit { [self] in
            let alive = instance.count(of: .alive)
            let suspect = instance.count(of: .suspect)
            let failed = instance.count(of: .failed)
            return "\(alive) alive, \(suspect) suspect, \(failed) failed members; health \(instance.localHealthScore)"
        }
    }

    // MARK: Snapshot

    /// Until the snapshot holds a few peers, a new one is written at once, so that an agent
    /// killed right after joining still rejoins (a rejoin needs only one peer that answers);
    /// every other change is written at most once a second, so that a join that teaches
    /// thousands of members does not fsync once per state chunk on the event loop.
    private func scheduleSnapshotWrite() {
        guard snapshot != nil else { return }
        if snapshotPeers.count < Self.peersWrittenAtOnce, !snapshotPeers.isSuperset(of: peersToRemember.map(\.address)) {
            writeSnapshot()
            return
        }
        guard !snapshotWriteScheduled else { return }
        snapshotWriteScheduled = true
        eventLoop.scheduleTask(in: .seconds(1)) { [self] in
            snapshotWriteScheduled = false
            writeSnapshot()
        }
    }

    static let peersWrittenAtOnce = 3

    private var peersToRemember: [SWIM.Member] {
        instance.members.filter { $0.name != name && $0.status != .left }
    }

    private func writeSnapshot() {
        guard let snapshot else { return }
        let peers = peersToRemember
        do {
            let entries = MemberSnapshot.merged(snapshotEntries, with: instance.members, node: name, now: WallClock.now())
            try snapshot.save(entries)
            snapshotEntries = entries
            snapshotPeers = Set(peers.map(\.address))
        } catch {
            logger.warning("cannot write the member snapshot", metadata: ["error": "\(error)"])
        }
    }
}

/// How one peer answered `agent join`.
enum JoinOutcome: Sendable, Equatable {
    case answered(by: NodeName)
    case unanswered
    case isThisNode
}

/// `SocketAddress` values for peers, made once each.
struct SocketAddressCache {
    private var cache: [PeerAddress: SocketAddress] = [:]

    mutating func socketAddress(for peer: PeerAddress) -> SocketAddress? {
        if let known = cache[peer] { return known }
        guard let address = try? SocketAddress(ipAddress: peer.ipAddress, port: Int(peer.port)) else { return nil }
        if cache.count > 65_536 { cache.removeAll() }
        cache[peer] = address
        return address
    }
}

extension PeerAddress {
    /// The peer a datagram came from.
    init?(_ address: SocketAddress) {
        switch address {
        case .v4(let v4):
            self.init(ipv4: UInt32(bigEndian: v4.address.sin_addr.s_addr), port: UInt16(bigEndian: v4.address.sin_port))
        case .v6(let v6):
            let bytes = withUnsafeBytes(of: v6.address.sin6_addr) { Array($0) }
            self.init(ipv6: bytes, port: UInt16(bigEndian: v6.address.sin6_port))
        case .unixDomainSocket:
            return nil
        }
    }
}
