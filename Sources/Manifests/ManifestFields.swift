import Yams

/// What reading one object collects besides the object: the line of every field read, and a
/// warning for every field the agent does not use.
final class ObjectReading {
    let file: String
    let fieldPrefix: String
    var fieldLines: [String: Int] = [:]
    var warnings: [ManifestWarning] = []

    init(file: String, fieldPrefix: String) {
        self.file = file
        self.fieldPrefix = fieldPrefix
    }
}

/// One node of a manifest at its field path (`spec.ports[0].port`), read with the type
/// SPEC.md §4 gives it.
struct ManifestField {
    let node: Node
    let path: String
    let reading: ObjectReading

    /// The line of its key (where a reader looks for it), or of the node itself.
    var line: Int { reading.fieldLines[path] ?? node.mark?.line ?? 1 }

    func error(_ message: String) -> ManifestError {
        ManifestError(file: reading.file, line: line, field: reading.fieldPrefix + path, message: message)
    }

    /// A field under this one, whose key was written on `line`.
    func child(_ key: String, node: Node, line: Int?) -> ManifestField {
        let childPath = path.isEmpty ? key : "\(path).\(key)"
        reading.fieldLines[childPath] = line ?? node.mark?.line
        return ManifestField(node: node, path: childPath, reading: reading)
    }

    var isNull: Bool {
        if case .scalar(let scalar) = node { return node.tag == Tag(.null) && scalar.style == .plain }
        return false
    }

    func mapping() throws(ManifestError) -> ManifestMapping {
        guard case .mapping(let mapping) = node else { throw error("expected a mapping, not \(found)") }
        return try ManifestMapping(field: self, mapping: mapping)
    }

    func sequence() throws(ManifestError) -> [ManifestField] {
        guard case .sequence(let sequence) = node else { throw error("expected a list, not \(found)") }
        return sequence.enumerated().map { index, element in
            let elementPath = "\(path)[\(index)]"
            reading.fieldLines[elementPath] = element.mark?.line
            return ManifestField(node: element, path: elementPath, reading: reading)
        }
    }

    func string(expected: String = "a string") throws(ManifestError) -> String {
        guard case .scalar(let scalar) = node, node.tag == Tag(.str) else {
            throw error("expected \(expected), not \(found)")
        }
        return scalar.string
    }

    func int(expected: String = "a whole number") throws(ManifestError) -> Int {
        guard case .scalar(let scalar) = node, node.tag == Tag(.int) else {
            throw error("expected \(expected), not \(found)")
        }
        // A number too large for Int is out of any range we check.
        return Int.construct(from: scalar) ?? Int.max
    }

    func bool() throws(ManifestError) -> Bool {
        guard case .scalar(let scalar) = node, node.tag == Tag(.bool), let value = Bool.construct(from: scalar) else {
            throw error("expected true or false, not \(found)")
        }
        return value
    }

    /// A whole number within `range`, such as a port.
    func int(in range: ClosedRange<Int>, what: String) throws(ManifestError) -> Int {
        let value = try int(expected: "\(what) (\(range.lowerBound)–\(range.upperBound))")
        guard range.contains(value) else {
            throw error("\(describe(value)) is not a valid \(what) (expected \(range.lowerBound)–\(range.upperBound))")
        }
        return value
    }

    /// One of a fixed set of words, such as `TCP` or `UDP`.
    func word<Word: RawRepresentable & CaseIterable>(_: Word.Type, what: String) throws(ManifestError) -> Word
    where Word.RawValue == String {
        let choices = Word.allCases.map(\.rawValue)
        let text = try string(expected: "one of \(choices.joined(separator: ", "))")
        guard let word = Word(rawValue: text) else {
            throw error("\(quoted(text)) is not a valid \(what) (expected \(Self.list(choices)))")
        }
        return word
    }

