import Membership
import Metrics
import Sealing

/// The membership shell's metrics, by the names of SPEC §7. Made once; recording is a
/// lock-free add in the Prometheus backend. Without a bootstrapped metrics system they
/// record nothing.
struct GossipMetrics: Sendable {
    private let packetsIn = Counter(label: "agent_gossip_packets_total", dimensions: [("direction", "in")])
    private let packetsOut = Counter(label: "agent_gossip_packets_total", dimensions: [("direction", "out")])
    private let bytesIn = Counter(label: "agent_gossip_bytes_total", dimensions: [("direction", "in")])
    private let bytesOut = Counter(label: "agent_gossip_bytes_total", dimensions: [("direction", "out")])
    private let rejections: [RejectionReason: Counter] = Dictionary(
        uniqueKeysWithValues: RejectionReason.allCases.map {
            ($0, Counter(label: "agent_packets_rejected_total", dimensions: [("reason", $0.rawValue)]))
        })
    private let memberCounts: [SWIM.Status: Gauge] = Dictionary(
        uniqueKeysWithValues: SWIM.Status.allCases.map {
            ($0, Gauge(label: "agent_members", dimensions: [("status", $0.description)]))
        })
    private let healthScore = Gauge(label: "agent_health_score")
    private let isLeader = Gauge(label: "agent_is_leader")
    private let probeRTT = Metrics.Timer(label: "agent_probe_rtt_seconds")

    init() {
        // Every series exists from the start, at zero, so alerts on rates see it.
        for counter in [packetsIn, packetsOut, bytesIn, bytesOut] + Array(rejections.values) { counter.increment(by: 0) }
        isLeader.record(0)
    }

    func leading(_ leading: Bool) {
        isLeader.record(leading ? 1 : 0)
    }

    func received(bytes: Int) {
        packetsIn.increment()
        bytesIn.increment(by: bytes)
    }

    func sent(bytes: Int) {
        packetsOut.increment()
        bytesOut.increment(by: bytes)
    }

    func rejected(_ reason: RejectionReason) {
        rejections[reason]?.increment()
    }

    func members(_ instance: SWIM.Instance) {
        for (status, gauge) in memberCounts { gauge.record(instance.count(of: status)) }
        healthScore.record(instance.localHealthScore)
    }

    func probeRoundTrip(_ roundTrip: Duration) {
        probeRTT.recordNanoseconds(roundTrip.nanoseconds)
    }
}
