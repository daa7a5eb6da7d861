import Foundation
import Testing

@testable import AgentCLI

@Suite("AGE, as kubectl shows it")
struct HumanDurationTests {
    @Test(
        "young objects to the second, older ones coarser, with kubectl's cut-offs",
        arguments: [
            (0, "0s"), (12, "12s"), (119, "119s"), (120, "2m"), (270, "4m30s"), (300, "5m"), (599, "9m59s"), (600, "10m"),
            (179 * 60 + 59, "179m"), (3 * 3600, "3h"), (3 * 3600 + 10 * 60, "3h10m"), (8 * 3600, "8h"), (47 * 3600, "47h"),
            (48 * 3600, "2d"), (53 * 3600, "2d5h"), (8 * 86400, "8d"), (729 * 86400, "729d"), (730 * 86400, "2y"),
            (731 * 86400, "2y1d"), (8 * 365 * 86400, "8y"),
        ])
    func format(seconds: Int, expected: String) {
        #expect(HumanDuration.format(.seconds(seconds)) == expected)
    }

    @Test("a creation time slightly ahead of this host's clock is 0s; further ahead is <invalid>")
    func clockSkew() {
        #expect(HumanDuration.format(.milliseconds(-1500)) == "0s")
        #expect(HumanDuration.format(.seconds(-2)) == "<invalid>")
    }

    @Test("an object's age is counted from its creationTimestamp; without one it is <unknown>")
    func age() {
        let now = Date(timeIntervalSince1970: 1_714_564_800 + 272.9)
        #expect(HumanDuration.age(of: "2024-05-01T12:00:00Z", now: now) == "4m32s")
        #expect(HumanDuration.age(of: nil, now: now) == "<unknown>")
        #expect(HumanDuration.age(of: "soon", now: now) == "<unknown>")
    }
}
