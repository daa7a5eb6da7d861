import ClusterModel
import Logging
import NIOCore
import NIOPosix
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

@testable import AgentRuntime

/// Probes against listeners on 127.0.0.1 that each test starts. Periods last 50 ms instead
/// of a second; nothing asserts how long anything took, only what was reported, waiting with
/// deadlines that only guard against hanging.
@Suite("Readiness probes")
struct ReadinessProberTests {
    @Test("a Pod whose tcpSocket port accepts connections is reported ready")
    func tcpReady() async throws {
        let listener = try await TestListener.start(.accept)
        defer { listener.close() }
        let probe = try await ProbeRun.start([Pods.make("web", probe: .tcpSocket(port: .number(listener.port)))])
        defer { probe.stop() }
        try await probe.events.wait(for: [Pods.key("web"): [true]])
    }

    @Test("a Pod whose tcpSocket port refuses connections is reported not ready after its failure threshold")
    func tcpRefused() async throws {
        let port = try await TestListener.closedPort()
        let probe = try await ProbeRun.start([Pods.make("web", probe: .tcpSocket(port: .number(port)), failureThreshold: 3)])
        defer { probe.stop() }
        try await probe.events.wait(for: [Pods.key("web"): [false]])
    }

    @Test(
        "an httpGet probe is ready for a status of 200 to 399, and not for others",
        arguments: [(200, true), (302, true), (399, true), (404, false), (500, false)])
    func httpStatus(status: Int, ready: Bool) async throws {
        let listener = try await TestListener.start(.http(status: status))
        defer { listener.close() }
        let probe = try await ProbeRun.start([Pods.make("web", probe: .httpGet(path: "/healthz", port: .number(listener.port)))])
        defer { probe.stop() }
        try await probe.events.wait(for: [Pods.key("web"): [ready]])
    }

    @Test("a ready Pod whose listener goes away is reported not ready, once")
    func listenerGoesAway() async throws {
        let listener = try await TestListener.start(.accept)
        let probe = try await ProbeRun.start([Pods.make("web", probe: .tcpSocket(port: .number(listener.port)), failureThreshold: 2)])
        defer { probe.stop() }
        try await probe.events.wait(for: [Pods.key("web"): [true]])
        listener.close()
        try await probe.events.wait(for: [Pods.key("web"): [true, false]])
        try await Task.sleep(for: .milliseconds(300))
        #expect(probe.events.all[Pods.key("web")] == [true, false], "no report while the value stays the same")
    }

    @Test("a named port resolves against the Pod's container ports; the request names its path and Host")
    func namedPort() async throws {
        let listener = try await TestListener.start(.http(status: 200))
        defer { listener.close() }
        let pods = [
            Pods.make("named", probe: .httpGet(path: "/ready?full=1", port: .name("web")), ports: [("web", listener.port)]),
            Pods.make("unknown", probe: .httpGet(path: "/ready", port: .name("admin")), ports: [("web", listener.port)], failureThreshold: 1),
        ]
        let probe = try await ProbeRun.start(pods)
        defer { probe.stop() }
        try await probe.events.wait(for: [Pods.key("named"): [true], Pods.key("unknown"): [false]])
        let request = try #require(listener.requests.first)
        #expect(request.hasPrefix("GET /ready?full=1 HTTP/1.1\r\n"))
        #expect(request.contains("\r\nHost: 127.0.0.1:\(listener.port)\r\n"))
    }

    @Test("a Pod is ready only when every probed container is")
    func everyContainer() async throws {
        let listener = try await TestListener.start(.accept)
        defer { listener.close() }
        let closed = try await TestListener.closedPort()
        var pod = Pods.make("web", probe: .tcpSocket(port: .number(listener.port)))
        pod.spec.containers.append(Pod.Container(readinessProbe: ReadinessProbe(check: .tcpSocket(port: .number(closed)), periodSeconds: 1, failureThreshold: 2)))
        pod.spec.containers.append(Pod.Container())  // no probe: no say
        let probe = try await ProbeRun.start([pod])
        defer { probe.stop() }
        try await probe.events.wait(for: [Pods.key("web"): [false]])
    }

    @Test("a host-network Pod without a podIP is probed at its node's address")
    func hostNetwork() async throws {
        let listener = try await TestListener.start(.accept)
        defer { listener.close() }
        var pod = Pods.make("agent", probe: .tcpSocket(port: .number(listener.port)))
        pod.spec.hostNetwork = true
        pod.status.podIP = nil
        let probe = try await ProbeRun.start([pod], hostAddress: IPv4(127, 0, 0, 1))
        defer { probe.stop() }
        try await probe.events.wait(for: [Pods.key("agent"): [true]])
    }

    @Test("a Pod whose status changes keeps its probes; one whose probe changes starts afresh")
    func changes() async throws {
        let listener = try await TestListener.start(.accept)
        defer { listener.close() }
        var pod = Pods.make("web", probe: .tcpSocket(port: .number(listener.port)), failureThreshold: 1)
        let probe = try await ProbeRun.start([pod])
        defer { probe.stop() }
        try await probe.events.wait(for: [Pods.key("web"): [true]])

        // The catalog hands the Pod back with the readiness this node wrote: no new report.
        pod.status.ready = true
        try await probe.update([pod])
        try await Task.sleep(for: .milliseconds(300))
        #expect(probe.events.all[Pods.key("web")] == [true])

        pod.spec.containers[0].readinessProbe?.check = .tcpSocket(port: .number(try await TestListener.closedPort()))
        try await probe.update([pod])
        try await probe.events.wait(for: [Pods.key("web"): [true, false]])
    }

