import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Sends journal entries to journald's native socket without ever stopping the caller
/// for long: a send waits at most `sendTimeout` for room in journald's queue, then the
/// entry is dropped.
///
/// When journald is absent or stops answering, the first failure is reported on standard
/// error and later ones are counted silently; when it answers again, one more line says how
/// many entries were lost. Each send still tries, so logging resumes by itself.
final class JournalWriter: Sendable {
    let socketPath: String
    private let sender: UnixDatagramSender?
    private let failing = Atomic<Bool>(false)
    private let dropped = Atomic<Int>(0)
    private let diagnostics: LineOutput

    init(socketPath: String, sendTimeout: Duration = .milliseconds(100), diagnostics: LineOutput = .standardError) {
        self.socketPath = socketPath
        self.diagnostics = diagnostics
        self.sender = UnixSocketAddress(socketPath).flatMap { try? UnixDatagramSender(address: $0, sendTimeout: sendTimeout) }
    }

    func write(_ entry: JournalEntry) {
        do {
            guard let sender else { throw SystemCallError(call: "socket \(socketPath)", errno: EINVAL) }
            try sender.send(entry.datagram)
            if failing.exchange(false, ordering: .relaxed) {
                let lost = dropped.exchange(0, ordering: .relaxed)
                diagnostics.write("agent: journald at \(socketPath) answers again; \(lost) log entries were lost\n")
            }
        } catch {
            dropped.add(1, ordering: .relaxed)
            if !failing.exchange(true, ordering: .relaxed) {
                diagnostics.write("agent: cannot log to journald at \(socketPath) (\(error)); dropping log entries until it answers\n")
            }
        }
    }
}
