import ClusterModel
import Foundation
import Membership
import Simulation
import Testing

@Suite("Simulated clusters: joining")
struct JoinTests {
    @Test("every node joined through a single seed sees every node alive")
    func joinThroughOneSeed() {
        let seed = UInt64(ProcessInfo.processInfo.environment["SIM_SEED"] ?? "") ?? UInt64.random(in: 0...UInt64.max)
        print("seed: \(seed)")
        let nodes = Int(ProcessInfo.processInfo.environment["SIM_NODES"] ?? "") ?? 100
        let simulator = Simulator(settings: .init(seed: seed))
        for _ in 0..<nodes { simulator.addNode() }
        simulator.start(0)
        for node in 1..<nodes { simulator.start(node, joining: [0]) }
        let start = simulator.now
        let converged = simulator.run(until: {
            let counts = (0..<nodes).map { simulator.instance($0)!.count(of: .alive) }
            let t = simulator.now - start
            if Int(t.seconds * 10) % 20 == 0 {
                print("t=\(t) min=\(counts.min()!) full=\(counts.filter { $0 == nodes }.count) datagrams=\(simulator.traffic.datagrams)")
            }
            return counts.allSatisfy { $0 == nodes }
        }, step: .milliseconds(500), limit: .seconds(120))
        print("converged at \(simulator.now - start), traffic \(simulator.traffic.datagrams) datagrams")
        #expect(converged, "seed \(seed)")
        if let extra = Int(ProcessInfo.processInfo.environment["SIM_STEADY"] ?? "") {
            let before = simulator.traffic
            let clock = ContinuousClock.now
            simulator.run(for: .seconds(extra))
            let byTag = simulator.traffic.datagramsByTag.sorted { $0.key < $1.key }.map { "\($0.key.name) \($0.value - before.datagramsByTag[$0.key, default: 0])" }
            print("steady: \(simulator.traffic.datagrams - before.datagrams) datagrams in \(extra) s virtual, \(ContinuousClock.now - clock) wall")
            print("steady by tag: \(byTag.joined(separator: ", ")); all traffic \(simulator.traffic.bytes) bytes")
        }
    }
}
