import ClusterModel
import Foundation

/// The `exec` provider: a program of the operator's (`loadBalancer.exec.command`) gets the
/// whole desired state as JSON on its standard input and prints each Service's addresses:
///
///     stdin:  {"services": [{"namespace": "default", "name": "web", "ports": [{"protocol": "TCP",
///              "port": 80, "nodePort": 30080}], "externalTrafficPolicy": "Cluster", ...}],
///              "nodes": [{"name": "n1", "address": "10.0.0.1"}]}
///     stdout: {"services": {"default/web": {"ingress": [{"ip": "192.0.2.10"}]},
///                           "default/db": {"error": "no address left in the pool"}}}
///
/// A non-zero exit fails the whole reconcile; a Service the answer leaves out fails alone.
public struct ExecLoadBalancerProvider: LoadBalancerProvider {
    /// Runs the command with `input` on its standard input and returns what it printed;
    /// throws when it cannot start or exits other than 0. The daemon's runs it as a child
    /// process; tests may hand in anything.
    public typealias Runner = @Sendable (_ command: [String], _ input: String) async throws -> String

    public let command: [String]
    private let run: Runner

    public init(command: [String], run: @escaping Runner) {
        self.command = command
        self.run = run
    }

    public var name: String { "exec" }

    public func reconcile(_ desired: DesiredLoadBalancers) async throws -> [String: LoadBalancerOutcome] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let input = String(decoding: try encoder.encode(desired), as: UTF8.self)
        let output = try await run(command, input)
        return try Self.outcomes(of: output, for: desired)
    }

    /// The answer's outcome for each Service of `desired`.
    static func outcomes(of output: String, for desired: DesiredLoadBalancers) throws(AnswerError) -> [String: LoadBalancerOutcome] {
        let answer: Answer
        do {
            answer = try JSONDecoder().decode(Answer.self, from: Data(output.utf8))
        } catch {
            let shown = output.count > 200 ? output.prefix(200) + "…" : Substring(output)
            throw AnswerError(
                description:
                    "the exec provider's output is not {\"services\": {\"NAMESPACE/NAME\": {\"ingress\": [{\"ip\": ...} or {\"hostname\": ...}]} or {\"error\": ...}}}: \(error); it printed \"\(shown)\""
            )
        }
        var outcomes: [String: LoadBalancerOutcome] = [:]
        for service in desired.services {
            guard let result = answer.services[service.key] else {
                outcomes[service.key] = .failed("the exec provider's answer leaves out \(service.key)")
                continue
            }
            if let error = result.error {
                outcomes[service.key] = .failed(error)
            } else if let ingress = result.ingress, !ingress.isEmpty {
                outcomes[service.key] = .ensured(ingress)
            } else {
                outcomes[service.key] = .failed("the exec provider answered no ingress and no error for \(service.key)")
            }
        }
        return outcomes
    }

    struct Answer: Decodable {
        var services: [String: Result]

        struct Result: Decodable {
            var ingress: [LoadBalancerIngress]?
            var error: String?
        }
    }

    public struct AnswerError: Error, CustomStringConvertible {
        public let description: String
    }
}
