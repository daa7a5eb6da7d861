import Foundation
import Logging
import Testing

@testable import Systemd

/// 2026-11-27T01:02:03.456Z, the moment the examples in the docs were logged.
private let exampleTime: @Sendable () -> LogTime = {
    var parts = tm()
    parts.tm_year = 2026 - 1900
    parts.tm_mon = 10
    parts.tm_mday = 27
    parts.tm_hour = 1
    parts.tm_min = 2
    parts.tm_sec = 3
    return LogTime(seconds: Int(timegm(&parts)), nanoseconds: 456_789_000)
}

@Suite struct TextLogHandlerTests {
    @Test func aLineIsTimeLevelMessageThenSortedMetadataWithTheNode() {
        let captured = CapturedOutput()
        let logger = Logger(label: "t") { _ in
            TextLogHandler(nodeName: "n1", output: captured.output, logLevel: .info, metadataProvider: nil, clock: exampleTime)
        }
        logger.info("joined cluster", metadata: ["peer": "n2"])
        logger.warning("peer is suspect", metadata: ["peer": "n3", "incarnation": "4"])
        #expect(
            captured.text == """
                2026-11-27T01:02:03.456Z info  joined cluster node=n1 peer=n2
                2026-11-27T01:02:03.456Z warning peer is suspect incarnation=4 node=n1 peer=n3

                """)
    }

    @Test func valuesThatWouldBreakTheLineAreQuotedAndEscaped() {
        let captured = CapturedOutput()
        let logger = Logger(label: "t") { _ in TextLogHandler(nodeName: "n1", output: captured.output) }
        logger.error(
            "sync failed:\nline 3", metadata: ["reason": "exit 1\nbad rule", "service": "default/my-nginx", "empty": "", "q": "say \"hi\""])
        #expect(captured.lines.count == 1)
        let line = captured.lines[0]
        #expect(line.contains(" error sync failed:\\nline 3 "))
        #expect(line.hasSuffix(#"empty="" node=n1 q="say \"hi\"" reason="exit 1\nbad rule" service=default/my-nginx"#))
    }

    @Test func theTimeIsUTCWithMilliseconds() throws {
        let captured = CapturedOutput()
        Logger(label: "t") { _ in TextLogHandler(nodeName: "n1", output: captured.output) }.info("now")
        let line = try #require(captured.lines.first)
        #expect(line.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z info  now node=n1/) != nil)
    }
}

@Suite struct JSONLogHandlerTests {
    @Test func aLineIsOneJSONObjectWithTimeLevelMessageNodeAndMetadata() throws {
        let captured = CapturedOutput()
        let logger = Logger(label: "t") { _ in
            JSONLogHandler(nodeName: "n1", output: captured.output, logLevel: .info, metadataProvider: nil, clock: exampleTime)
        }
        logger.info(
            "joined cluster",
            metadata: [
                "peer": "n2", "reason": "line\n\"two\"", "members": .stringConvertible(3), "leader": .stringConvertible(true),
                "labels": ["zone": "a"], "ports": [.stringConvertible(80), .stringConvertible(443)], "message": "clash",
            ])
        #expect(captured.lines.count == 1)
        #expect(captured.lines[0].hasPrefix(#"{"time":"2026-11-27T01:02:03.456Z","level":"info","message":"joined cluster","node":"n1","#))
        let object = try #require(JSONSerialization.jsonObject(with: Data(captured.lines[0].utf8)) as? [String: Any])
        #expect(object["time"] as? String == "2026-11-27T01:02:03.456Z")
        #expect(object["level"] as? String == "info")
        #expect(object["message"] as? String == "joined cluster")
        #expect(object["node"] as? String == "n1")
        #expect(object["peer"] as? String == "n2")
        #expect(object["reason"] as? String == "line\n\"two\"")
        #expect(object["members"] as? Int == 3)
        #expect(object["leader"] as? Bool == true)
        #expect(object["labels"] as? [String: String] == ["zone": "a"])
        #expect(object["ports"] as? [Int] == [80, 443])
        #expect(object["meta_message"] as? String == "clash")
    }

    @Test func linesFromConcurrentLogCallsNeverInterleave() async throws {
        let captured = CapturedOutput()
        let factory = LogFormat.json.handlerFactory(nodeName: "n1", output: captured.output)
        let padding = String(repeating: "x", count: 3000)
        await withTaskGroup(of: Void.self) { group in
            for task in 0..<16 {
                group.addTask {
                    let logger = Logger(label: "t\(task)", factory: { factory($0, nil) })
                    for index in 0..<50 {
                        logger.info("entry", metadata: ["task": "\(task)", "index": "\(index)", "padding": "\(padding)"])
                    }
                }
            }
        }
        let lines = captured.lines
        #expect(lines.count == 16 * 50)
        var seen = Set<String>()
        for line in lines {
            let object = try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            seen.insert("\(object["task"] ?? "")/\(object["index"] ?? "")")
        }
        #expect(seen.count == 16 * 50)
    }
}
