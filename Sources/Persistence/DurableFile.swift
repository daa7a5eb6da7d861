#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole-file writes that a crash cannot tear: the new contents go to a temporary file in
/// the same directory, which is fsync'd and renamed over the old one, then the directory
/// is fsync'd so the rename itself is durable. A reader sees the old file or the new one.
public enum DurableFile {
    public struct Failure: Error, CustomStringConvertible {
        public let path: String
        public let step: String
        public let errno: Int32

        public init(path: String, step: String, errno: Int32) {
            self.path = path
            self.step = step
            self.errno = errno
        }

        public var description: String { "cannot \(step) \(path): \(String(cString: strerror(errno)))" }
    }

    public static func write(_ contents: [UInt8], to path: String, mode: mode_t) throws(Failure) {
        let temporary = path + ".tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { throw Failure(path: temporary, step: "create", errno: errno) }
        do throws(Failure) {
            // The mode given to open() is masked by the umask; the file must be exactly `mode`.
            guard fchmod(fd, mode) == 0 else { throw Failure(path: temporary, step: "chmod", errno: errno) }
            let writeError = writeAll(contents, to: fd)
            guard writeError == 0 else { throw Failure(path: temporary, step: "write", errno: writeError) }
            guard fsync(fd) == 0 else { throw Failure(path: temporary, step: "fsync", errno: errno) }
        } catch {
            close(fd)
            unlink(temporary)
            throw error
        }
        close(fd)
        guard rename(temporary, path) == 0 else {
            let failure = Failure(path: path, step: "rename \(temporary) to", errno: errno)
            unlink(temporary)
            throw failure
        }
        let directory = fileDirectory(of: path)
        let dirFD = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard dirFD >= 0 else { throw Failure(path: directory, step: "open directory", errno: errno) }
        defer { close(dirFD) }
        guard fsync(dirFD) == 0 else { throw Failure(path: directory, step: "fsync directory", errno: errno) }
    }

    /// The whole file, or nil when it does not exist.
    public static func read(_ path: String) throws(Failure) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            throw Failure(path: path, step: "open", errno: errno)
        }
        defer { close(fd) }
        var contents: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw Failure(path: path, step: "read", errno: errno)
            }
            if count == 0 { return contents }
            contents.append(contentsOf: chunk[..<count])
        }
    }

    private static func fileDirectory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}

/// Writes every byte of `bytes` to `descriptor`, retrying short writes and EINTR; returns 0,
/// or the errno of the write that failed.
func writeAll(_ bytes: [UInt8], to descriptor: Int32) -> Int32 {
    bytes.withUnsafeBytes { buffer -> Int32 in
        var offset = 0
        while offset < buffer.count {
            let written = Glibc.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                return errno
            }
            offset += written
        }
        return 0
    }
}
