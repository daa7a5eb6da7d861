import ControlAPI
import Logging
import NIOCore
import ServiceLifecycle
import Systemd

/// Tells systemd the truth: `READY=1` once the gossip and control sockets serve and the
/// rules were synced once, a
/// `STATUS=` line whenever the membership summary changes, `WATCHDOG=1` at half of
/// `WatchdogSec` only when the gossip event loop answers in time (a wedged loop stops the
/// pings and systemd restarts the agent), and `STOPPING=1` when shutdown begins.
struct SystemdService: Service {
    let notifier: SystemdNotifier
    let watchdogInterval: Duration?
    let node: GossipNode
    let servers: [ControlServer]
    /// Returns once the data plane synced its rules for the first time; nil without one.
    let firstRuleSync: (@Sendable () async -> Void)?
    let logger: Logger

    /// How often the status line is refreshed when there is no watchdog.
    static let statusInterval = Duration.seconds(5)

    func run() async throws {
        for server in servers { _ = try await server.listeningEndpoint() }
        await firstRuleSync?()
        let first = (try? await node.summary().get()) ?? "starting"
        notify([.ready, .status(first)])
        logger.info("ready", metadata: ["status": "\(first)"])
        let tick = min(watchdogInterval ?? Self.statusInterval, Self.statusInterval)
        await cancelWhenGracefulShutdown {
            var status = first
            while !Task.isCancelled {
                try? await Task.sleep(for: tick)
                guard !Task.isCancelled else { break }
                // The health check is a round trip through the gossip event loop.
                guard let summary = await node.summary().timeout(after: tick / 2) else {
                    logger.warning("the gossip event loop did not answer in time; withholding the watchdog ping")
                    continue
                }
                var notifications: [SystemdNotification] = watchdogInterval == nil ? [] : [.watchdog]
                if summary != status {
                    status = summary
                    notifications.append(.status(summary))
                }
                notify(notifications)
            }
        }
        notify([.stopping, .status("leaving the cluster")])
    }

    private func notify(_ notifications: [SystemdNotification]) {
        guard notifier.isEnabled, !notifications.isEmpty else { return }
        do {
            try notifier.send(notifications)
        } catch {
            logger.warning("cannot notify systemd", metadata: ["error": "\(error)"])
        }
    }
}

extension EventLoopFuture where Value: Sendable {
    /// The value, or nil when it takes longer than `limit`.
    func timeout(after limit: Duration) async -> Value? {
        await withTaskGroup(of: Value?.self) { group in
            group.addTask { try? await self.get() }
            group.addTask {
                try? await Task.sleep(for: limit)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }
}
