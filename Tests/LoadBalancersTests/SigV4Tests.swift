import Foundation
import Testing

@testable import LoadBalancers

/// Signatures checked against botocore's `SigV4Auth` on fixed requests. The expected
/// Authorization headers are the output of
///
///     .venv/bin/python Tests/LoadBalancersTests/Fixtures/sigv4_vectors.py
///
/// run from the package root (botocore 1.44.8); the script holds the same requests.
@Suite struct SigV4Tests {
    static let key = AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    static let form = "application/x-www-form-urlencoded; charset=utf-8"

    struct Vector: Sendable, CustomTestStringConvertible {
        var name: String
        var when: (Int, Int, Int, Int, Int, Int)
        var region: String
        var service: String
        var sessionToken: String?
        var method: String
        var url: String
        var body: String
        var authorization: String

        var testDescription: String { name }
    }

    static let vectors: [Vector] = [
        Vector(
            name: "iamListUsers", when: (2015, 8, 30, 12, 36, 0), region: "us-east-1", service: "iam", method: "GET",
            url: "https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08", body: "",
            authorization:
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"
        ),
        Vector(
            name: "elbv2FormPost", when: (2026, 11, 27, 9, 5, 7), region: "eu-west-1", service: "elasticloadbalancing",
            method: "POST", url: "https://elasticloadbalancing.eu-west-1.amazonaws.com/",
            body: "Action=DescribeLoadBalancers&Version=2015-12-01&Names.member.1=default-web-1a2b3c4d",
            authorization:
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261127/eu-west-1/elasticloadbalancing/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=b909e2d21d8b554cb52cb050cc7b6516f785acf148294e09446399ae461431f6"
        ),
        Vector(
            name: "elbv2FormPostWithSessionToken", when: (2026, 11, 27, 9, 5, 7), region: "eu-west-1", service: "elasticloadbalancing",
            sessionToken: "IQoJb3JpZ2luX2VjEXAMPLE/token+with=padding==", method: "POST",
            url: "https://elasticloadbalancing.eu-west-1.amazonaws.com/", body: "Action=DescribeLoadBalancers&Version=2015-12-01",
            authorization:
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261127/eu-west-1/elasticloadbalancing/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, Signature=af9451d08e97b6b9db73511aed6cabf9b75b19a95462f32b12140c5bade44963"
        ),
        Vector(
            name: "ec2QueryGet", when: (2026, 1, 2, 3, 4, 5), region: "us-west-2", service: "ec2", method: "GET",
            url:
                "https://ec2.us-west-2.amazonaws.com/?Version=2016-11-15&Action=DescribeSubnets&SubnetId.2=subnet-0b&SubnetId.1=subnet-0a&Filter.1.Value.1=a%20b%2Fc%2A~",
            body: "",
            authorization:
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260102/us-west-2/ec2/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=2caef7d6d0f580e4273754fae1616bd3025d88b13eea211c7ae06c4facddc3da"
        ),
        Vector(
            name: "pathNeedingEncoding", when: (2026, 1, 2, 3, 4, 5), region: "us-east-1", service: "example", method: "GET",
            url: "http://127.0.0.1:5000/my%20docs/a+b/./c/../d~e/?q=x%3Dy%26z", body: "",
            authorization:
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260102/us-east-1/example/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=029b14896ad81538879c07a8215a5fef698914c5ac65c3f129469081695dac4b"
        ),
    ]

    static func date(_ when: (Int, Int, Int, Int, Int, Int)) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.date(
            from: DateComponents(year: when.0, month: when.1, day: when.2, hour: when.3, minute: when.4, second: when.5))!
    }

    @Test(arguments: vectors)
    func aRequestIsSignedAsBotocoreSignsIt(_ vector: Vector) throws {
        var credentials = Self.key
        credentials.sessionToken = vector.sessionToken
        var request = HTTPRequest(
            method: vector.method, url: try #require(URL(string: vector.url)), headers: ["Content-Type": Self.form],
            body: Array(vector.body.utf8))
        SigV4(credentials: credentials, region: vector.region, service: vector.service).sign(&request, at: Self.date(vector.when))
        #expect(request.headers["Authorization"] == vector.authorization)
        #expect(request.headers["X-Amz-Date"] == SigV4.timestamp(Self.date(vector.when)))
        #expect(request.headers["X-Amz-Security-Token"] == vector.sessionToken)
    }

    /// The intermediate values AWS publishes for its IAM ListUsers example.
    @Test func theCanonicalRequestAndSigningKeyOfAWSsPublishedExampleMatch() throws {
        let signer = SigV4(credentials: Self.key, region: "us-east-1", service: "iam")
        let request = HTTPRequest(
            method: "GET", url: try #require(URL(string: "https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08")),
            headers: ["Content-Type": Self.form, "X-Amz-Date": "20150830T123600Z"])
        let canonical = signer.canonicalRequest(request)
        #expect(
            canonical == """
                GET
                /
                Action=ListUsers&Version=2010-05-08
                content-type:application/x-www-form-urlencoded; charset=utf-8
                host:iam.amazonaws.com
                x-amz-date:20150830T123600Z

                content-type;host;x-amz-date
                e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                """)
        #expect(SHA256.hash(Array(canonical.utf8)).hexadecimal == "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59")
        #expect(
            signer.stringToSign(canonicalRequest: canonical, timestamp: "20150830T123600Z") == """
                AWS4-HMAC-SHA256
                20150830T123600Z
                20150830/us-east-1/iam/aws4_request
                f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59
                """)
        #expect(signer.signingKey(day: "20150830").hexadecimal == "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9")
    }

    @Test func signingAgainReplacesTheDateTokenAndSignatureInsteadOfSigningThem() throws {
        let signer = SigV4(credentials: Self.key, region: "eu-west-1", service: "elasticloadbalancing")
        var once = HTTPRequest(method: "POST", url: try #require(URL(string: "https://elasticloadbalancing.eu-west-1.amazonaws.com/")))
        signer.sign(&once, at: Self.date((2026, 11, 27, 9, 5, 7)))
        var twice = once
        signer.sign(&twice, at: Self.date((2026, 11, 27, 9, 5, 7)))
        #expect(twice == once)
    }

    @Test func hmacTakesKeysLongerThanABlock() {
        // RFC 4231 test case 6: a 131-byte key.
        let key = [UInt8](repeating: 0xaa, count: 131)
        let mac = SHA256.hmac(key: key, message: Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8))
        #expect(mac.hexadecimal == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
    }
}
