import { ApiService, peers } from "../../../components";
import { testPlatform } from "../../helpers/platform";
import { at, synthesize } from "../../helpers/synth";

const image = "ghcr.io/shop/api:1.4.2";
const select = (name: string) => ({ matchLabels: { "app.kubernetes.io/name": name, "app.kubernetes.io/instance": name } });
const dns = {
  to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
  ports: [
    { port: 53, protocol: "UDP" },
    { port: 53, protocol: "TCP" },
  ],
};

describe("ApiService networking", () => {
  it("denies by default: only Prometheus may scrape, only DNS may be reached", async () => {
    const s = await synthesize(() => {
      new ApiService("api", { platform: testPlatform(), image });
    });
    expect(at(s.object("NetworkPolicy", "api-netpol"), "spec")).toEqual({
      podSelector: select("api"),
      policyTypes: ["Ingress", "Egress"],
      ingress: [
        {
          from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } }, podSelector: { matchLabels: { "app.kubernetes.io/name": "prometheus" } } }],
          ports: [{ port: 8080, protocol: "TCP" }],
        },
      ],
      egress: [dns],
    });
  });

  it("creates the tier namespaces with a default-deny policy and the restricted Pod Security Standard", async () => {
    const s = await synthesize(() => {
      testPlatform();
    });
    expect(s.all("Namespace").map((n) => n.metadata.name)).toEqual(["data", "monitoring", "shop", "storage"]);
    expect(s.object("Namespace", "shop").metadata.labels?.["pod-security.kubernetes.io/enforce"]).toBe("restricted");
    const denies = s.all("NetworkPolicy").filter((p) => p.metadata.name === "default-deny");
    expect(denies).toHaveLength(4);
    expect(at(denies[0], "spec")).toEqual({ podSelector: {}, policyTypes: ["Ingress", "Egress"] });
  });

  it("admits the ingress controller when there is an ingress", async () => {
    const s = await synthesize(() => {
      new ApiService("api", { platform: testPlatform(), image, ingress: { host: "api.example.com" }, metrics: false });
    });
    expect(at(s.object("NetworkPolicy", "api-netpol"), "spec.ingress")).toEqual([
      {
        from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ingress-nginx" } }, podSelector: { matchLabels: { "app.kubernetes.io/name": "ingress-nginx" } } }],
        ports: [{ port: 8080, protocol: "TCP" }],
      },
    ]);
  });

  it("writes both sides of allowTo between keel services", async () => {
    const s = await synthesize(() => {
      const platform = testPlatform();
      const backend = new ApiService("backend", { platform, image, port: 3000, metrics: false });
      new ApiService("frontend", { platform, image, metrics: false, allowTo: [{ peer: backend }] });
    });
    const toBackend = { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "shop" } }, podSelector: select("backend") };
    expect(at(s.object("NetworkPolicy", "frontend-netpol"), "spec.egress")).toEqual([dns, { to: [toBackend], ports: [{ port: 3000, protocol: "TCP" }] }]);
    const admitted = s.object("NetworkPolicy", "backend-from-frontend");
    expect(at(admitted, "spec")).toEqual({
      podSelector: select("backend"),
      policyTypes: ["Ingress"],
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "shop" } }, podSelector: select("frontend") }], ports: [{ port: 3000, protocol: "TCP" }] }],
    });
  });

  it("allowFrom after construction adds policies on both sides", async () => {
    const s = await synthesize(() => {
      const platform = testPlatform();
      const backend = new ApiService("backend", { platform, image, metrics: false });
      const web = new ApiService("web", { platform, image, metrics: false });
      backend.allowFrom(web, [{ port: 8081 }]);
    });
    expect(at(s.object("NetworkPolicy", "web-to-backend"), "spec.egress.0.ports")).toEqual([{ port: 8081, protocol: "TCP" }]);
    expect(at(s.object("NetworkPolicy", "backend-from-web"), "spec.ingress.0.ports")).toEqual([{ port: 8081, protocol: "TCP" }]);
  });

  it("reaches external addresses only on the named ports", async () => {
    const s = await synthesize(() => {
      new ApiService("api", { platform: testPlatform(), image, allowTo: [{ peer: peers.internet(), ports: [{ port: 443 }] }] });
    });
    expect(at(s.object("NetworkPolicy", "api-netpol"), "spec.egress.1")).toEqual({
      to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"] } }],
      ports: [{ port: 443, protocol: "TCP" }],
    });
  });

  it("routes the ingress with cert-manager TLS and nginx limits", async () => {
    const s = await synthesize(() => {
      new ApiService("api", {
        platform: testPlatform(),
        image,
        ingress: { host: "api.example.com", paths: ["/api", "/ws"], rateLimit: { requestsPerSecond: 20, connections: 10 }, maxBodySize: "10m" },
      });
    });
    const ingress = s.object("Ingress", "api");
    expect(ingress.metadata.annotations).toEqual({
      "nginx.ingress.kubernetes.io/proxy-body-size": "10m",
      "nginx.ingress.kubernetes.io/ssl-redirect": "true",
      "nginx.ingress.kubernetes.io/force-ssl-redirect": "true",
      "cert-manager.io/cluster-issuer": "letsencrypt-prod",
      "nginx.ingress.kubernetes.io/limit-rps": "20",
      "nginx.ingress.kubernetes.io/limit-connections": "10",
    });
    expect(at(ingress, "spec.tls")).toEqual([{ hosts: ["api.example.com"], secretName: "api-tls" }]);
    expect(at(ingress, "spec.ingressClassName")).toBe("nginx");
    expect(at(ingress, "spec.rules.0.http.paths.1")).toEqual({ path: "/ws", pathType: "Prefix", backend: { service: { name: "api", port: { number: 80 } } } });
  });
});
