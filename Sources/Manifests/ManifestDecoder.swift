import ClusterModel
import Foundation
import Yams

/// Reads what `agent apply -f` is given: YAML (one or more documents) or JSON, each a
/// Service, a Pod or a `kind: List` of them.
///
/// All or nothing: either every object, or the first error in document order.
public struct ManifestDecoder: Sendable {
    public init() {}

    /// The name messages use for standard input (`-f -`).
    public static let standardInputName = "<stdin>"

    /// Reads the file at `path`, or standard input when `path` is `-`, and decodes it.
    public func decode(contentsOf path: String) throws(ManifestError) -> DecodedManifests {
        let file = path == "-" ? Self.standardInputName : path
        let data: Data
        do {
            data = path == "-" ? FileHandle.standardInput.readDataToEndOfFile() : try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ManifestError(file: file, line: nil, field: nil, message: "cannot be read (\(error.localizedDescription))")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ManifestError(file: file, line: nil, field: nil, message: "is not UTF-8 text (expected YAML or JSON)")
        }
        return try decode(text, file: file)
    }

    /// Decodes `text`; `file` is only for messages.
    public func decode(_ text: String, file: String) throws(ManifestError) -> DecodedManifests {
        let documents = try Self.parseDocuments(text, file: file)
        var objects: [ManifestObject] = []
        var warnings: [ManifestWarning] = []
        var firstLineOf: [ObjectKey: Int] = [:]
        for document in documents {
            for (object, reading) in try Self.decodeDocument(document, file: file) {
                if let first = firstLineOf[object.key] {
                    throw object.origin.error(
                        field: "metadata.name",
                        "\(object.key.kind.rawValue) \(object.key.namespace)/\(object.key.name) is already defined on line \(first) (expected each object once per apply)")
                }
                firstLineOf[object.key] = object.origin.line
                objects.append(object)
                warnings += reading.warnings
            }
        }
        return DecodedManifests(objects: objects, warnings: warnings)
    }

    private static func parseDocuments(_ text: String, file: String) throws(ManifestError) -> [Node] {
        var documents: [Node] = []
        do {
            let parser = try Parser(yaml: text)
            while let root = try parser.nextRoot() {
                // An empty document (a trailing `---`) holds nothing to apply.
                if case .scalar = root, root.tag == Tag(.null) { continue }
                documents.append(root)
            }
        } catch let error as YamlError {
            throw syntaxError(error, text: text, file: file)
        } catch {
            throw ManifestError(file: file, line: nil, field: nil, message: "is not valid YAML or JSON (\(error))")
        }
        return documents
    }

    private static func syntaxError(_ error: YamlError, text: String, file: String) -> ManifestError {
        func make(_ line: Int?, _ problem: String, _ context: YamlError.Context?) -> ManifestError {
            var message = "not valid YAML or JSON: \(problem)"
            if let context, !context.text.isEmpty {
                message += " (\(context.text) that starts on line \(context.mark.line))"
            }
            return ManifestError(file: file, line: line, field: nil, message: message)
        }
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            return make(mark.line, problem, context)
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.map { quoted($0) }.joined(separator: ", ")
            return ManifestError(
                file: file, line: context.mark.line, field: nil,
                message: "not valid YAML: the key \(keys) appears more than once in the same mapping")
        case .reader(let problem, let offset, _, _):
            let line = offset.map { offset in 1 + text.prefix(offset).count(where: { $0 == "\n" }) }
            return make(line, problem, nil)
        default:
            return make(nil, "\(error)", nil)
        }
    }

    private static func decodeDocument(_ root: Node, file: String) throws(ManifestError) -> [(ManifestObject, ObjectReading)] {
        let reading = ObjectReading(file: file, fieldPrefix: "")
        let field = ManifestField(node: root, path: "", reading: reading)
        guard case .mapping = root else {
            throw field.error("expected a Kubernetes object (a mapping with apiVersion, kind, metadata and spec), not \(field.found)")
        }
        let object = try field.mapping()
        let kind = try Self.kind(object, allowingList: true)
        if kind == "List" {
            var decoded: [(ManifestObject, ObjectReading)] = []
            let items = try object.require("items", "a list of Services and Pods")
            for (index, item) in try items.sequence().enumerated() {
                let itemReading = ObjectReading(file: file, fieldPrefix: "items[\(index)].")
                let itemField = ManifestField(node: item.node, path: "", reading: itemReading)
                guard case .mapping = item.node else {
                    throw item.error("expected a Service or a Pod, not \(item.found)")
                }
                let itemObject = try itemField.mapping()
                decoded.append((try decodeObject(itemObject, kind: Self.kind(itemObject, allowingList: false)), itemReading))
            }
            object.ignoreRest()
            return decoded
        }
        return [(try decodeObject(object, kind: kind), reading)]
    }

    /// `kind`, then `apiVersion`: for a Deployment, that it is a Deployment is the news.
    private static func kind(_ object: ManifestMapping, allowingList: Bool) throws(ManifestError) -> String {
        let kinds = allowingList ? ["Service", "Pod", "List"] : ["Service", "Pod"]
        let expected = ManifestField.list(kinds)
        let kindField = try object.require("kind", expected)
        let kind = try kindField.string(expected: expected)
        guard kinds.contains(kind) else {
            throw kindField.error("\(quoted(kind)) is not supported (expected \(expected))")
        }
        let versionField = try object.require("apiVersion", "v1")
        let version = try versionField.string(expected: "v1")
        guard version == "v1" else {
            throw versionField.error("\(quoted(version)) is not supported for \(kind) (expected v1)")
        }
        return kind
    }

    private static func decodeObject(_ object: ManifestMapping, kind: String) throws(ManifestError) -> ManifestObject {
        let resource: ManifestObject.Resource =
            kind == "Service" ? .service(try ServiceDecoding.decode(object)) : .pod(try PodDecoding.decode(object))
        let reading = object.field.reading
        return ManifestObject(
            resource: resource,
            origin: ManifestOrigin(file: reading.file, line: object.field.line, fieldPrefix: reading.fieldPrefix, fieldLines: reading.fieldLines))
    }
}
