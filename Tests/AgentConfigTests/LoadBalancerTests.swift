import AgentConfig
import Foundation
import Testing

@Suite struct LoadBalancerSettings {
    @Test func theAWSProviderFromSPECsExampleIsRead() throws {
        let yaml = """
            loadBalancer:
              provider: aws-elbv2
              aws:
                region: us-east-1
                endpoint: http://127.0.0.1:5000
                subnets: [subnet-0abc, subnet-0def]
                scheme: internal
              exec:
                command: [/usr/local/bin/lb-hook, --flag]
            """
        let expected = LoadBalancerConfiguration.AWS(
            region: "us-east-1", endpoint: URL(string: "http://127.0.0.1:5000"), subnets: ["subnet-0abc", "subnet-0def"],
            scheme: .internal)
        #expect(try load(yaml: yaml).loadBalancer.provider == .awsELBv2(expected))
    }

    @Test func theAWSSchemeDefaultsToInternetFacing() throws {
        let yaml = "loadBalancer:\n  provider: aws-elbv2\n  aws:\n    region: eu-west-1\n"
        #expect(try load(yaml: yaml).loadBalancer.provider == .awsELBv2(.init(region: "eu-west-1", scheme: .internetFacing)))
    }

    @Test func theExecProviderKeepsItsCommand() throws {
        let yaml = "loadBalancer:\n  provider: exec\n  exec:\n    command: [/usr/local/bin/lb-hook, --flag]\n"
        #expect(try load(yaml: yaml).loadBalancer.provider == .exec(command: ["/usr/local/bin/lb-hook", "--flag"]))
    }

    @Test func noProviderMeansNone() throws {
        #expect(try load(yaml: "loadBalancer:\n  aws:\n    region: us-east-1\n").loadBalancer.provider == .none)
        #expect(try load(yaml: "loadBalancer:\n  provider: none\n").loadBalancer.provider == .none)
    }

    @Test func anUnknownProviderListsTheProviders() throws {
        #expect(
            try loadError(yaml: "loadBalancer:\n  provider: gce\n")
                == "agent.yaml:2: key \"loadBalancer.provider\": \"gce\" is not one of aws-elbv2, exec, none")
    }

    @Test func theExecProviderWithoutACommandIsRefused() throws {
        let needed = "provider exec needs exec.command, a non-empty list such as [/usr/local/bin/lb-hook, --flag]"
        #expect(try loadError(yaml: "loadBalancer:\n  provider: exec\n") == "agent.yaml:2: key \"loadBalancer\": \(needed)")
        #expect(
            try loadError(yaml: "loadBalancer:\n  provider: exec\n  exec:\n    command: []\n")
                == "agent.yaml:4: key \"loadBalancer.exec.command\": \(needed)")
    }

    @Test func theAWSProviderWithoutARegionIsRefused() throws {
        #expect(
            try loadError(yaml: "loadBalancer:\n  provider: aws-elbv2\n  aws:\n    subnets: [subnet-1]\n")
                == "agent.yaml:2: key \"loadBalancer\": provider aws-elbv2 needs aws.region, such as \"region: us-east-1\" under \"aws:\"")
    }

    @Test func unknownKeysInsideTheSectionAndItsSubsectionsAreReported() throws {
        #expect(
            try loadError(yaml: "loadBalancer:\n  providr: exec\n")
                == "agent.yaml:2: unknown key \"providr\" in \"loadBalancer\" (did you mean \"provider\"?; known keys: provider, aws, exec)"
        )
        #expect(
            try loadError(yaml: "loadBalancer:\n  provider: aws-elbv2\n  aws:\n    region: us-east-1\n    regoin: x\n")
                == "agent.yaml:5: unknown key \"regoin\" in \"loadBalancer.aws\" (did you mean \"region\"?; "
                + "known keys: region, endpoint, subnets, scheme)")
        #expect(
            try loadError(yaml: "loadBalancer:\n  exec:\n    cmd: [x]\n")?
                .hasPrefix("agent.yaml:3: unknown key \"cmd\" in \"loadBalancer.exec\"") == true)
    }

    @Test func badAWSValuesNameTheirKey() throws {
        let base = "loadBalancer:\n  provider: aws-elbv2\n  aws:\n    region: us-east-1\n"
        #expect(
            try loadError(yaml: base + "    scheme: public\n")
                == "agent.yaml:5: key \"loadBalancer.aws.scheme\": \"public\" is not one of internet-facing, internal")
        #expect(
            try loadError(yaml: base + "    endpoint: 127.0.0.1:5000\n")?
                .hasPrefix("agent.yaml:5: key \"loadBalancer.aws.endpoint\": \"127.0.0.1:5000\" is not an http or https URL") == true)
        #expect(
            try loadError(yaml: base + "    subnets: subnet-1\n")
                == "agent.yaml:5: key \"loadBalancer.aws.subnets\" must be a sequence of strings, not the single value \"subnet-1\"")
    }

    @Test func theSectionMustBeAMapping() throws {
        #expect(
            try loadError(yaml: "loadBalancer: aws-elbv2\n")?
                .hasPrefix("agent.yaml:1: key \"loadBalancer\" must be a mapping with the keys provider, aws, exec") == true)
    }
}
