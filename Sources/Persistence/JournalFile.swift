#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An append-only file whose appends are on disk when `append` returns: the bytes are
/// written at the end and `fdatasync`'d (which also flushes the new file size, all that
/// reading them back needs). A crash during an append leaves everything before it intact
/// and a prefix of the new bytes after it; the reader tells the two apart (see
/// ``ChecksummedRecords``) and cuts the prefix off with ``truncate(to:)``.
///
/// Not thread-safe: one owner appends.
public final class JournalFile {
    public let path: String
    /// The file's length as this process last made it durable.
    public private(set) var length: Int
    private let descriptor: Int32
    /// Set when an fdatasync failed: Linux may have dropped the dirty pages and cleared the
    /// error, so a later fdatasync that succeeds proves nothing. Only a restart, which reads
    /// the file back, knows what is on disk.
    private var unusable: DurableFile.Failure?

    private init(path: String, descriptor: Int32, length: Int) {
        self.path = path
        self.descriptor = descriptor
        self.length = length
    }

    deinit { close(descriptor) }

    /// Opens the journal at `path` and reads it whole. One that does not exist yet is created
    /// holding `initialContents` (a header), by a durable whole-file write, so that a crash
    /// can never leave a journal without its header.
    public static func open(
        _ path: String, creatingWith initialContents: [UInt8], mode: mode_t
    ) throws(DurableFile.Failure) -> (journal: JournalFile, contents: [UInt8]) {
        var descriptor = Glibc.open(path, O_RDWR | O_APPEND | O_CLOEXEC)
        if descriptor < 0 && errno == ENOENT {
            try DurableFile.write(initialContents, to: path, mode: mode)
            descriptor = Glibc.open(path, O_RDWR | O_APPEND | O_CLOEXEC)
        }
        guard descriptor >= 0 else { throw DurableFile.Failure(path: path, step: "open", errno: errno) }
        let contents: [UInt8]
        do throws(DurableFile.Failure) {
            contents = try read(descriptor, path: path)
        } catch {
            close(descriptor)
            throw error
        }
        return (JournalFile(path: path, descriptor: descriptor, length: contents.count), contents)
    }

    /// Writes `bytes` at the end and waits until they are on disk. A failed write is cut off
    /// again, so the file never keeps half an append that was reported as failed.
    public func append(_ bytes: [UInt8]) throws(DurableFile.Failure) {
        if let unusable { throw DurableFile.Failure(path: path, step: "append to (an earlier fdatasync failed)", errno: unusable.errno) }
        let writeError = writeAll(bytes, to: descriptor)
        guard writeError == 0 else {
            _ = ftruncate(descriptor, off_t(length))
            throw DurableFile.Failure(path: path, step: "append to", errno: writeError)
        }
        try synchronize(step: "fdatasync")
        length += bytes.count
    }

    /// Cuts the file to its first `newLength` bytes, durably.
    public func truncate(to newLength: Int) throws(DurableFile.Failure) {
        precondition(newLength <= length, "truncating \(path) to \(newLength) bytes would grow it from \(length)")
        guard ftruncate(descriptor, off_t(newLength)) == 0 else {
            throw DurableFile.Failure(path: path, step: "truncate", errno: errno)
        }
        try synchronize(step: "fdatasync after truncating")
        length = newLength
    }

    private func synchronize(step: String) throws(DurableFile.Failure) {
        #if canImport(Glibc)
        let result = fdatasync(descriptor)
        #else
        let result = fsync(descriptor)
        #endif
        guard result == 0 else {
            let failure = DurableFile.Failure(path: path, step: step, errno: errno)
            unusable = failure
            throw failure
        }
    }

    private static func read(_ descriptor: Int32, path: String) throws(DurableFile.Failure) -> [UInt8] {
        var contents: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 256 * 1024)
        var offset: off_t = 0
        while true {
            let count = chunk.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress!, $0.count, offset) }
            if count < 0 {
                if errno == EINTR { continue }
                throw DurableFile.Failure(path: path, step: "read", errno: errno)
            }
            if count == 0 { return contents }
            contents.append(contentsOf: chunk[..<count])
            offset += off_t(count)
        }
    }
}
