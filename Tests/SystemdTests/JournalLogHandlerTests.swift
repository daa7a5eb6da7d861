import Foundation
import Logging
import Testing

@testable import Systemd

@Suite struct JournalLogHandlerTests {
    @Test func anEntryCarriesTheMessageItsSourceTheNodeAndEachMetadataKeyAsAField() throws {
        let inbox = try DatagramInbox()
        var handler = JournalLogHandler(nodeName: "n1", socketPath: inbox.address)
        handler[metadataKey: "service"] = "default/my-nginx"
        handler[metadataKey: "peer"] = "overridden by the call"
        let logger = Logger(label: "agent.test", factory: { _ in handler })

        let line: UInt = #line + 1
        logger.warning("peer is suspect", metadata: ["peer": "n2", "reason": "no ack\nafter 3 probes", "peer.address": "10.0.0.2:7950"])

        let entry = try inbox.receiveEntry()
        #expect(entry["MESSAGE"] == "peer is suspect")
        #expect(entry["PRIORITY"] == "4")
        #expect(entry["SYSLOG_IDENTIFIER"] == "agent")
        #expect(entry["CODE_FILE"]?.hasSuffix("JournalLogHandlerTests.swift") == true)
        #expect(entry["CODE_LINE"] == String(line))
        #expect(entry["CODE_FUNC"] == #function)
        #expect(entry["AGENT_NODE"] == "n1")
        #expect(entry["PEER"] == "n2")
        #expect(entry["SERVICE"] == "default/my-nginx")
        #expect(entry["PEER_ADDRESS"] == "10.0.0.2:7950")
        #expect(entry["REASON"] == "no ack\nafter 3 probes")
        #expect(entry.binaryFields == ["REASON"])
    }

    @Test func aMessageWithLineBreaksIsSentWhole() throws {
        let inbox = try DatagramInbox()
        let logger = Logger(label: "t") { _ in JournalLogHandler(nodeName: "n1", identifier: "agent-test", socketPath: inbox.address) }
        logger.error("sync failed:\niptables-restore: line 3 failed")
        let entry = try inbox.receiveEntry()
        #expect(entry["MESSAGE"] == "sync failed:\niptables-restore: line 3 failed")
        #expect(entry["SYSLOG_IDENTIFIER"] == "agent-test")
        #expect(entry["PRIORITY"] == "3")
    }

    @Test(arguments: [
        (Logger.Level.trace, "7"), (.debug, "7"), (.info, "6"), (.notice, "5"), (.warning, "4"), (.error, "3"), (.critical, "2"),
    ])
    func eachLevelIsWrittenAsItsSyslogPriority(level: Logger.Level, priority: String) throws {
        let inbox = try DatagramInbox()
        var logger = Logger(label: "t") { _ in JournalLogHandler(nodeName: "n1", socketPath: inbox.address) }
        logger.logLevel = .trace
        logger.log(level: level, "x")
        #expect(try inbox.receiveEntry()["PRIORITY"] == priority)
    }

    @Test func messagesBelowTheHandlersLevelAreNotSent() throws {
        let inbox = try DatagramInbox()
        let logger = Logger(label: "t") { _ in JournalLogHandler(nodeName: "n1", socketPath: inbox.address, logLevel: .info) }
        logger.debug("noise")
        logger.info("signal")
        #expect(try inbox.receiveEntry()["MESSAGE"] == "signal")
        #expect(inbox.receive(timeout: .zero) == nil)
    }

    @Test(arguments: [
        ("peer", "PEER"), ("peer.address", "PEER_ADDRESS"), ("http-status", "HTTP_STATUS"), ("_secret", "SECRET"),
        ("1st", "META_1ST"), ("message", "META_MESSAGE"), ("agent_node", "META_AGENT_NODE"), ("été", "T_"),
    ])
    func metadataKeysBecomeValidJournalFieldNames(key: String, field: String) throws {
        let inbox = try DatagramInbox()
        let logger = Logger(label: "t") { _ in JournalLogHandler(nodeName: "n1", socketPath: inbox.address) }
        logger.info("x", metadata: [key: "v"])
        let entry = try inbox.receiveEntry()
        #expect(entry[field] == "v")
        #expect(entry["MESSAGE"] == "x")
        #expect(entry["AGENT_NODE"] == "n1")
    }

    @Test func aMessageTooLargeForOneDatagramIsTruncatedAtACharacterBoundary() throws {
        let inbox = try DatagramInbox()
        let logger = Logger(label: "t") { _ in JournalLogHandler(nodeName: "n1", socketPath: inbox.address) }
        logger.info("\(String(repeating: "é", count: 100_000))")
        let message = try #require(inbox.receiveEntry()["MESSAGE"])
        #expect(message.utf8.count <= JournalEntry.maximumMessageBytes)
        #expect(message.hasSuffix("…[truncated]"))
        #expect(message.hasPrefix("éé"))
    }

    @Test func anAbsentJournaldIsReportedOnceAndLoggingCarriesOn() throws {
        let diagnostics = CapturedOutput()
        let missing = FileManager.default.temporaryDirectory.appendingPathComponent("absent-\(UUID().uuidString)/socket").path
        let factory = LogFormat.journald.handlerFactory(nodeName: "n1", output: diagnostics.output, journalSocket: missing)
        let first = Logger(label: "a", factory: { factory($0, nil) })
        let second = Logger(label: "b", factory: { factory($0, nil) })
        first.info("one")
        second.info("two")
        first.error("three")
        #expect(diagnostics.lines.count == 1)
        #expect(diagnostics.lines.first?.contains(missing) == true)
    }

    @Test func loggingResumesAndCountsWhatWasLostWhenJournaldComesBack() throws {
        let diagnostics = CapturedOutput()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("journal-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let writer = JournalWriter(socketPath: directory.appendingPathComponent("socket").path, diagnostics: diagnostics.output)
        let logger = Logger(label: "t") { _ in
            JournalLogHandler(nodeName: "n1", identifier: "agent", writer: writer, logLevel: .info, metadataProvider: nil)
        }
        logger.info("lost 1")
        logger.info("lost 2")

        let inbox = try DatagramInbox(path: writer.socketPath)
        logger.info("kept")
        #expect(try inbox.receiveEntry()["MESSAGE"] == "kept")
        #expect(diagnostics.lines.count == 2)
        #expect(diagnostics.lines.last?.contains("2 log entries were lost") == true)
    }
}
