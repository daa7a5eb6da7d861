import Testing

@testable import LoadBalancers

@Suite struct XMLResponseTests {
    @Test func anELBv2ErrorAnswerGivesItsCodeAndMessage() throws {
        let answer = try #require(
            ResponseElement.parse(
                Array(
                    """
                    <ErrorResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/">
                      <Error><Type>Sender</Type><Code>DuplicateLoadBalancerName</Code>
                        <Message>A load balancer with the same name 'web' exists, but with different settings</Message></Error>
                      <RequestId>c3c8f0b4-0000-4000-8000-000000000000</RequestId>
                    </ErrorResponse>
                    """.utf8)))
        #expect(answer.error?.code == "DuplicateLoadBalancerName")
        #expect(answer.error?.message == "A load balancer with the same name 'web' exists, but with different settings")
    }

    @Test func anEC2ErrorAnswerGivesItsCodeAndMessage() throws {
        let answer = try #require(
            ResponseElement.parse(
                Array(
                    """
                    <?xml version="1.0" encoding="UTF-8"?>
                    <Response><Errors><Error><Code>InvalidSubnetID.NotFound</Code><Message>The subnet ID 'subnet-1' does not exist</Message></Error></Errors><RequestID>r</RequestID></Response>
                    """.utf8)))
        #expect(answer.error?.code == "InvalidSubnetID.NotFound")
        #expect(answer.error?.message == "The subnet ID 'subnet-1' does not exist")
    }

    @Test func aDescribeAnswerReadsIntoTypedValues() throws {
        let answer = try #require(
            ResponseElement.parse(
                Array(
                    """
                    <DescribeListenersResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/">
                      <DescribeListenersResult>
                        <Listeners>
                          <member>
                            <ListenerArn>arn:listener/1</ListenerArn><Port>80</Port><Protocol>TCP</Protocol>
                            <DefaultActions><member><Type>forward</Type><TargetGroupArn>arn:tg/1</TargetGroupArn></member></DefaultActions>
                          </member>
                        </Listeners>
                        <NextMarker>page-2</NextMarker>
                      </DescribeListenersResult>
                    </DescribeListenersResponse>
                    """.utf8)))
        #expect(answer.error == nil)
        let listeners = answer.list("DescribeListenersResult", "Listeners").map(ELBv2.Listener.init)
        #expect(listeners.map(\.port) == [80])
        #expect(listeners.first?.targetGroupArn == "arn:tg/1")
        #expect(answer.value("DescribeListenersResult", "NextMarker") == "page-2")
    }

    @Test func textThatIsNotXMLIsNoAnswer() {
        #expect(ResponseElement.parse(Array("<html><body>502 Bad Gateway".utf8)) == nil)
    }
}
