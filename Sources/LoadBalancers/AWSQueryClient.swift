import Foundation

/// AWS's query protocol: a form-encoded POST of `Action`, `Version` and the action's
/// parameters, signed with SigV4, answered with XML.
///
/// `package`, not internal, where the tests' moto support (`Tests/MotoSupport`) looks at
/// what the provider made: that target is built in release builds too, without testability.
package struct AWSQueryClient: Sendable {
    /// The services the provider talks to, with their API versions and signing names.
    package enum Service: Sendable {
        case elasticLoadBalancing
        case ec2

        var signingName: String {
            switch self {
            case .elasticLoadBalancing: "elasticloadbalancing"
            case .ec2: "ec2"
            }
        }

        var version: String {
            switch self {
            case .elasticLoadBalancing: "2015-12-01"
            case .ec2: "2016-11-15"
            }
        }
    }

    var transport: any HTTPTransport
    var region: String
    /// One URL for every service (moto, LocalStack, a VPC endpoint); nil for AWS's own.
    var endpoint: URL?
    var credentials: AWSCredentials
    var now: @Sendable () -> Date

    package init(
        transport: any HTTPTransport, region: String, endpoint: URL?, credentials: AWSCredentials, now: @escaping @Sendable () -> Date
    ) {
        self.transport = transport
        self.region = region
        self.endpoint = endpoint
        self.credentials = credentials
        self.now = now
    }

    func url(of service: Service) -> URL {
        endpoint ?? URL(string: "https://\(service.signingName).\(region).amazonaws.com/")!
    }

    /// Sends one action and returns the root element of its answer.
    ///
    /// - Throws: ``AWSServiceError`` when the service refused it; ``AWSError`` when there was
    ///   no answer, or not one in XML.
    package func call(_ service: Service, _ action: String, _ parameters: QueryParameters = QueryParameters()) async throws -> ResponseElement {
        // A reconcile cancelled because its leader lost the lease makes no further call.
        try Task.checkCancellation()
        let form = ([("Action", action), ("Version", service.version)] + parameters.pairs)
            .map { "\(SigV4.percentEncode($0.0))=\(SigV4.percentEncode($0.1))" }
            .joined(separator: "&")
        var request = HTTPRequest(
            method: "POST", url: url(of: service),
            headers: ["Content-Type": "application/x-www-form-urlencoded; charset=utf-8"], body: Array(form.utf8))
        SigV4(credentials: credentials, region: region, service: service.signingName).sign(&request, at: now())
        let response = try await transport.send(request)
        guard let answer = ResponseElement.parse(response.body) else {
            throw AWSError.malformedResponse(action: action, reason: "HTTP \(response.status), not XML")
        }
        if let error = answer.error {
            throw AWSServiceError(action: action, code: error.code, message: error.message, httpStatus: response.status)
        }
        guard (200..<300).contains(response.status) else {
            throw AWSError.malformedResponse(action: action, reason: "HTTP \(response.status) without an error code")
        }
        return answer
    }

    /// Calls a Describe action until it stops returning `NextMarker` (ELBv2) or `nextToken`
    /// (EC2), and gathers every page's entries.
    func describeAll<Entry>(
        _ service: Service, _ action: String, _ parameters: QueryParameters = QueryParameters(),
        entries: (ResponseElement) throws -> [Entry]
    ) async throws -> [Entry] {
        var all = [Entry]()
        var marker: String?
        repeat {
            var page = parameters
            if let marker { page.append(service == .ec2 ? "NextToken" : "Marker", marker) }
            let answer = try await call(service, action, page)
            all += try entries(answer)
            let result = answer["\(action)Result"] ?? answer
            marker = (result.value("NextMarker") ?? result.value("nextToken")).flatMap { $0.isEmpty ? nil : $0 }
        } while marker != nil
        return all
    }
}

/// An action's parameters in the query protocol's flattened form (`Subnets.member.1`).
package struct QueryParameters: Sendable {
    private(set) var pairs: [(String, String)] = []

    package init() {}

    package mutating func append(_ name: String, _ value: String) { pairs.append((name, value)) }

    /// ELBv2's lists: `Subnets.member.1`, `Subnets.member.2`.
    mutating func appendMembers(_ name: String, _ values: [String]) {
        for (index, value) in values.enumerated() { append("\(name).member.\(index + 1)", value) }
    }

    /// ELBv2's lists of structures: `Tags.member.1.Key`, `Tags.member.1.Value`.
    mutating func appendMembers(_ name: String, _ structures: [[(String, String)]]) {
        for (index, fields) in structures.enumerated() {
            for (field, value) in fields { append("\(name).member.\(index + 1).\(field)", value) }
        }
    }

    /// EC2's lists: `SubnetId.1`, `SubnetId.2`.
    mutating func appendItems(_ name: String, _ values: [String]) {
        for (index, value) in values.enumerated() { append("\(name).\(index + 1)", value) }
    }
}
