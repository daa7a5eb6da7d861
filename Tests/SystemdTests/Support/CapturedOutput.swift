import Foundation
import Systemd

/// A `LineOutput` backed by a temporary file opened with `O_APPEND`, read back as lines.
final class CapturedOutput {
    let output: LineOutput
    private let descriptor: Int32
    private let path: String

    init() {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("systemd-tests-\(UUID().uuidString).log").path
        descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        precondition(descriptor >= 0, "cannot create \(path): errno \(errno)")
        output = LineOutput(descriptor: descriptor)
    }

    deinit {
        close(descriptor)
        unlink(path)
    }

    /// Everything written so far.
    var text: String {
        (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    }

    /// Each line written so far, without its `\n`.
    var lines: [String] {
        text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
    }
}
