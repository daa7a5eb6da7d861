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
}
