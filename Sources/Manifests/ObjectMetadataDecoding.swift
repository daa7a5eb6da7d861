import ClusterModel

/// `metadata`: name, namespace, labels and, for Services, annotations.
enum ObjectMetadataDecoding {
    enum NameRule {
        /// Services: their names become DNS names, so they must start with a letter.
        case dns1035Label
        /// Pods.
        case dns1123Subdomain
    }

    static func decode(_ field: ManifestField, nameRule: NameRule, annotations: Bool) throws(ManifestError) -> ObjectMetadata {
        let mapping = try field.mapping()
        let nameField = try mapping.require("name", nameRule.expected)
        let name = try nameField.string(expected: nameRule.expected)
        guard nameRule.accepts(name) else {
            throw nameField.error("\(quoted(name)) is not a valid name (expected \(nameRule.expected))")
        }
        var metadata = ObjectMetadata(name: name)
        if let namespaceField = mapping.take("namespace") {
            let expected = "a DNS-1123 label: at most 63 of a-z, 0-9 and -, starting and ending with a letter or digit"
            let namespace = try namespaceField.string(expected: expected)
            guard KubernetesNames.isDNS1123Label(namespace) else {
                throw namespaceField.error("\(quoted(namespace)) is not a valid namespace (expected \(expected))")
            }
            metadata.namespace = namespace
        }
        if let labels = mapping.take("labels") {
            metadata.labels = Labels(try labels.stringMap(validatingLabels: true))
        }
        if annotations, let field = mapping.take("annotations") {
            metadata.annotations = try field.stringMap(validatingLabels: false)
        }
        mapping.ignoreRest()
        return metadata
    }
}

extension ObjectMetadataDecoding.NameRule {
    var expected: String {
        switch self {
        case .dns1035Label:
            "a DNS-1035 label: at most 63 of a-z, 0-9 and -, starting with a letter and ending with a letter or digit"
        case .dns1123Subdomain:
            "a DNS-1123 subdomain: at most 253 of a-z, 0-9, - and ., each dot-separated part starting and ending with a letter or digit"
        }
    }

    func accepts(_ name: String) -> Bool {
        switch self {
        case .dns1035Label: KubernetesNames.isDNS1035Label(name)
        case .dns1123Subdomain: KubernetesNames.isDNS1123Subdomain(name)
        }
    }
}
