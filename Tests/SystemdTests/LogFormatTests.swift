import Foundation
import Logging
import Systemd
import Testing

@Suite struct LogFormatTests {
    /// A file to stand in for standard error, and its `device:inode` as systemd writes it.
    private func standIn() throws -> (output: CapturedOutput, journalStream: String) {
        let output = CapturedOutput()
        var status = stat()
        try #require(fstat(output.output.descriptor, &status) == 0)
        return (output, "\(status.st_dev):\(status.st_ino)")
    }

    @Test func standardErrorConnectedToTheJournalMeansJournald() throws {
        let (output, stream) = try standIn()
        #expect(LogFormat.automatic(environment: ["JOURNAL_STREAM": stream], standardError: output.output.descriptor) == .journald)
    }

    @Test func anInheritedJournalStreamThatIsNotOurStandardErrorMeansText() throws {
        let (output, _) = try standIn()
        let (_, otherStream) = try standIn()
        #expect(LogFormat.automatic(environment: ["JOURNAL_STREAM": otherStream], standardError: output.output.descriptor) == .text)
    }

    @Test(arguments: [[:], ["JOURNAL_STREAM": ""], ["JOURNAL_STREAM": "8:"], ["JOURNAL_STREAM": "journal"]])
    func withoutAUsableJournalStreamTheFormatIsText(environment: [String: String]) throws {
        let (output, _) = try standIn()
        #expect(LogFormat.automatic(environment: environment, standardError: output.output.descriptor) == .text)
    }

    @Test func theFormatsAreSpelledAsTheFlagTakesThem() {
        #expect(LogFormat.allCases.map(\.rawValue) == ["text", "json", "journald"])
        #expect(LogFormat(rawValue: "json") == .json)
        #expect(LogFormat(rawValue: "syslog") == nil)
    }

    @Test func theFactoryWritesEachFormatToItsOutput() throws {
        let text = CapturedOutput()
        let json = CapturedOutput()
        let inbox = try DatagramInbox()
        let loggers = [
            LogFormat.text.handlerFactory(nodeName: "n1", output: text.output),
            LogFormat.json.handlerFactory(nodeName: "n1", output: json.output),
            LogFormat.journald.handlerFactory(nodeName: "n1", output: text.output, journalSocket: inbox.address),
        ].map { factory in Logger(label: "agent", factory: { factory($0, nil) }) }
        for logger in loggers {
            logger.notice("started", metadata: ["peer": "n2"])
        }
        #expect(text.lines.count == 1)
        #expect(text.lines.first?.hasSuffix(" notice started node=n1 peer=n2") == true)
        #expect(json.lines.first?.contains(#""message":"started","node":"n1","peer":"n2"}"#) == true)
        let entry = try #require(inbox.receive())
        #expect(String(decoding: entry, as: UTF8.self).contains("PEER=n2\n"))
    }

    @Test func theFactoryPassesTheMetadataProviderOn() throws {
        let captured = CapturedOutput()
        let factory = LogFormat.text.handlerFactory(nodeName: "n1", output: captured.output)
        let provider = Logger.MetadataProvider { ["term": "7"] }
        Logger(label: "agent", factory: { factory($0, provider) }).info("elected")
        #expect(captured.lines.first?.hasSuffix(" info  elected node=n1 term=7") == true)
    }
}
