import ClusterModel
import DataPlane
import Foundation
import Testing

/// The planner writes rules in iptables-save's own words, so that what is read back at start
/// compares equal and nothing is rewritten for nothing. Checked against the host's real
/// iptables, in a network namespace of the test's own (root; CI runs it as root).
@Suite(
    "Rule text round-trips through the host's iptables",
    .enabled(if: getuid() == 0 || ProcessInfo.processInfo.environment["CI"] != nil, "needs root for a network namespace"))
struct IptablesRoundTripTests {
    @Test("every kind of rule the planner writes reads back from iptables-save exactly as planned, and cleanup leaves nothing")
    func roundTrip() throws {
        let desired = rules(
            [
                planned("web", type: .nodePort, nodePorts: [30080], endpointsOn: ["h1", "h2", "h3"]),
                planned("dns", type: .nodePort, ports: [ServicePort(name: "dns", protocol: .udp, port: 53, targetPort: .number(8080))], nodePorts: [30053], endpointsOn: ["h2"]),
                planned("empty", type: .nodePort, nodePorts: [30081]),
                planned("local", type: .nodePort, nodePorts: [30090], endpointsOn: ["h1", "h2"]) { $0.externalTrafficPolicy = .local },
                planned("remote", type: .nodePort, nodePorts: [30091], endpointsOn: ["h2"]) { $0.externalTrafficPolicy = .local },
                planned("sticky", endpointsOn: ["h1", "h2"]) { $0.sessionAffinity = .clientIP(timeoutSeconds: 600) },
                planned("lb", type: .loadBalancer, nodePorts: [30100], endpointsOn: ["h1"]) {
                    $0.loadBalancerSourceRanges = [IPv4Network("192.0.2.0/24")!]
                },
            ], hostPorts: [HostPortFixture.make()])
        let random = rules([planned("web", endpointsOn: ["h1", "h2", "h3"])], choice: .random)
        let namespace = try Namespace()
        defer { namespace.delete() }
        // Someone else's rules in both tables (an empty table would read back as present after).
        try namespace.run(["iptables", "-A", "INPUT", "-s", "192.0.2.1/32", "-j", "ACCEPT"])
        try namespace.run(["iptables", "-t", "nat", "-A", "POSTROUTING", "-s", "10.0.0.0/8", "-j", "MASQUERADE"])
        let before = try namespace.save()

        for set in [desired, random] {
            try namespace.restore(RuleTransaction.text(from: RuleSet(iptablesSave: namespace.save()), to: set)!)
            let read = RuleSet(iptablesSave: try namespace.save())
            #expect(read == set, "differs: \(Self.difference(read, set))")
            #expect(RuleTransaction.text(from: read, to: set) == nil)
        }
        try namespace.restore(RuleTransaction.removal(of: RuleSet(iptablesSave: namespace.save()))!)
        let after = try namespace.save()
        #expect(after == before, "before:\n\(before)\nafter:\n\(after)")
    }

    static func difference(_ read: RuleSet, _ planned: RuleSet) -> String {
        let (a, b) = (Set(read.saveText.split(separator: "\n")), Set(planned.saveText.split(separator: "\n")))
        return "read only: \(a.subtracting(b).sorted()); planned only: \(b.subtracting(a).sorted())"
    }
}

/// A network namespace of the test's own, deleted by the test.
struct Namespace {
    let name = "agent-dp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"

    init() throws {
        try Self.run(["ip", "netns", "add", name])
    }

    func delete() { _ = try? Self.run(["ip", "netns", "delete", name]) }

    @discardableResult
    func run(_ arguments: [String], input: String? = nil) throws -> String {
        try Self.run(["ip", "netns", "exec", name] + arguments, input: input)
    }

    func save() throws -> String {
        // Without the generated-by comments, which carry the time.
        try run(["iptables-save"]).split(separator: "\n").filter { !$0.hasPrefix("#") }.joined(separator: "\n")
    }

    func restore(_ text: String) throws { try run(["iptables-restore", "--noflush"], input: text) }

    @discardableResult
    static func run(_ arguments: [String], input: String? = nil) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let (output, errors, stdin) = (Pipe(), Pipe(), Pipe())
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = stdin
        try process.run()
        if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
        try stdin.fileHandleForWriting.close()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let error = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CommandFailure(description: "\(arguments.joined(separator: " ")) exited \(process.terminationStatus): \(error)")
        }
        return text
    }
}

struct CommandFailure: Error, CustomStringConvertible {
    var description: String
}