    /// A mapping of strings to strings, such as labels or a selector.
    func stringMap(validatingLabels: Bool) throws(ManifestError) -> [String: String] {
        let mapping = try mapping()
        var values: [String: String] = [:]
        for (key, field) in mapping.entries() {
            let value = try field.string()
            if validatingLabels {
                guard KubernetesNames.isLabelKey(key) else {
                    throw field.error(
                        "\(quoted(key)) is not a valid label key (expected an optional DNS subdomain and /, then at most 63 letters, digits, -, _ or ., starting and ending with a letter or digit)"
                    )
                }
                guard KubernetesNames.isLabelValue(value) else {
                    throw field.error(
                        "\(quoted(value)) is not a valid label value (expected at most 63 letters, digits, -, _ or ., starting and ending with a letter or digit, or empty)"
                    )
                }
            }
            values[key] = value
        }
        return values
    }

    /// How the node reads in a message: `the number 80`, `a mapping`.
    var found: String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        case .scalar(let scalar):
            switch node.tag {
            case Tag(.str): return "the string \(quoted(scalar.string))"
            case Tag(.int), Tag(.float): return "the number \(scalar.string)"
            case Tag(.bool): return "the boolean \(scalar.string)"
            case Tag(.null): return "nothing"
            case Tag(.timestamp): return "the date \(scalar.string)"
            default: return "\(scalar.string)"
            }
        }
    }

    private func describe(_ value: Int) -> String {
        if value == Int.max, case .scalar(let scalar) = node { return scalar.string }
        return "\(value)"
    }

    static func list(_ choices: [String]) -> String {
        switch choices.count {
        case 0: ""
        case 1: choices[0]
        default: choices.dropLast().joined(separator: ", ") + " or " + choices.last!
        }
    }
}

func quoted(_ text: String) -> String {
    "\"\(text)\""
}

/// A mapping whose keys are taken one by one; whatever is left over is reported as ignored.
final class ManifestMapping {
    let field: ManifestField
    private let pairs: [(key: String, keyLine: Int?, value: Node)]
    private var taken: Set<String> = []

    init(field: ManifestField, mapping: Node.Mapping) throws(ManifestError) {
        self.field = field
        var pairs: [(key: String, keyLine: Int?, value: Node)] = []
        for (key, value) in mapping {
            guard case .scalar(let scalar) = key, key.tag == Tag(.str) else {
                let keyField = ManifestField(node: key, path: field.path, reading: field.reading)
                throw keyField.error("expected field names, not \(keyField.found)")
            }
            pairs.append((scalar.string, scalar.mark?.line, value))
        }
        self.pairs = pairs
    }

    /// The field under `key`; nil when it is absent or null, as Kubernetes reads both.
    func take(_ key: String) -> ManifestField? {
        taken.insert(key)
        guard let pair = pairs.first(where: { $0.key == key }) else { return nil }
        let child = field.child(key, node: pair.value, line: pair.keyLine)
        return child.isNull ? nil : child
    }

    /// Like ``take(_:)``, but absent is an error.
    func require(_ key: String, _ expected: String) throws(ManifestError) -> ManifestField {
        guard let child = take(key) else {
            let path = field.path.isEmpty ? key : "\(field.path).\(key)"
            throw ManifestError(
                file: field.reading.file, line: field.line, field: field.reading.fieldPrefix + path,
                message: "required (expected \(expected))")
        }
        return child
    }

    /// Every entry, for mappings whose keys are data (labels, selectors); all are taken.
    /// Keys may hold dots, so paths spell them `labels[app.kubernetes.io/name]`.
    func entries() -> [(key: String, field: ManifestField)] {
        pairs.map { pair in
            taken.insert(pair.key)
            let path = "\(field.path)[\(pair.key)]"
            field.reading.fieldLines[path] = pair.keyLine
            return (pair.key, ManifestField(node: pair.value, path: path, reading: field.reading))
        }
    }

    /// One warning for each key nobody took, in the order they were written.
    func ignoreRest() {
        for (key, keyLine, _) in pairs where !taken.contains(key) {
            let path = field.path.isEmpty ? key : "\(field.path).\(key)"
            field.reading.warnings.append(
                ManifestWarning(
                    file: field.reading.file, line: keyLine ?? field.line, field: field.reading.fieldPrefix + path))
        }
    }
}
