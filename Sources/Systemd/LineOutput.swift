import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A file descriptor that takes whole log lines.
///
/// Each line is written with a single `write(2)` while holding a lock, so lines from
/// concurrent log calls never interleave, in this process or (for lines under `PIPE_BUF`,
/// or files opened with `O_APPEND`) with other writers of the same descriptor.
/// It does not own the descriptor and never closes it.
public final class LineOutput: Sendable {
    public let descriptor: Int32
    private let lock = Mutex(())

    /// Standard error, shared by every handler so that they all take the same lock.
    public static let standardError = LineOutput(descriptor: STDERR_FILENO)

    public init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    /// Writes `line`, which should end in `\n`. A failing output drops the line:
    /// logging must never stop the daemon.
    public func write(_ line: [UInt8]) {
        lock.withLock { _ in
            line.withUnsafeBytes { buffer in
                var offset = 0
                // Normally one pass; more only after a short write (a signal, a full pipe).
                while offset < buffer.count {
                    let written = systemWrite(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                    if written > 0 {
                        offset += written
                    } else if written < 0 && errno == EINTR {
                        continue
                    } else {
                        return
                    }
                }
            }
        }
    }

    public func write(_ line: String) {
        write(Array(line.utf8))
    }
}

/// `write(2)`, named apart from `LineOutput.write` which would otherwise shadow it.
private func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, bytes, count)
}
