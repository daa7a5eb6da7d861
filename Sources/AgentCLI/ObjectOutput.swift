import ControlAPI
import Foundation
import Yams

/// `-o json` and `-o yaml` of `agent get`: the Kubernetes-shaped objects, keys sorted as
/// kubectl prints them.
enum ObjectOutput {
    /// Indented for reading (Foundation's pretty print), with a final newline.
    static func json(_ value: some Encodable) throws -> String {
        let encoder = ControlJSON.makeEncoder()
        encoder.outputFormatting.insert(.prettyPrinted)
        return String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
    }

    /// One line, for `get -w -o json`: one object a line, as SPEC §3 asks.
    static func jsonLine(_ value: some Encodable) throws -> String {
        String(decoding: try ControlJSON.makeEncoder().encode(value), as: UTF8.self) + "\n"
    }

    static func yaml(_ value: some Encodable) throws -> String {
        let encoder = YAMLEncoder()
        encoder.options.sortKeys = true
        return try encoder.encode(value)
    }
}

/// Writes straight to standard output, unbuffered: a watch's rows must appear as they
/// happen even when piped, and `print`'s buffer would hold them back.
func standardOutput(_ text: String) {
    FileHandle.standardOutput.write(Data(text.utf8))
}
