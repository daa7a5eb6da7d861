import Catalog
import ClusterModel
import Foundation
import Persistence
import Testing
import Wire

@testable import AgentRuntime

@Suite("The catalog on disk")
struct CatalogStoreTests {
    // MARK: Round trips

    @Test("Services, Pods and tombstones appended come back after a restart as the same replica")
    func reopen() throws {
        try withCatalogDirectory { directory in
            let batches = [
                [Fixture.service("web", at: 10), Fixture.pod("web-1", at: 11, ready: nil)],
                [Fixture.pod("web-1", at: 20, ready: true), Fixture.service("db", at: 21, headless: true)],
                [Fixture.tombstone(Fixture.serviceKey("db"), at: 30)],
                [Fixture.pod("web-2", at: 31, ready: false), Fixture.service("web", at: 5)],  // an older write loses
            ]
            let store = try CatalogStore(directory: directory)
            #expect(try store.load().replica == CatalogReplica())
            for batch in batches { try store.append(batch) }

            let loaded = try CatalogStore(directory: directory).load()
            #expect(loaded.replica == CatalogReplica(entries: batches.joined()))
            #expect(loaded.records == 7 && loaded.discardedTail == nil)
            #expect(loaded.replica[Fixture.serviceKey("db")]?.isTombstone == true)
            #expect(loaded.replica[Fixture.podKey("web-1")]?.pod?.status.ready == true)
        }
    }

    @Test("a new directory is created private, with an empty catalog")
    func newDirectory() throws {
        try withCatalogDirectory { directory in
            let store = try CatalogStore(directory: directory)
            let loaded = try store.load()
            #expect(loaded.replica.entries.isEmpty && loaded.records == 0 && loaded.discardedTail == nil)
            #expect(store.journalBytes == 0 && store.lastContact() == nil)
            let attributes = try FileManager.default.attributesOfItem(atPath: directory)
            #expect((attributes[.posixPermissions] as? Int) == 0o700)
            #expect(try Fixture.bytes(of: store.journalPath) == CatalogStore.journalHeader)
            #expect(!FileManager.default.fileExists(atPath: store.snapshotPath))
        }
    }

    // MARK: Upgrades

    /// A LoadBalancer Service's entry as the release before the load balancer status (fa66cb8)
    /// wrote it: body revision 1. The same bytes are `previousReleaseHex` in the wire tests.
    static let previousReleaseEntry: [UInt8] = {
        let hex = """
            01 07 64656661756c74 03 776562 0000018bcfe56800 00000002 02 6e31 0000018bcfe56800 00000001 02 6e31 00
            01 0032 01 01 0000 0000 03 0001 0003 617070 0003 776562 0001 01 04 68747470 01 0050 01 1f90 00
            01 01 01 00 0000 01 0a60000a 01 7530 00 00
            """
        let digits = Array(hex.filter(\.isHexDigit))
        return stride(from: 0, to: digits.count, by: 2).map { UInt8(String(digits[$0...$0 + 1]), radix: 16)! }
    }()

    @Test("a journal the previous release wrote loads after the upgrade, its Service pending; the leader's status then survives a restart and a compaction")
    func journalOfThePreviousRelease() throws {
        try withCatalogDirectory { directory in
            let store = try CatalogStore(directory: directory)
            var journal = CatalogStore.journalHeader
            ChecksummedRecords.append(Self.previousReleaseEntry, to: &journal)
            try Fixture.write(journal, to: store.journalPath)

            let loaded = try CatalogStore(directory: directory).load()
            let key = ObjectKey(kind: .service, namespace: "default", name: "web")
            let entry = try #require(loaded.replica[key])
            #expect(entry.service?.service.spec.type == .loadBalancer)
            #expect(entry.service?.allocation.nodePorts == [30000])
            #expect(entry.service?.loadBalancer == LoadBalancerStatus())

            var balanced = try #require(entry.service)
            balanced.loadBalancer = LoadBalancerStatus(
                ingress: [LoadBalancerIngress(hostname: "web-1.elb.amazonaws.com")],
                condition: LoadBalancerCondition(
                    synced: true, reason: LoadBalancerCondition.ensured, message: "", since: Timestamp(millisecondsSinceEpoch: 1_700_000_001_000)))
            let rewrite = CatalogEntry(
                key: key, version: Fixture.version(1_700_000_001_000), createdAt: entry.createdAt, specVersion: entry.version,
                body: .service(balanced))
            let reopened = try CatalogStore(directory: directory)
            _ = try reopened.load()
            try reopened.append([rewrite])
            #expect(try CatalogStore(directory: directory).load().replica[key] == rewrite)
            try reopened.compact([rewrite])
            #expect(try CatalogStore(directory: directory).load().replica[key] == rewrite)
        }
    }

