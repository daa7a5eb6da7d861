import Foundation
import Systemd
import Testing

@Suite struct SystemdNotifierTests {
    @Test func eachNotificationArrivesAsExactlyItsProtocolLine() throws {
        let inbox = try DatagramInbox()
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": inbox.address])
        #expect(notifier.isEnabled)

        try notifier.ready()
        #expect(inbox.receiveText() == "READY=1")
        try notifier.status("3 members, 12 services")
        #expect(inbox.receiveText() == "STATUS=3 members, 12 services")
        try notifier.watchdog()
        #expect(inbox.receiveText() == "WATCHDOG=1")
        try notifier.stopping()
        #expect(inbox.receiveText() == "STOPPING=1")
        #expect(inbox.receive(timeout: .zero) == nil)
    }

    @Test func aStatusWithLineBreaksIsSentAsOneLine() throws {
        let inbox = try DatagramInbox()
        try SystemdNotifier(environment: ["NOTIFY_SOCKET": inbox.address]).status("syncing rules\nfor 3 services\r\n")
        #expect(inbox.receiveText() == "STATUS=syncing rules for 3 services ")
    }

    @Test func readyWithAStatusIsOneDatagramSoSystemdAppliesBothTogether() throws {
        let inbox = try DatagramInbox()
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": inbox.address])
        try notifier.ready(status: "3 members")
        #expect(inbox.receiveText() == "READY=1\nSTATUS=3 members")
        try notifier.send([.stopping, .extendTimeout(.seconds(20))])
        #expect(inbox.receiveText() == "STOPPING=1\nEXTEND_TIMEOUT_USEC=20000000")
    }

    @Test func anAbstractNamespaceSocketReceivesNotifications() throws {
        let inbox = try DatagramInbox(abstractName: "agent-notify-test-\(UUID().uuidString)")
        #expect(inbox.address.hasPrefix("@"))
        try SystemdNotifier(environment: ["NOTIFY_SOCKET": inbox.address]).ready()
        #expect(inbox.receiveText() == "READY=1")
    }

    @Test(arguments: [[:], ["NOTIFY_SOCKET": ""]])
    func withoutNotifySocketTheNotifierIsDisabledAndSendsNothing(environment: [String: String]) throws {
        let notifier = SystemdNotifier(environment: environment)
        #expect(!notifier.isEnabled)
        #expect(notifier.socket == nil)
        try notifier.ready(status: "up")
        try notifier.watchdog()
        try notifier.stopping()
    }

    @Test func aNotifySocketNobodyListensOnIsReportedAsAnError() throws {
        let missing = FileManager.default.temporaryDirectory.appendingPathComponent("absent-\(UUID().uuidString)/notify").path
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": missing])
        let error = #expect(throws: SystemCallError.self) { try notifier.ready() }
        #expect(error?.errno == ENOENT)
        #expect(error?.description.contains(missing) == true)
    }

    @Test func aNotifySocketPathTooLongForAnAddressIsReportedAsAnError() {
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": "/" + String(repeating: "x", count: 200)])
        #expect(throws: SystemCallError.self) { try notifier.watchdog() }
    }
}

@Suite struct WatchdogIntervalTests {
    @Test func theIntervalIsHalfOfWatchdogUsec() {
        #expect(SystemdNotifier.watchdogInterval(environment: ["WATCHDOG_USEC": "20000000"], pid: 42) == .seconds(10))
        #expect(SystemdNotifier.watchdogInterval(environment: ["WATCHDOG_USEC": "3"], pid: 42) == .nanoseconds(1500))
    }

    @Test func theIntervalHonoursWatchdogPidNamingThisProcess() {
        let environment = ["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "42"]
        #expect(SystemdNotifier.watchdogInterval(environment: environment, pid: 42) == .seconds(15))
    }

    @Test func aWatchdogMeantForAnotherProcessIsIgnored() {
        let environment = ["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "41"]
        #expect(SystemdNotifier.watchdogInterval(environment: environment, pid: 42) == nil)
    }

    @Test(arguments: [
        [:], ["WATCHDOG_USEC": "0"], ["WATCHDOG_USEC": "soon"], ["WATCHDOG_USEC": "-5"], ["WATCHDOG_USEC": ""],
        ["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "garbage"],
    ])
    func anAbsentZeroOrGarbledWatchdogIsOff(environment: [String: String]) {
        #expect(SystemdNotifier.watchdogInterval(environment: environment, pid: 42) == nil)
    }

    @Test func byDefaultTheIntervalIsReadForThisProcess() {
        let environment = ["WATCHDOG_USEC": "2000000", "WATCHDOG_PID": String(getpid())]
        #expect(SystemdNotifier.watchdogInterval(environment: environment) == .seconds(1))
    }
}
