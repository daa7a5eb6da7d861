"""Signs fixed requests with botocore's SigV4Auth and prints the Authorization headers that
SigV4Tests.swift expects. Regenerate with (from the package root):

    .venv/bin/python Tests/LoadBalancersTests/Fixtures/sigv4_vectors.py

botocore takes the time from botocore.auth.get_current_datetime; it is replaced here by a
fixed one so that the output never changes.
"""
import datetime

import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

FORM = "application/x-www-form-urlencoded; charset=utf-8"
KEY = ("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")

VECTORS = [
    # AWS's published example: IAM ListUsers (SigV4 documentation, "Signature Version 4 examples").
    dict(name="iamListUsers", when=(2015, 8, 30, 12, 36, 0), region="us-east-1", service="iam", token=None,
         method="GET", url="https://iam.amazonaws.com/", params=[("Action", "ListUsers"), ("Version", "2010-05-08")],
         body=b""),
    dict(name="elbv2FormPost", when=(2026, 11, 27, 9, 5, 7), region="eu-west-1", service="elasticloadbalancing", token=None,
         method="POST", url="https://elasticloadbalancing.eu-west-1.amazonaws.com/", params=[],
         body=b"Action=DescribeLoadBalancers&Version=2015-12-01&Names.member.1=default-web-1a2b3c4d"),
    dict(name="elbv2FormPostWithSessionToken", when=(2026, 11, 27, 9, 5, 7), region="eu-west-1",
         service="elasticloadbalancing", token="IQoJb3JpZ2luX2VjEXAMPLE/token+with=padding==",
         method="POST", url="https://elasticloadbalancing.eu-west-1.amazonaws.com/", params=[],
         body=b"Action=DescribeLoadBalancers&Version=2015-12-01"),
    dict(name="ec2QueryGet", when=(2026, 1, 2, 3, 4, 5), region="us-west-2", service="ec2", token=None,
         method="GET", url="https://ec2.us-west-2.amazonaws.com/",
         params=[("Version", "2016-11-15"), ("Action", "DescribeSubnets"), ("SubnetId.2", "subnet-0b"),
                 ("SubnetId.1", "subnet-0a"), ("Filter.1.Value.1", "a b/c*~")],
         body=b""),
    dict(name="pathNeedingEncoding", when=(2026, 1, 2, 3, 4, 5), region="us-east-1", service="example", token=None,
         method="GET", url="http://127.0.0.1:5000/my%20docs/a+b/./c/../d~e/", params=[("q", "x=y&z")],
         body=b""),
]

for vector in VECTORS:
    when = datetime.datetime(*vector["when"])
    botocore.auth.get_current_datetime = lambda when=when: when
    request = AWSRequest(method=vector["method"], url=vector["url"], params=vector["params"] or None,
                         data=vector["body"], headers={"Content-Type": FORM})
    credentials = Credentials(*KEY, token=vector["token"])
    botocore.auth.SigV4Auth(credentials, vector["service"], vector["region"]).add_auth(request)
    print(f'{vector["name"]}: {request.headers["Authorization"]}')