    // MARK: Crashes

    @Test("a journal cut at every byte of its last record loads exactly the records before it")
    func cutAtEveryByte() throws {
        try withCatalogDirectory { directory in
            let store = try CatalogStore(directory: directory)
            _ = try store.load()
            let earlier = [Fixture.service("web", at: 10), Fixture.pod("web-1", at: 11, ready: true)]
            try store.append(earlier)
            let lastStart = try Fixture.bytes(of: store.journalPath).count
            try store.append([Fixture.pod("web-2", at: 12, ready: false)])
            let whole = try Fixture.bytes(of: store.journalPath)

            for cut in lastStart..<whole.count {
                try Fixture.write(Array(whole[..<cut]), to: store.journalPath)
                let reopened = try CatalogStore(directory: directory)
                let loaded = try reopened.load()
                #expect(loaded.replica == CatalogReplica(entries: earlier), "cut at byte \(cut)")
                let expectedTail = cut == lastStart ? nil : CatalogStore.DiscardedJournalTail(offset: lastStart, bytes: cut - lastStart, cause: .incompleteAppend)
                #expect(loaded.discardedTail == expectedTail, "cut at byte \(cut)")
                #expect(try Fixture.bytes(of: store.journalPath) == Array(whole[..<lastStart]), "the torn tail is cut off")
            }
            // What is appended after a cut is read back after it.
            let reopened = try CatalogStore(directory: directory)
            _ = try reopened.load()
            let later = Fixture.pod("web-3", at: 13, ready: true)
            try reopened.append([later])
            #expect(try CatalogStore(directory: directory).load().replica == CatalogReplica(entries: earlier + [later]))
        }
    }

    @Test("a flipped byte anywhere in the last record drops that record alone")
    func flippedByteInLastRecord() throws {
        try withCatalogDirectory { directory in
            let store = try CatalogStore(directory: directory)
            _ = try store.load()
            let earlier = [Fixture.service("web", at: 10)]
            try store.append(earlier)
            let lastStart = try Fixture.bytes(of: store.journalPath).count
            try store.append([Fixture.pod("web-1", at: 11, ready: true)])
            let whole = try Fixture.bytes(of: store.journalPath)

            for index in lastStart..<whole.count {
                var flipped = whole
                flipped[index] ^= 0x20
                try Fixture.write(flipped, to: store.journalPath)
                let loaded = try CatalogStore(directory: directory).load()
                #expect(loaded.replica == CatalogReplica(entries: earlier), "byte \(index) flipped")
                #expect(loaded.discardedTail?.cause == .incompleteAppend, "byte \(index) flipped")
            }
        }
    }

