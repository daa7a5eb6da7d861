import ClusterModel

/// The names and tags the provider gives what it creates, so that it finds them again.
///
/// ELBv2 names load balancers and target groups alike: at most 32 characters, letters,
/// digits and hyphens, not starting or ending with a hyphen, and not starting with
/// `internal-`. Names are unique per account and region, so they carry the cluster.
///
/// The rule: `<readable>-<hash>`, where `hash` is the first 8 hexadecimal digits of the
/// SHA-256 of what makes the resource (cluster, namespace/name, and for a target group the
/// port's protocol, port and NodePort), and `readable` is `<namespace>-<name>` (a target
/// group adds `-<protocol><port>`: `-tcp80`) with every run of other characters made one
/// hyphen, lowercased, cut to fit in 23 characters and trimmed of hyphens.
/// `default/web` in cluster `prod` gets a load balancer `default-web-2a30e62b` and, for
/// TCP port 80 at NodePort 30080, a target group `default-web-tcp80-f2ec3013`.
///
/// A target group's hash covers its NodePort because ELBv2 cannot change a target group's
/// port: a new NodePort gets a new target group, and the listener moves to it.
enum ResourceNames {
    static let readableLength = 23

    static func loadBalancer(cluster: String, namespace: String, name: String) -> String {
        named(readable: "\(namespace)-\(name)", suffix: "", identity: "\(cluster)\n\(namespace)/\(name)")
    }

    static func targetGroup(cluster: String, namespace: String, name: String, port: LoadBalancerRequest.Port) -> String {
        let protocolName = port.protocol.rawValue.lowercased()
        return named(
            readable: "\(namespace)-\(name)", suffix: "-\(protocolName)\(port.port)",
            identity: "\(cluster)\n\(namespace)/\(name)\n\(port.protocol.rawValue)/\(port.port)/\(port.nodePort)")
    }

    private static func named(readable: String, suffix: String, identity: String) -> String {
        var text = ""
        for character in readable.lowercased() {
            if character.isASCII && (character.isLetter || character.isNumber) {
                text.append(character)
            } else if !text.hasSuffix("-") {
                text.append("-")
            }
        }
        text = trimmedOfHyphens(String(text.prefix(readableLength - suffix.count))) + suffix
        if text.hasPrefix("internal-") { text = "internal" + text.dropFirst("internal-".count) }
        text = trimmedOfHyphens(text)
        let hash = SHA256.hash(Array(identity.utf8)).prefix(4)
        return text.isEmpty ? Array(hash).hexadecimal : "\(text)-\(Array(hash).hexadecimal)"
    }

    private static func trimmedOfHyphens(_ text: String) -> String {
        String(text.drop { $0 == "-" }.reversed().drop { $0 == "-" }.reversed())
    }
}

/// The tags that mark a load balancer or target group as this cluster's, for one Service.
enum OwnershipTags {
    static let owned = "nodeagent.io/owned"
    static let cluster = "nodeagent.io/cluster"
    static let service = "nodeagent.io/service"

    static func tags(cluster name: String, serviceKey: String) -> [String: String] {
        [owned: "true", cluster: name, service: serviceKey]
    }

    /// The Service key of a resource this cluster owns; nil for anyone else's.
    static func serviceKey(of tags: [String: String], cluster name: String) -> String? {
        guard tags[owned] == "true", tags[cluster] == name else { return nil }
        return tags[service]
    }
}
