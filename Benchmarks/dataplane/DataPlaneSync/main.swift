import Catalog
import ClusterModel
import DataPlane
import Foundation

// Issue 6, parts 1 and 2: the daemon's sync path (DataPlaneNode.sync) on a catalog of
// SERVICES ClusterIP Services × 5 ready Pods over 3 nodes, timed phase by phase, with
// iptables-restore run as the daemon runs it (`--noflush --wait`, the text on stdin).
// It programs the namespace it runs in: Benchmarks/dataplane/sync runs it inside an empty
// network namespace of its own, never in the root one.
//
//     DataPlaneSync SERVICES TEXT-FILE
//
// Prints one `figure<TAB>seconds<TAB>bytes` line per measurement on stdout (the wrapper takes
// the medians), and writes the full sync's text to TEXT-FILE for the bare restore.

let arguments = CommandLine.arguments
guard arguments.count == 3, let serviceCount = Int(arguments[1]) else {
    FileHandle.standardError.write(Data("usage: DataPlaneSync SERVICES TEXT-FILE\n".utf8))
    exit(2)
}
let textFile = arguments[2]
let endpointsPerService = 5
let nodes = ["h1", "h2", "h3"].map { try! NodeName($0) }
let changes = 5  // of each kind in part 2

/// The catalog the daemon would hold, written as its own node would write it.
struct Cluster {
    var replica = CatalogReplica()
    var clock = HybridLogicalClock()
    var now = Timestamp(millisecondsSinceEpoch: 1_800_000_000_000)
    var nextPodAddress = IPv4(10, 128, 0, 1).value
    var podCount = 0

    /// `svc-N`, one TCP port 80 → 8080, selecting `app: svc-N`, ClusterIP 10.96.0.0 + N + 1.
    mutating func addService(_ name: String, number: Int) {
        let service = KubernetesService(
            metadata: ObjectMetadata(name: name),
            spec: KubernetesService.Spec(selector: ["app": name], ports: [ServicePort(port: 80, targetPort: .number(8080))]))
        let allocation = ServiceAllocation(clusterIP: IPv4(value: IPv4(10, 96, 0, 1).value + UInt32(number)), nodePorts: [nil])
        write { $0.apply(AllocatedService(service: service, allocation: allocation), writer: nodes[0], clock: &$1, now: $2) }
    }

    /// A ready Pod of Service `service` on the next node in turn, at the next free address.
    mutating func addPod(_ name: String, of service: String) {
        let pod = Pod(
            metadata: ObjectMetadata(name: name, labels: ["app": service]),
            spec: Pod.Spec(nodeName: nodes[podCount % nodes.count], containers: [Pod.Container(ports: [Pod.ContainerPort(containerPort: 8080)])]),
            status: Pod.Status(podIP: IPv4(value: nextPodAddress), ready: true))
        nextPodAddress += 1
        podCount += 1
        write { $0.apply(pod, writer: nodes[0], clock: &$1, now: $2) }
    }

    mutating func delete(_ kind: ObjectKey.Kind, _ name: String) {
        write { $0.delete(ObjectKey(kind: kind, namespace: "default", name: name), writer: nodes[0], clock: &$1, now: $2) }
    }

    private mutating func write(_ change: (inout CatalogReplica, inout HybridLogicalClock, Timestamp) -> Void) {
        now = now + .milliseconds(1)
        change(&replica, &clock, now)
    }
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

func report(_ figure: String, _ duration: Duration, bytes: Int = 0) {
    print("\(figure)\t\(String(format: "%.6f", seconds(duration)))\t\(bytes)")
}

/// As the daemon's HostCommand runs iptables-restore and iptables-save: stdin written from
/// another thread, stderr read on a third, waited for; exits on failure.
@discardableResult
func run(_ arguments: [String], input: String? = nil) -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    process.environment = ["PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL": "C"]
    let (stdin, output, errors) = (Pipe(), Pipe(), Pipe())
    process.standardInput = input == nil ? FileHandle.nullDevice : stdin
    process.standardOutput = output
    process.standardError = errors
    try! process.run()
    let done = DispatchGroup()
    if let input {
        DispatchQueue.global().async(group: done) {
            try? stdin.fileHandleForWriting.write(contentsOf: Data(input.utf8))
            try? stdin.fileHandleForWriting.close()
        }
    }
    nonisolated(unsafe) var message = Data()
    DispatchQueue.global().async(group: done) { message = errors.fileHandleForReading.readDataToEndOfFile() }
    let text = output.fileHandleForReading.readDataToEndOfFile()
    done.wait()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        FileHandle.standardError.write(Data("\(arguments[0]) exited \(process.terminationStatus): ".utf8) + message)
        exit(1)
    }
    return String(decoding: text, as: UTF8.self)
}

