import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The socket file a `ControlServer` listens on: made ready before bind, restricted after,
/// and removed at shutdown only if it is still the one this server created.
struct UnixSocketFile {
    /// Which file a path names, so shutdown does not unlink a successor's socket.
    struct Identity: Equatable {
        var device: UInt64
        var inode: UInt64
    }

    let path: String

    /// Creates the parent directory (0755) if missing and removes a stale socket left by a
    /// dead server. A socket that still answers belongs to a live server and is kept.
    func prepareForBind() throws(ControlServerError) {
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty, !FileManager.default.fileExists(atPath: parent) {
            do {
                try FileManager.default.createDirectory(
                    atPath: parent,
                    withIntermediateDirectories: true,
                    attributes: [.posixPermissions: 0o755]
                )
            } catch {
                throw .cannotListen(endpoint: path, reason: "cannot create the directory \(parent): \(error.localizedDescription)")
            }
        }

        var info = stat()
        guard lstat(path, &info) == 0 else {
            if errno == ENOENT { return }
            throw .cannotListen(endpoint: path, reason: Self.describe(errno: errno))
        }
        guard info.st_mode & S_IFMT == S_IFSOCK else { throw .notASocket(path: path) }

        switch UnixSocket.connect(to: path) {
        case .success(let fd):
            close(fd)
            throw .alreadyServed(socket: path)
        case .failure(let failure) where failure.code == ECONNREFUSED:
            guard unlink(path) == 0 || errno == ENOENT else {
                throw .cannotListen(endpoint: path, reason: "cannot remove the stale socket: \(Self.describe(errno: errno))")
            }
        case .failure(let failure):
            throw .cannotListen(endpoint: path, reason: "cannot check the existing socket: \(Self.describe(errno: failure.code))")
        }
    }

    /// Applies `mode` to the bound socket; connecting needs write permission on it.
    func restrict(to mode: mode_t) throws(ControlServerError) {
        guard chmod(path, mode) == 0 else {
            throw .cannotListen(endpoint: path, reason: "cannot chmod the socket: \(Self.describe(errno: errno))")
        }
    }

    func identity() -> Identity? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        return Identity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
    }

    /// Removes the socket file if it is still `identity`, i.e. no later server replaced it.
    func remove(ifStill identity: Identity?) {
        guard let identity, self.identity() == identity else { return }
        unlink(path)
    }

    static func describe(errno code: Int32) -> String {
        String(cString: strerror(code))
    }
}
