/** stack-prerequisites: what the platform installs as Helm releases (cluster fact `installed`) is listed as installed, its contents opaque. */
import { readFacts } from "../../policies/lib/cluster-facts";
import { stackPrerequisites } from "../../policies/stack/prerequisites";
import { stackViolations } from "./harness";
import { FACTS, fixture, k8s } from "./stack-fixture";

type Props = Record<string, unknown>;

const INSTALLED = [
  { name: "ingress-nginx", chart: "ingress-nginx", version: "4.15.1", namespace: "ingress-nginx", provides: ["IngressClass nginx"] },
  { name: "cert-manager", chart: "cert-manager", version: "v1.21.2", namespace: "cert-manager", provides: ["cert-manager CRDs", "ClusterIssuer letsencrypt"] },
  { name: "metrics-server", chart: "metrics-server", version: "3.13.1", namespace: "metrics-server", provides: ["metrics.k8s.io"] },
  { name: "prometheus-adapter", chart: "prometheus-adapter", version: "5.3.0", namespace: "prometheus-adapter", provides: ["custom.metrics.k8s.io", "external.metrics.k8s.io"] },
  { name: "external-dns", chart: "external-dns", version: "1.21.1", namespace: "external-dns", provides: ["DNS names under example.com"] },
];

const hpa = (name: string, metrics: Props[]) =>
  k8s("kubernetes:autoscaling/v2:HorizontalPodAutoscaler", { apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler", metadata: { name, namespace: "shop" }, spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "api" }, minReplicas: 2, maxReplicas: 6, metrics } });

/** The fixture plus a Certificate, a second Ingress outside every DNS filter, and an HPA on each metrics API. */
function lines(facts: Props): string[] {
  const f = fixture();
  f.all.push(
    k8s("kubernetes:cert-manager.io/v1:Certificate", { apiVersion: "cert-manager.io/v1", kind: "Certificate", metadata: { name: "internal", namespace: "shop" }, spec: { secretName: "internal-tls", dnsNames: ["internal.example.com"], issuerRef: { kind: "ClusterIssuer", name: "letsencrypt" } } }),
    k8s("kubernetes:networking.k8s.io/v1:Ingress", {
      apiVersion: "networking.k8s.io/v1",
      kind: "Ingress",
      metadata: { name: "partner", namespace: "shop" },
      spec: { ingressClassName: "nginx", rules: [{ host: "api.partner.org", http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "api", port: { number: 80 } } } }] } }] },
    }),
    hpa("api", [
      { type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } },
      { type: "Pods", pods: { metric: { name: "http_requests_per_minute" }, target: { type: "AverageValue", averageValue: "600" } } },
      { type: "External", external: { metric: { name: "http_requests_per_minute" }, target: { type: "Value", value: "6k" } } },
    ]),
  );
  const wanted = /CRDs|ClusterIssuer|IngressClass|DNS name|metrics/;
  return stackViolations(stackPrerequisites, f.all, { cluster: facts }).map((v) => v.message).filter((m) => wanted.test(m));
}

const OPAQUE = "what a Helm release installs is not checked by the pack";
const by = (release: string, chart: string, version: string) => `(installed by the platform: Helm release ${release}, chart ${chart} ${version}; ${OPAQUE})`;

describe("stack-prerequisites: software the platform installs", () => {
  it("says which Helm release provides each prerequisite, and that its contents are not checked", () => {
    expect(lines({ ...FACTS, installed: INSTALLED })).toEqual([
      `prerequisite: the CRDs of cert-manager (Certificate) ${by("cert-manager", "cert-manager", "v1.21.2")}`,
      `prerequisite: cert-manager ClusterIssuer letsencrypt (http01) ${by("cert-manager", "cert-manager", "v1.21.2")}`,
      `prerequisite: IngressClass nginx served by an ingress controller (namespace ingress-nginx, pods app.kubernetes.io/name=ingress-nginx) ${by("ingress-nginx", "ingress-nginx", "4.15.1")}`,
      // Outside every domain filter: still the user's to publish.
      "prerequisite: DNS name api.partner.org pointing at the ingress controller's load balancer",
      `prerequisite: DNS name shop.example.com pointing at the ingress controller's load balancer (external-dns publishes it: Helm release external-dns, chart external-dns 1.21.1, domain filter example.com; ${OPAQUE})`,
      `prerequisite: metrics-server (metrics.k8s.io) for the cpu/memory targets of HPA shop/api ${by("metrics-server", "metrics-server", "3.13.1")}`,
      `prerequisite: a custom metrics adapter serving custom.metrics.k8s.io ${by("prometheus-adapter", "prometheus-adapter", "5.3.0")} with the metrics http_requests_per_minute (HPA shop/api)`,
      `prerequisite: an external metrics adapter serving external.metrics.k8s.io ${by("prometheus-adapter", "prometheus-adapter", "5.3.0")} with the metrics http_requests_per_minute (HPA shop/api)`,
    ]);
  });

  it("keeps the plain prerequisites without the fact", () => {
    expect(lines(FACTS)).toEqual([
      "prerequisite: the CRDs of cert-manager (Certificate)",
      "prerequisite: cert-manager ClusterIssuer letsencrypt (http01)",
      "prerequisite: IngressClass nginx served by an ingress controller (namespace ingress-nginx, pods app.kubernetes.io/name=ingress-nginx)",
      "prerequisite: DNS name api.partner.org pointing at the ingress controller's load balancer",
      "prerequisite: DNS name shop.example.com pointing at the ingress controller's load balancer",
      "prerequisite: metrics-server (metrics.k8s.io) for the cpu/memory targets of HPA shop/api",
      "prerequisite: a custom metrics adapter serving custom.metrics.k8s.io (e.g. prometheus-adapter) with the metrics http_requests_per_minute (HPA shop/api)",
      "prerequisite: an external metrics adapter serving external.metrics.k8s.io (e.g. KEDA or prometheus-adapter) with the metrics http_requests_per_minute (HPA shop/api)",
    ]);
  });

  it("falls back to metricsApis where no release provides an API, and matches hosts to the closest domain filter", () => {
    const installed = [INSTALLED[0], { ...INSTALLED[4], provides: ["DNS names under example.com", "DNS names under shop.example.com"] }];
    const found = lines({ ...FACTS, installed, metricsApis: { resource: true } }).filter((m) => m.includes("metrics-server") || m.includes("shop.example.com"));
    expect(found).toEqual([
      `prerequisite: DNS name shop.example.com pointing at the ingress controller's load balancer (external-dns publishes it: Helm release external-dns, chart external-dns 1.21.1, domain filter shop.example.com; ${OPAQUE})`,
      "prerequisite: metrics-server (metrics.k8s.io) for the cpu/memory targets of HPA shop/api (the platform provides it)",
    ]);
  });

  it("reads only well-formed releases (name, chart, version, a list of strings provided)", () => {
    expect(readFacts({ installed: [INSTALLED[0], { name: "x", chart: "y" , provides: [] }, { name: "x", chart: "y", version: "1", provides: ["a", 1] }, "junk"] }).installed).toEqual([INSTALLED[0]]);
    expect(readFacts({ installed: "ingress-nginx" }).installed).toBeUndefined();
    expect(readFacts({}).installed).toBeUndefined();
  });
});