    /// Records after a damaged one are not replayed: the prefix before it is a state this
    /// node really held, which the per-writer digests of anti-entropy repair from peers;
    /// skipping one record would leave a state it never held, whose gap the digests hide.
    @Test("a flipped byte in a middle record stops the journal there, sets the rest aside and reports it")
    func flippedByteInMiddleRecord() throws {
        try withCatalogDirectory { directory in
            let store = try CatalogStore(directory: directory)
            _ = try store.load()
            let before = [Fixture.service("web", at: 10)]
            try store.append(before)
            let damagedStart = try Fixture.bytes(of: store.journalPath).count
            try store.append([Fixture.pod("web-1", at: 11, ready: true)])
            try store.append([Fixture.pod("web-2", at: 12, ready: true), Fixture.tombstone(Fixture.serviceKey("web"), at: 13)])
            var journal = try Fixture.bytes(of: store.journalPath)
            journal[damagedStart + ChecksummedRecords.headerLength + 3] ^= 0x01
            try Fixture.write(journal, to: store.journalPath)

            let reopened = try CatalogStore(directory: directory)
            let loaded = try reopened.load()
            #expect(loaded.replica == CatalogReplica(entries: before))
            let tail = try #require(loaded.discardedTail)
            #expect(tail.offset == damagedStart && tail.bytes == journal.count - damagedStart)
            guard case .damage(let reason, let setAside) = tail.cause else {
                Issue.record("a damaged middle record was taken for a torn append: \(tail)")
                return
            }
            #expect(reason.contains("byte \(damagedStart)") && reason.contains("checksum"))
            #expect(setAside.hasPrefix(reopened.journalPath + ".damaged-"))
            #expect(try Fixture.bytes(of: setAside) == Array(journal[damagedStart...]))

            // The journal goes on from the last intact record, and the next start is clean.
            let later = Fixture.pod("web-3", at: 14, ready: true)
            try reopened.append([later])
            let again = try CatalogStore(directory: directory).load()
            #expect(again.replica == CatalogReplica(entries: before + [later]) && again.discardedTail == nil)
        }
    }

    @Test("an intact journal record this build cannot decode is an error naming the file, and changes nothing")
    func undecodableRecord() throws {
        try withCatalogDirectory { directory in
            let store = try CatalogStore(directory: directory)
            _ = try store.load()
            try store.append([Fixture.service("web", at: 10)])
            var journal = try Fixture.bytes(of: store.journalPath)
            let recordAt = journal.count
            ChecksummedRecords.append([0xEE, 0x01, 0x02], to: &journal)
            try Fixture.write(journal, to: store.journalPath)

            let error = try #require(throws: CatalogStoreError.self) { try CatalogStore(directory: directory).load() }
            #expect(error.description.contains(store.journalPath) && error.description.contains("byte \(recordAt)"))
            #expect(error.description.contains("later agent"))
            #expect(try Fixture.bytes(of: store.journalPath) == journal)
        }
    }

    // MARK: Compaction

    @Test("after compaction the snapshot holds the catalog, the journal is empty, and later appends count")
    func compactThenReopen() throws {
        try withCatalogDirectory { directory in
            let store = try CatalogStore(directory: directory)
            _ = try store.load()
            var replica = CatalogReplica()
            for entry in [Fixture.service("web", at: 10), Fixture.pod("web-1", at: 11, ready: true), Fixture.tombstone(Fixture.podKey("old"), at: 12)] {
                try store.append([entry])
                replica.merge(entry)
            }
            #expect(store.journalBytes > 0)
            try store.compact(Array(replica.entries.values))
            #expect(store.journalBytes == 0)
            #expect(try Fixture.bytes(of: store.journalPath) == CatalogStore.journalHeader)

            let later = Fixture.pod("web-1", at: 20, ready: false)
            try store.append([later])
            replica.merge(later)
            let loaded = try CatalogStore(directory: directory).load()
            #expect(loaded.replica == replica && loaded.records == 4 && loaded.discardedTail == nil)
        }
    }

    @Test("a crash between writing the snapshot and emptying the journal loads the same catalog")
    func crashDuringCompaction() throws {
        try withCatalogDirectory { directory in
            let store = try CatalogStore(directory: directory)
            _ = try store.load()
            let entries = [
                Fixture.service("web", at: 10), Fixture.pod("web-1", at: 11, ready: nil), Fixture.pod("web-1", at: 12, ready: true),
                Fixture.service("db", at: 13), Fixture.tombstone(Fixture.serviceKey("db"), at: 14),
            ]
            try store.append(entries)
            let replica = CatalogReplica(entries: entries)
            let oldJournal = try Fixture.bytes(of: store.journalPath)
            try store.compact(Array(replica.entries.values))
            // The crash: the snapshot was renamed into place, the journal not yet truncated.
            try Fixture.write(oldJournal, to: store.journalPath)
            #expect(try CatalogStore(directory: directory).load().replica == replica)

            // Even a tombstone purged before the compaction only comes back as a tombstone.
            var purged = replica
            purged.purge(now: Timestamp(millisecondsSinceEpoch: 14) + .seconds(25 * 60 * 60))
            let store2 = try CatalogStore(directory: directory)
            _ = try store2.load()
            try store2.compact(Array(purged.entries.values))
            try Fixture.write(oldJournal, to: store.journalPath)
            let loaded = try CatalogStore(directory: directory).load().replica
            #expect(loaded.services == purged.services && loaded.pods == purged.pods)
        }
    }