func restore(_ text: String) { run(["iptables-restore", "--noflush", "--wait"], input: text) }

/// One sync as DataPlaneNode.sync does it after a catalog change: plan from the whole
/// catalog, write only what differs from what is installed, restore. Returns the text sent.
@discardableResult
func sync(_ cluster: Cluster, installed: inout RuleSet, as figure: String) -> String {
    let clock = ContinuousClock()
    let start = clock.now
    let input = DataPlaneInput(replica: cluster.replica, conflicts: [], liveNodes: Set(nodes), node: nodes[0])
    let planned = clock.now
    let desired = RulePlanner.rules(for: input, settings: DataPlaneSettings(node: nodes[0]))
    let ruled = clock.now
    let text = RuleTransaction.text(from: installed, to: desired)!
    let written = clock.now
    restore(text)
    let restored = clock.now
    installed = desired
    let bytes = text.utf8.count
    report("\(figure).input", planned - start)
    report("\(figure).rules", ruled - planned)
    report("\(figure).text", written - ruled)
    report("\(figure).plan", written - start, bytes: bytes)
    report("\(figure).restore", restored - written, bytes: bytes)
    report("\(figure).total", restored - start, bytes: bytes)
    return text
}

// The catalog: services, then their Pods, round-robin over the nodes.
var cluster = Cluster()
let building = ContinuousClock().measure {
    for number in 0..<serviceCount {
        cluster.addService(String(format: "svc-%05d", number), number: number)
    }
    for number in 0..<serviceCount {
        for pod in 1...endpointsPerService {
            cluster.addPod(String(format: "svc-%05d-%d", number, pod), of: String(format: "svc-%05d", number))
        }
    }
}
report("catalog.build", building)

// Part 1: the first sync, into the empty namespace.
var installed = RuleSet()
let full = sync(cluster, installed: &installed, as: "full")
try! full.write(toFile: textFile, atomically: true, encoding: .utf8)

// Part 2: one change at a time in the loaded table, each its own sync. Services spread
// over the catalog, so that no change lands where the last one did.
for change in 0..<changes {
    let service = String(format: "svc-%05d", (change * 1_999 + 17) % serviceCount)
    cluster.delete(.pod, "\(service)-1")
    cluster.addPod("\(service)-1-r\(change)", of: service)
    sync(cluster, installed: &installed, as: "endpoint")
}
for change in 0..<changes {
    let service = String(format: "new-%05d", change)
    cluster.addService(service, number: serviceCount + change)
    for pod in 1...endpointsPerService { cluster.addPod("\(service)-\(pod)", of: service) }
    sync(cluster, installed: &installed, as: "add")
}
for change in 0..<changes {
    cluster.delete(.service, String(format: "svc-%05d", (change * 1_999 + 1_000) % serviceCount))
    sync(cluster, installed: &installed, as: "delete")
}

// Informational: where DataPlaneInput.init, run on every sync, spends its time.
let clock = ContinuousClock()
var counted = 0  // so that the optimiser keeps what is measured
report("input.services", clock.measure { counted += cluster.replica.services.count })
report("input.pods", clock.measure { counted += cluster.replica.pods.count })
let someService = cluster.replica.services[0].service
report("input.index", clock.measure { counted += EndpointIndex(cluster.replica, liveNodes: Set(nodes)).endpoints(for: someService).count })

// Informational: the daemon's full resync in this loaded table (its first sync after a
// start, then hourly and after any failure): read back with iptables-save, then send the
// difference (none here: what was read back is what is wanted).
let start = clock.now
let saved = run(["iptables-save", "-t", "filter"]) + run(["iptables-save", "-t", "nat"])
let readBack = clock.now
let current = RuleSet(iptablesSave: saved)
let parsed = clock.now
let input = DataPlaneInput(replica: cluster.replica, conflicts: [], liveNodes: Set(nodes), node: nodes[0])
let desired = RulePlanner.rules(for: input, settings: DataPlaneSettings(node: nodes[0]))
let planned = clock.now
let text = RuleTransaction.text(from: current, to: desired) ?? ""
let written = clock.now
if !text.isEmpty { restore(text) }
let restored = clock.now
guard current == installed else {
    FileHandle.standardError.write(Data("the rules read back differ from those installed\n".utf8))
    exit(1)
}
report("resync.save", readBack - start, bytes: saved.utf8.count)
report("resync.parse", parsed - readBack)
report("resync.plan", planned - parsed)
report("resync.text", written - planned)
report("resync.restore", restored - written, bytes: text.utf8.count)
report("resync.total", restored - start, bytes: text.utf8.count)
