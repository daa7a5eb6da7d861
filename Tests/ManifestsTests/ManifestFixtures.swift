import ClusterModel
import Manifests
import Testing

/// The first manifest of issue 5, exactly as written there.
let issueNodePortManifest = """
    apiVersion: v1
    kind: Service
    metadata:
      name: my-nginx
    spec:
      type: NodePort
      selector:
        app: nginx
      ports:
      - name: http
        port: 80
        targetPort: 80
        #nodePort: 8081
        protocol: TCP

    """

/// The second manifest of issue 5, exactly as written there.
let issueLoadBalancerManifest = """
    apiVersion: v1
    kind: Service
    metadata:
      name: my-nginx
    spec:
      selector:
        app: my-nginx
      ports:
      - name: http
        port: 80
        targetPort: 80
        protocol: TCP
      type: LoadBalancer

    """

/// The Service in Kubernetes' documentation ("Defining a Service").
let kubernetesDocumentationManifest = """
    apiVersion: v1
    kind: Service
    metadata:
      name: my-service
    spec:
      selector:
        app.kubernetes.io/name: MyApp
      ports:
        - protocol: TCP
          port: 80
          targetPort: 9376

    """

func decode(_ text: String, file: String = "test.yaml") throws(ManifestError) -> DecodedManifests {
    try ManifestDecoder().decode(text, file: file)
}

func onlyService(_ text: String, file: String = "test.yaml") throws -> KubernetesService {
    let decoded = try decode(text, file: file)
    try #require(decoded.objects.count == 1)
    return try #require(decoded.objects[0].service)
}

func onlyPod(_ text: String, file: String = "test.yaml") throws -> Pod {
    let decoded = try decode(text, file: file)
    try #require(decoded.objects.count == 1)
    return try #require(decoded.objects[0].pod)
}