    @Test("a damaged snapshot is an error naming the file, and changes nothing")
    func damagedSnapshot() throws {
        try withCatalogDirectory { directory in
            let store = try CatalogStore(directory: directory)
            _ = try store.load()
            try store.compact([Fixture.service("web", at: 10), Fixture.pod("web-1", at: 11, ready: true)])
            try store.append([Fixture.service("db", at: 12)])
            let journal = try Fixture.bytes(of: store.journalPath)
            let snapshot = try Fixture.bytes(of: store.snapshotPath)
            let damages: [(inout [UInt8]) -> Void] = [
                { $0[$0.count - 5] ^= 0x40 },  // in the last record
                { $0.removeLast() },
                { $0[0] = UInt8(ascii: "N") },  // not our header
            ]
            for damage in damages {
                var damaged = snapshot
                damage(&damaged)
                try Fixture.write(damaged, to: store.snapshotPath)
                let error = try #require(throws: CatalogStoreError.self) { try CatalogStore(directory: directory).load() }
                #expect(error.description.contains(store.snapshotPath) && error.description.contains("move it away"), "\(error)")
                #expect(try Fixture.bytes(of: store.journalPath) == journal)
            }
        }
    }

    @Test("temporary files of an interrupted snapshot write are removed at load")
    func temporaryFiles() throws {
        try withCatalogDirectory { directory in
            let store = try CatalogStore(directory: directory)
            let leftover = directory + "/snapshot.tmp-4242"
            try Fixture.write([1, 2, 3], to: leftover)
            _ = try store.load()
            #expect(!FileManager.default.fileExists(atPath: leftover))
        }
    }

    // MARK: Last contact

    @Test("the last contact survives a restart, written at most every few seconds and at once when the clock goes back")
    func lastContact() throws {
        try withCatalogDirectory { directory in
            let store = try CatalogStore(directory: directory)
            #expect(store.lastContact() == nil)
            try store.recordContact(1_700_000_000_000)
            #expect(try CatalogStore(directory: directory).lastContact() == 1_700_000_000_000)
            try store.recordContact(1_700_000_001_000)
            #expect(store.lastContact() == 1_700_000_001_000)
            #expect(try CatalogStore(directory: directory).lastContact() == 1_700_000_000_000, "a second later is not written yet")
            try store.recordContact(1_700_000_005_000)
            #expect(try CatalogStore(directory: directory).lastContact() == 1_700_000_005_000)
            try store.recordContact(1_600_000_000_000)
            #expect(try CatalogStore(directory: directory).lastContact() == 1_600_000_000_000)
        }
    }

