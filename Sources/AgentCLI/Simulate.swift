import ArgumentParser
import Foundation
import Simulation

struct Simulate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Simulate a cluster with the real protocol, to choose settings before deploying.",
        discussion: """
            Runs the membership protocol of this build — every message through the real codec \
            and sealing — on a simulated network with a virtual clock. A settled cluster of \
            --nodes members is joined by one more node, one node announces an update, and \
            --fail nodes are killed; the report gives join convergence, dissemination time, \
            failure detection time, false failure declarations, and traffic per node. \
            The same --seed replays the same run exactly.
            """)

    @Option(help: "How many nodes.")
    var nodes = 1_000

    @Option(help: "Probability that a datagram is lost, 0 to 1.")
    var loss = 0.0

    @Option(name: .customLong("fail"), help: "How many nodes to kill at once, 10 s into the run.")
    var failures = 1

    @Option(help: "Seed of the run (default: random, printed in the report).")
    var seed: UInt64?

    @Option(help: "Simulated time to run, e.g. 90s, 2m, 1h.", transform: SimulatedDuration.parse)
    var duration: Duration = .seconds(40)

    @Option(name: [.customShort("o"), .customLong("output")], help: "Output format: table or json.")
    var output: OutputFormat = .table

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable { case table, json }

    func validate() throws {
        guard (0...1).contains(loss) else { throw ValidationError("--loss is a probability from 0 to 1, not \(loss)") }
        if let problem = scenario.problem { throw ValidationError(problem) }
    }

    var scenario: StandardScenario {
        var settings = Simulator.Settings(seed: seed ?? UInt64.random(in: 0...UInt64.max))
        settings.network.loss = loss
        return StandardScenario(nodes: nodes, failures: failures, duration: duration, settings: settings)
    }

    func run() throws {
        let report = scenario.run()
        switch output {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        case .table:
            print(report.table)
        }
    }
}

/// Durations as people write them on a command line.
enum SimulatedDuration {
    static func parse(_ text: String) throws -> Duration {
        let units: [(suffix: String, seconds: Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3_600)]
        for unit in units where text.hasSuffix(unit.suffix) {
            if let value = Double(text.dropLast(unit.suffix.count)), value > 0 {
                return .milliseconds(Int64(value * unit.seconds * 1_000))
            }
        }
        if let seconds = Double(text), seconds > 0 { return .milliseconds(Int64(seconds * 1_000)) }
        throw ValidationError("'\(text)' is not a duration; write a positive number with ms, s, m or h, e.g. 90s or 2m")
    }
}

extension SimulationReport {
    /// `kubectl describe`-like lines.
    var table: String {
        func seconds(_ value: Double?) -> String { value.map { String(format: "%.2fs", $0) } ?? "not within the run" }
        func distribution(_ d: Distribution) -> String {
            guard d.expected > 0 else { return "no failures injected" }
            let figures = "p50 \(seconds(d.p50))  p99 \(seconds(d.p99))  max \(seconds(d.max))"
            return d.completed == d.expected ? figures : figures + "  (\(d.completed) of \(d.expected) within the run)"
        }
        let rows: [(String, String)] = [
            ("Nodes:", "\(nodes)"),
            ("Packet loss:", String(format: "%.1f%%", loss * 100)),
            ("Killed:", "\(failed)"),
            ("Seed:", "\(seed)"),
            ("Simulated:", String(format: "%.0fs in %.1fs of wall time", durationSeconds, wallSeconds)),
            ("Join convergence:", seconds(joinConvergenceSeconds)),
            ("Dissemination 99.99%:", seconds(disseminationSeconds99_99)),
            ("Dissemination 100%:", seconds(disseminationSeconds100)),
            ("Detection, first node:", distribution(firstDetectionSeconds)),
            ("Detection, all nodes:", distribution(fullDetectionSeconds)),
            ("False failures:", "\(falseFailureDeclarations)"),
            ("Messages per node:", String(format: "%.2f/s", messagesPerNodePerSecond)),
            ("Bytes per node:", String(format: "%.0f/s", bytesPerNodePerSecond)),
        ]
        let width = rows.map(\.0.count).max()! + 2
        return rows.map { $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + $0.1 }.joined(separator: "\n")
    }
}
