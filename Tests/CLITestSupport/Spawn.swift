import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Starts `arguments` (through /usr/bin/env, so the program is looked up on PATH) with
/// posix_spawn, from what a child should start with: no blocked signals and default handlers
/// (the test runner's threads block some, and a child inherits that). Not Foundation's
/// Process: under the Swift test runner here it hangs now and then on a child's end.
///
/// - Parameter actions: the child's standard streams.
public func spawn(_ arguments: [String], _ actions: inout posix_spawn_file_actions_t) throws -> pid_t {
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var none = sigset_t()
    sigemptyset(&none)
    var all = sigset_t()
    sigfillset(&all)
    posix_spawnattr_setsigmask(&attributes, &none)
    posix_spawnattr_setsigdefault(&attributes, &all)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
    let argv = (["/usr/bin/env"] + arguments).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var pid: pid_t = 0
    let spawned = posix_spawn(&pid, "/usr/bin/env", &actions, &attributes, argv, environ)
    guard spawned == 0 else { throw SpawnFailure(description: "cannot run \(arguments.joined(separator: " ")): error \(spawned)") }
    return pid
}

public struct SpawnFailure: Error, CustomStringConvertible {
    public let description: String
}