    @Test("CRC-32C gives the standard check value")
    func checksum() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum(Array("56789".utf8), continuing: CRC32C.checksum(Array("1234".utf8))) == 0xE306_9283)
    }

    // MARK: Figures

    /// Not an assertion: the figures for Docs/benchmarks.md. `CATALOG_STORE_FIGURES=1` runs it.
    @Test(
        "figures: 1,000 appends of one entry each, and loading 60,000 entries",
        .enabled(if: ProcessInfo.processInfo.environment["CATALOG_STORE_FIGURES"] != nil))
    func figures() throws {
        try withCatalogDirectory { directory in
            let clock = ContinuousClock()
            let store = try CatalogStore(directory: directory)
            _ = try store.load()
            let appends = clock.measure {
                for index in 0..<1_000 { try! store.append([Fixture.pod("pod-\(index)", at: UInt64(index + 1), ready: true)]) }
            }
            print("catalog store: 1,000 appends of one entry, each fdatasync'd: \(appends) (\(appends / 1_000) each)")

            let entries = (0..<60_000).map { (index: Int) -> CatalogEntry in
                let wall = UInt64(index + 1)
                return index.isMultiple(of: 2) ? Fixture.pod("pod-\(index)", at: wall, ready: true) : Fixture.service("svc-\(index)", at: wall)
            }
            let journaled = try CatalogStore(directory: directory)
            _ = try journaled.load()
            for batch in stride(from: 0, to: entries.count, by: 500) { try journaled.append(Array(entries[batch..<min(batch + 500, entries.count)])) }
            print("catalog store: journal of 60,000 entries plus 1,000: \(journaled.journalBytes) bytes")
            var loaded: CatalogStore.Loaded?
            let fromJournal = try clock.measure { loaded = try CatalogStore(directory: directory).load() }
            print("catalog store: load 61,000 journal records: \(fromJournal)")
            let compacting = try CatalogStore(directory: directory)
            let replica = try compacting.load().replica
            let compaction = try clock.measure { try compacting.compact(Array(replica.entries.values)) }
            print("catalog store: compact \(replica.entries.count) entries: \(compaction)")
            let fromSnapshot = try clock.measure { loaded = try CatalogStore(directory: directory).load() }
            print("catalog store: load a snapshot of \(loaded?.records ?? 0) entries: \(fromSnapshot)")
        }
    }
}

/// A catalog directory under a fresh temporary data directory, removed afterwards.
private func withCatalogDirectory(_ body: (String) throws -> Void) throws {
    let dataDirectory = FileManager.default.temporaryDirectory.path + "/catalog-store-tests-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dataDirectory) }
    try body(CatalogStore.directory(inDataDirectory: dataDirectory))
}

private enum Fixture {
    static let writer = try! NodeName("node-a")

    static func version(_ wall: UInt64) -> CatalogVersion {
        CatalogVersion(timestamp: HybridTimestamp(wallMilliseconds: wall, counter: 0), writer: writer)
    }

    static func serviceKey(_ name: String) -> ObjectKey { ObjectKey(kind: .service, namespace: "default", name: name) }
    static func podKey(_ name: String) -> ObjectKey { ObjectKey(kind: .pod, namespace: "default", name: name) }

    static func service(_ name: String, at wall: UInt64, headless: Bool = false) -> CatalogEntry {
        let service = KubernetesService(
            metadata: ObjectMetadata(name: name, labels: ["app": name], annotations: ["note": "written at \(wall)"]),
            spec: KubernetesService.Spec(
                type: .nodePort, selector: ["app": name], ports: [ServicePort(name: "http", port: 80, targetPort: .name("web"))],
                clusterIP: headless ? .headless : .allocate))
        let allocation = ServiceAllocation(clusterIP: headless ? nil : IPv4(10, 96, 0, UInt8(truncatingIfNeeded: wall)), nodePorts: [30_080])
        return CatalogEntry(
            key: serviceKey(name), version: version(wall), createdAt: version(1),
            body: .service(AllocatedService(service: service, allocation: allocation)))
    }

    static func pod(_ name: String, at wall: UInt64, ready: Bool?) -> CatalogEntry {
        let pod = Pod(
            metadata: ObjectMetadata(name: name, labels: ["app": "web"]),
            spec: Pod.Spec(
                nodeName: writer,
                containers: [
                    Pod.Container(
                        ports: [Pod.ContainerPort(name: "web", containerPort: 8080)],
                        readinessProbe: ReadinessProbe(check: .httpGet(path: "/healthz", port: .name("web"))))
                ]),
            status: Pod.Status(podIP: IPv4(10, 244, 0, 7), ready: ready))
        return CatalogEntry(key: podKey(name), version: version(wall), createdAt: version(1), body: .pod(pod))
    }

    static func tombstone(_ key: ObjectKey, at wall: UInt64) -> CatalogEntry {
        CatalogEntry(key: key, version: version(wall), createdAt: version(1), body: .tombstone)
    }

    static func bytes(of path: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    static func write(_ bytes: [UInt8], to path: String) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }
}
