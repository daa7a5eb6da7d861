/// Manifests the system tests apply, as a user would write them.
enum Manifests {
    static func pod(_ name: String, app: String, host: Int, ip: String, hostPort: Int? = nil) -> String {
        """
        apiVersion: v1
        kind: Pod
        metadata:
          name: \(name)
          labels:
            app: \(app)
        spec:
          nodeName: h\(host)
          containers:
          - ports:
            - containerPort: 8080
        \(hostPort.map { "      hostPort: \($0)" } ?? "")
        status:
          podIP: \(ip)
        ---

        """
    }

    static func service(
        _ name: String, app: String, type: String = "ClusterIP", port: Int = 80, protocol: String = "TCP", extra: String = ""
    ) -> String {
        """
        apiVersion: v1
        kind: Service
        metadata:
          name: \(name)
        spec:
          type: \(type)
          selector:
            app: \(app)
          ports:
          - port: \(port)
            protocol: \(`protocol`)
            targetPort: 8080
        \(extra)
        ---

        """
    }
}
