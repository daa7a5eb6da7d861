import ClusterModel

/// A Service or a Pod read from a manifest, with where it came from.
public struct ManifestObject: Hashable, Sendable {
    public enum Resource: Hashable, Sendable {
        case service(KubernetesService)
        case pod(Pod)
    }

    public var resource: Resource
    public var origin: ManifestOrigin

    public init(resource: Resource, origin: ManifestOrigin) {
        self.resource = resource
        self.origin = origin
    }

    public var key: ObjectKey {
        switch resource {
        case .service(let service): service.key
        case .pod(let pod): pod.key
        }
    }

    public var service: KubernetesService? {
        if case .service(let service) = resource { service } else { nil }
    }

    public var pod: Pod? {
        if case .pod(let pod) = resource { pod } else { nil }
    }
}

/// Where an object was written, so that checks made after parsing (a NodePort outside the
/// daemon's range, a pinned ClusterIP outside its CIDR) still point at file and line.
public struct ManifestOrigin: Hashable, Sendable {
    /// As the user named it; `<stdin>` for `-`.
    public var file: String
    /// The line the object starts on.
    public var line: Int
    /// `items[2].` for the third item of a `kind: List`, empty otherwise.
    public var fieldPrefix: String
    /// The line of each field that was read, keyed by its path within the object.
    public var fieldLines: [String: Int]

    public init(file: String, line: Int, fieldPrefix: String = "", fieldLines: [String: Int] = [:]) {
        self.file = file
        self.line = line
        self.fieldPrefix = fieldPrefix
        self.fieldLines = fieldLines
    }

    /// The error for a field of this object, at the line it was written on.
    public func error(field: String, _ message: String) -> ManifestError {
        ManifestError(file: file, line: fieldLines[field] ?? line, field: fieldPrefix + field, message: message)
    }
}

/// What one input held: every object in order, and a warning per ignored field.
public struct DecodedManifests: Hashable, Sendable {
    public var objects: [ManifestObject]
    public var warnings: [ManifestWarning]

    public init(objects: [ManifestObject], warnings: [ManifestWarning]) {
        self.objects = objects
        self.warnings = warnings
    }
}
