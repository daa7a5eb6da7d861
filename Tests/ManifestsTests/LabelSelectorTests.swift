import ClusterModel
import Testing

@Suite struct SelectingPodsByLabel {
    @Test func aSelectorMatchesPodsCarryingAllItsLabels() {
        let selector: LabelSelector = ["app": "nginx", "tier": "web"]
        #expect(selector.matches(["app": "nginx", "tier": "web", "pod-template-hash": "abc"]))
        #expect(!selector.matches(["app": "nginx"]))
        #expect(!selector.matches(["app": "nginx", "tier": "db"]))
    }

    @Test func anEmptySelectorSelectsNothing() {
        let selector = LabelSelector()
        #expect(!selector.matches([:]))
        #expect(!selector.matches(["app": "nginx"]))
    }

    @Test func labelsPrintAsKubectlShowsThem() {
        #expect(Labels(["tier": "web", "app": "nginx"]).description == "app=nginx,tier=web")
        #expect(Labels().description == "<none>")
    }

    @Test func anObjectKeyRoundTripsThroughItsTextForm() {
        let key = ObjectKey(kind: .pod, namespace: "shop", name: "web-1")
        #expect(key.description == "Pod/shop/web-1")
        #expect(ObjectKey("Pod/shop/web-1") == key)
        #expect(ObjectKey("Deployment/shop/web") == nil)
    }
}
