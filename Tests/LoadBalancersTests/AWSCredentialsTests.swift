import Testing

@testable import LoadBalancers

@Suite struct AWSCredentialsTests {
    static let sharedFile = """
        # written by aws configure
        [default]
        aws_access_key_id = AKIADEFAULT
        aws_secret_access_key = secret/default+key

        [ci]
        AWS_Access_Key_ID: AKIACI
        aws_secret_access_key=ci-secret
        aws_session_token = FwoGZXIvYXdzEXAMPLE==
        ; a nested block, as `aws configure set s3.max_concurrent_requests` writes it
        s3 =
            max_concurrent_requests = 20
        """

    static func noFile(_ path: String) -> String? { nil }

    @Test func theEnvironmentComesFirstWithItsSessionToken() throws {
        let credentials = try AWSCredentials.resolve(
            environment: ["AWS_ACCESS_KEY_ID": "AKIAENV", "AWS_SECRET_ACCESS_KEY": "env-secret", "AWS_SESSION_TOKEN": "token"],
            readFile: { _ in Self.sharedFile })
        #expect(credentials == AWSCredentials(accessKeyID: "AKIAENV", secretAccessKey: "env-secret", sessionToken: "token"))
    }

    @Test func withoutTheEnvironmentTheDefaultProfileOfTheHomeFileIsRead() throws {
        var pathRead: String?
        let credentials = try AWSCredentials.resolve(environment: ["HOME": "/home/agent"]) { path in
            pathRead = path
            return Self.sharedFile
        }
        #expect(pathRead == "/home/agent/.aws/credentials")
        #expect(credentials == AWSCredentials(accessKeyID: "AKIADEFAULT", secretAccessKey: "secret/default+key"))
    }

    @Test func awsProfileAndTheFileVariableChooseAnotherProfileAndFile() throws {
        var pathRead: String?
        let credentials = try AWSCredentials.resolve(
            environment: ["AWS_PROFILE": "ci", "AWS_SHARED_CREDENTIALS_FILE": "/etc/agent/aws"]
        ) { path in
            pathRead = path
            return Self.sharedFile
        }
        #expect(pathRead == "/etc/agent/aws")
        #expect(credentials == AWSCredentials(accessKeyID: "AKIACI", secretAccessKey: "ci-secret", sessionToken: "FwoGZXIvYXdzEXAMPLE=="))
    }

    @Test func theProfilesAreReadAsTheCLIReadsTheINIFile() {
        let profiles = AWSCredentials.sharedCredentialsProfiles(Self.sharedFile)
        #expect(profiles.keys.sorted() == ["ci", "default"])
        #expect(profiles["ci"]?["aws_access_key_id"] == "AKIACI")
        #expect(profiles["ci"]?["max_concurrent_requests"] == nil)
    }

    @Test func noCredentialsAnywhereSaysWhatWasTried() {
        #expect {
            try AWSCredentials.resolve(environment: ["HOME": "/root"], readFile: Self.noFile)
        } throws: { error in
            "\(error)"
                == "no AWS credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set, and /root/.aws/credentials does not exist"
        }
        #expect {
            try AWSCredentials.resolve(environment: ["HOME": "/root", "AWS_PROFILE": "prod"], readFile: { _ in Self.sharedFile })
        } throws: { error in
            "\(error)"
                == "no AWS credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set, and /root/.aws/credentials has no profile [prod]"
        }
    }

    @Test func halfAKeyIsRefusedRatherThanCompletedFromTheFile() {
        #expect(throws: AWSError.credentialsIncomplete("AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not")) {
            try AWSCredentials.resolve(environment: ["AWS_ACCESS_KEY_ID": "AKIAENV"], readFile: { _ in Self.sharedFile })
        }
    }
}