    @Test("a removed Pod is no longer probed or reported")
    func removed() async throws {
        let listener = try await TestListener.start(.accept)
        defer { listener.close() }
        let probe = try await ProbeRun.start([Pods.make("web", probe: .tcpSocket(port: .number(listener.port)))])
        defer { probe.stop() }
        try await probe.events.wait(for: [Pods.key("web"): [true]])
        try await probe.update([])
        let connections = listener.connections
        listener.close()  // were it still probed, the Pod would now turn not ready
        try await Task.sleep(for: .milliseconds(500))
        #expect(listener.connections <= connections + 1, "at most a probe already under way")
        #expect(probe.events.all == [Pods.key("web"): [true]])
    }
}

// MARK: Support

private enum Pods {
    static func key(_ name: String) -> ObjectKey { ObjectKey(kind: .pod, namespace: "default", name: name) }

    static func make(
        _ name: String, probe check: ReadinessProbe.Check, ports: [(String, Int)] = [], failureThreshold: Int = 3
    ) -> Pod {
        Pod(
            metadata: ObjectMetadata(name: name),
            spec: Pod.Spec(
                nodeName: try! NodeName("node-a"),
                containers: [
                    Pod.Container(
                        ports: ports.map { Pod.ContainerPort(name: $0.0, containerPort: $0.1) },
                        readinessProbe: ReadinessProbe(check: check, periodSeconds: 1, failureThreshold: failureThreshold))
                ]),
            status: Pod.Status(podIP: IPv4(127, 0, 0, 1)))
    }
}

/// A prober on one event loop, with what it reported.
private struct ProbeRun {
    static let settings = ReadinessProber.Settings(timeout: .milliseconds(500), maximumFirstDelay: .milliseconds(20), periodUnit: .milliseconds(50))

    /// Quiet: the reports are what the tests read.
    static let logger = Logger(label: "test.prober", factory: { _ in SwiftLogNoOpLogHandler() })

    let prober: ReadinessProber
    let events: ReadinessEvents
    let hostAddress: IPv4

    static func start(_ pods: [Pod], hostAddress: IPv4 = IPv4(192, 0, 2, 1)) async throws -> ProbeRun {
        let events = ReadinessEvents()
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let prober = ReadinessProber(
            eventLoop: loop, group: MultiThreadedEventLoopGroup.singleton, logger: Self.logger, settings: settings,
            onChange: { key, ready in events.append(key, ready) })
        let run = ProbeRun(prober: prober, events: events, hostAddress: hostAddress)
        try await run.update(pods)
        return run
    }

    func update(_ pods: [Pod]) async throws {
        try await prober.eventLoop.submit { [prober, hostAddress] in prober.update(pods, hostAddress: hostAddress) }.get()
    }

    func stop() {
        prober.eventLoop.execute { [prober] in prober.stop() }
    }
}

/// Every readiness report, per Pod, in order.
private final class ReadinessEvents: Sendable {
    private let reports = Mutex<[ObjectKey: [Bool]]>([:])

    func append(_ key: ObjectKey, _ ready: Bool) {
        reports.withLock { $0[key, default: []].append(ready) }
    }

    var all: [ObjectKey: [Bool]] { reports.withLock { $0 } }

    /// Waits until the reports are exactly `expected`; a deadline of 10 s only guards against
    /// hanging.
    func wait(for expected: [ObjectKey: [Bool]], sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while all != expected, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(all == expected, sourceLocation: sourceLocation)
    }
}

/// A TCP listener on 127.0.0.1 that accepts and closes, or answers HTTP with one status.
private final class TestListener: Sendable {
    enum Behaviour: Sendable {
        case accept
        case http(status: Int)
    }

    let channel: any Channel
    let port: Int
    private let log: ConnectionLog

    private init(channel: any Channel, log: ConnectionLog) {
        self.channel = channel
        self.port = channel.localAddress!.port!
        self.log = log
    }

    static func start(_ behaviour: Behaviour) async throws -> TestListener {
        let log = ConnectionLog()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(TestConnection(behaviour: behaviour, log: log))
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        return TestListener(channel: channel, log: log)
    }

    /// A port nothing listens on: bound, then closed.
    /// A port on 127.0.0.1 that refuses connections for as long as the tests run: bound by a
    /// socket that never listens, and kept open. A port merely closed again could be taken
    /// by anything running beside the tests (a moto server, an outgoing connection's source
    /// port, even a connection to itself), and then accept the probe.
    static func closedPort() async throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ClosedPortError(description: "socket: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr = in_addr(s_addr: UInt32(0x7f00_0001).bigEndian)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else {
            Glibc.close(fd)
            throw ClosedPortError(description: "bind: errno \(errno)")
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    struct ClosedPortError: Error, CustomStringConvertible {
        let description: String
    }

    var connections: Int { log.state.withLock { $0.connections } }
    var requests: [String] { log.state.withLock { $0.requests } }

    func close() { channel.close(promise: nil) }
}

private final class ConnectionLog: Sendable {
    let state = Mutex<(connections: Int, requests: [String])>((0, []))
}

private final class TestConnection: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let behaviour: TestListener.Behaviour
    let log: ConnectionLog
    var received: [UInt8] = []

    init(behaviour: TestListener.Behaviour, log: ConnectionLog) {
        self.behaviour = behaviour
        self.log = log
    }

    func channelActive(context: ChannelHandlerContext) {
        log.state.withLock { $0.connections += 1 }
        if case .accept = behaviour { context.close(promise: nil) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .http(let status) = behaviour else { return }
        received.append(contentsOf: unwrapInboundIn(data).readableBytesView)
        let text = String(decoding: received, as: UTF8.self)
        guard text.contains("\r\n\r\n") else { return }
        log.state.withLock { $0.requests.append(text) }
        let answer = "HTTP/1.1 \(status) Test\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: answer)), promise: nil)
        context.close(promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
