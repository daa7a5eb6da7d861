import ArgumentParser
import ControlAPI
import Foundation
import Manifests

/// `-f FILE` (repeatable; `-` for standard input), shared by `apply` and `delete`. The CLI
/// only reads the files: the daemon decodes them, so that its errors name file and line.
struct ManifestFiles: ParsableArguments {
    @Option(
        name: [.customShort("f"), .customLong("filename")],
        help: ArgumentHelp("A manifest, YAML or JSON; `-` reads standard input. Repeatable.", valueName: "file"))
    var files: [String] = []

    func validate() throws {
        if files.filter({ $0 == "-" }).count > 1 { throw ValidationError("standard input (-f -) can be read only once") }
    }

    /// Every file's text. An unreadable file stops the command before anything is sent.
    func read() throws(CommandFailure) -> [V1.Manifest] {
        try files.map { path throws(CommandFailure) in
            let name = path == "-" ? ManifestDecoder.standardInputName : path
            let data: Data
            do {
                data = path == "-" ? FileHandle.standardInput.readDataToEndOfFile() : try Data(contentsOf: URL(fileURLWithPath: path))
            } catch {
                throw .badInput("\(name): cannot be read (\(Self.reason(path, error))); expected a YAML or JSON manifest")
            }
            guard let text = String(data: data, encoding: .utf8) else {
                throw .badInput("\(name): is not UTF-8 text (expected a YAML or JSON manifest)")
            }
            return V1.Manifest(file: name, text: text)
        }
    }

    /// "no such file" rather than Foundation's long description.
    private static func reason(_ path: String, _ error: any Error) -> String {
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) { return "no such file" }
        if isDirectory.boolValue { return "it is a directory" }
        if !FileManager.default.isReadableFile(atPath: path) { return "permission denied" }
        return error.localizedDescription
    }
}
