import ClusterModel
import Foundation
import Membership
import Simulation
import Testing

@Suite("Simulated clusters: starting converged")
struct ConvergedStartTests {
    @Test("a cluster started converged has every node alive everywhere and stays quiet")
    func startsSettled() {
        let seed = UInt64(ProcessInfo.processInfo.environment["SIM_SEED"] ?? "") ?? UInt64.random(in: 0...UInt64.max)
        print("seed: \(seed)")
        let nodes = 50
        let simulator = Simulator(settings: .init(seed: seed))
        for _ in 0..<nodes { simulator.addNode() }
        var changes = 0
        simulator.observe = { _ in changes += 1 }
        simulator.startConverged(Array(0..<nodes))
        #expect((0..<nodes).allSatisfy { simulator.instance($0)!.count(of: .alive) == nodes }, "seed \(seed)")
        simulator.run(for: .seconds(30))
        #expect(changes == 0, "seed \(seed)")
        #expect((0..<nodes).allSatisfy { simulator.instance($0)!.count(of: .alive) == nodes }, "seed \(seed)")
        // No probe went unanswered.
        #expect((0..<nodes).allSatisfy { simulator.instance($0)!.localHealthScore == 0 }, "seed \(seed)")
    }

    @Test("a node killed in a converged cluster is marked failed by all the others")
    func killedNodeIsDetected() {
        let seed = UInt64(ProcessInfo.processInfo.environment["SIM_SEED"] ?? "") ?? UInt64.random(in: 0...UInt64.max)
        print("seed: \(seed)")
        let nodes = 50
        let simulator = Simulator(settings: .init(seed: seed))
        for _ in 0..<nodes { simulator.addNode() }
        simulator.startConverged(Array(0..<nodes))
        simulator.run(for: .seconds(1))
        simulator.kill(7)
        let detected = simulator.run(until: {
            (0..<nodes).allSatisfy { $0 == 7 || simulator.member(7, seenBy: $0)?.status == .failed }
        }, step: .seconds(1), limit: .seconds(120))
        #expect(detected, "seed \(seed)")
    }

    /// A measurement rather than a check, run when `SIM_CONVERGED_NODES` is set:
    /// `SIM_CONVERGED_NODES=10000 SIM_STEADY=30 SIM_FAILURES=5 SIM_SEED=1 swift test -c release ...`.
    @Test("throughput of a converged cluster (measurement, with SIM_CONVERGED_NODES)")
    func throughput() {
        let environment = ProcessInfo.processInfo.environment
        guard let nodes = Int(environment["SIM_CONVERGED_NODES"] ?? "") else { return }
        let seed = UInt64(environment["SIM_SEED"] ?? "") ?? 1
        let seconds = Int(environment["SIM_STEADY"] ?? "") ?? 60
        let failures = Int(environment["SIM_FAILURES"] ?? "") ?? 0
        let clock = ContinuousClock()
        let began = clock.now
        let simulator = Simulator(settings: .init(seed: seed))
        for _ in 0..<nodes { simulator.addNode() }
        var failedVerdicts = 0
        simulator.observe = { if $0.change.member.status == .failed { failedVerdicts += 1 } }
        simulator.startConverged(Array(0..<nodes))
        let started = clock.now
        var random = SeededGenerator(seed: seed)
        let victims = Array((0..<nodes).shuffled(using: &random).prefix(failures))
        simulator.run(for: .seconds(seconds / 3))
        for victim in victims { simulator.kill(victim) }
        simulator.run(for: .seconds(seconds - seconds / 3))
        let ran = clock.now - started
        let datagrams = simulator.traffic.datagrams
        let perDatagram = ran / max(1, datagrams)
        print("""
            converged start of \(nodes) nodes: \(started - began) wall
            ran \(seconds) s virtual with \(failures) killed: \(datagrams) datagrams in \(ran) wall, \(perDatagram) per datagram
            by tag: \(simulator.traffic.datagramsByTag.sorted { $0.key < $1.key }.map { "\($0.key.name) \($0.value)" }.joined(separator: ", "))
            failed verdicts: \(failedVerdicts); peak memory \(peakResidentMiB()) MiB
            """)
    }

    private func peakResidentMiB() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
            let kilobytes = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        else { return -1 }
        return kilobytes / 1024
    }
}
