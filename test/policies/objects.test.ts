import type { ResourceValidationArgs } from "@pulumi/policy";
import { ingressTls, networkPolicyNoAllowAll, noBarePods, pvcStorageClass, noServiceExternalIps, recommendedLabels, serviceType } from "../../policies/kubernetes/objects";
import { DEPLOYMENT, POD, SERVICE, deployment, violations } from "./harness";

type Props = Record<string, unknown>;
const INGRESS = "kubernetes:networking.k8s.io/v1:Ingress";
const NETPOL = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const PVC = "kubernetes:core/v1:PersistentVolumeClaim";

const ingress = (): Props => ({
  metadata: { name: "api", namespace: "shop" },
  spec: { tls: [{ hosts: ["api.example.com"], secretName: "api-tls" }], rules: [{ host: "api.example.com", http: { paths: [] } }] },
});
const netpol = (): Props => ({
  metadata: { name: "api", namespace: "shop" },
  spec: {
    podSelector: { matchLabels: { app: "api" } },
    policyTypes: ["Ingress", "Egress"],
    ingress: [{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ingress-nginx" } }, podSelector: { matchLabels: { app: "nginx" } } }], ports: [{ port: 8080 }] }],
    egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["10.0.0.0/8"] } }], ports: [{ port: 443 }] }],
  },
});

describe("objects", () => {
  it("passes compliant objects", () => {
    expect(violations(ingressTls, INGRESS, ingress())).toEqual([]);
    expect(violations(networkPolicyNoAllowAll, NETPOL, netpol())).toEqual([]);
    expect(violations(serviceType, SERVICE, { metadata: { name: "api", namespace: "shop" }, spec: { type: "ClusterIP" } })).toEqual([]);
    expect(violations(pvcStorageClass, PVC, { metadata: { name: "data", namespace: "db" }, spec: { storageClassName: "gp3" } })).toEqual([]);
    expect(violations(recommendedLabels, DEPLOYMENT, deployment())).toEqual([]);
    expect(violations(noBarePods, POD, { metadata: { name: "x", namespace: "a", ownerReferences: [{ kind: "Job", name: "j" }] } })).toEqual([]);
  });

  it("reports a host without TLS", () => {
    const i = ingress();
    ((i.spec as Props).rules as Props[]).push({ host: "www.example.com" });
    expect(violations(ingressTls, INGRESS, i)).toEqual(["Ingress shop/api: host www.example.com is served without TLS; add it to spec.tls (cert-manager issues the certificate)."]);
  });

  it("covers hosts by wildcard certificates and host-less TLS entries, and host-less rules by any TLS entry", () => {
    const i = (tls: unknown, rules: unknown) => ({ metadata: { name: "api", namespace: "shop" }, spec: { tls, rules } });
    const paths = { http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "api", port: { number: 80 } } } }] } };
    expect(violations(ingressTls, INGRESS, i([{ secretName: "w", hosts: ["*.example.com"] }], [{ host: "api.example.com", ...paths }]))).toEqual([]);
    expect(violations(ingressTls, INGRESS, i([{ secretName: "w" }], [{ host: "api.example.com", ...paths }]))).toEqual([]);
    expect(violations(ingressTls, INGRESS, i([{ secretName: "x", hosts: ["example.com"] }], [paths]))).toEqual([]);
    expect(violations(ingressTls, INGRESS, i([{ secretName: "w", hosts: ["*.example.com"] }], [{ host: "a.b.example.com", ...paths }, { host: "example.com", ...paths }]))).toEqual([
      "Ingress shop/api: host a.b.example.com is served without TLS; add it to spec.tls (cert-manager issues the certificate).",
      "Ingress shop/api: host example.com is served without TLS; add it to spec.tls (cert-manager issues the certificate).",
    ]);
    expect(violations(ingressTls, INGRESS, i(undefined, [paths]))).toEqual([
      "Ingress shop/api: a rule without a host serves every host without TLS; add spec.tls with a certificate (cert-manager issues it).",
    ]);
  });

  it.each<[string, (p: Props) => void, string[]]>([
    ["an ingress rule without from", (p) => ((p.spec as Props).ingress = [{ ports: [{ port: 80 }] }]), ["NetworkPolicy shop/api: ingress rule 1 has no from, so it allows every source; name the peers it allows."]],
    ["an empty namespace selector", (p) => ((p.spec as Props).ingress = [{ from: [{ namespaceSelector: {} }] }]), [
      "NetworkPolicy shop/api: ingress rule 1 allows every pod of every namespace (a namespaceSelector that selects all namespaces); select the namespaces and pods it allows.",
    ]],
    ["empty label maps and expression lists", (p) => ((p.spec as Props).ingress = [{ from: [{ namespaceSelector: { matchLabels: {} }, podSelector: { matchExpressions: [] } }] }]), [
      "NetworkPolicy shop/api: ingress rule 1 allows every pod of every namespace (a namespaceSelector that selects all namespaces); select the namespaces and pods it allows.",
    ]],
    ["every namespace by its name label", (p) => ((p.spec as Props).ingress = [{ from: [{ namespaceSelector: { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "Exists" }] } }] }]), [
      "NetworkPolicy shop/api: ingress rule 1 allows every pod of every namespace (a namespaceSelector that selects all namespaces); select the namespaces and pods it allows.",
    ]],
    ["the internet in halves, and all of IPv6", (p) => ((p.spec as Props).ingress = [{ from: [{ ipBlock: { cidr: "128.0.0.0/1" } }, { ipBlock: { cidr: "0.0.0.0/1" } }, { ipBlock: { cidr: "::0/0" } }] }]), [
      "NetworkPolicy shop/api: ingress rule 1 allows every address (128.0.0.0/1, 0.0.0.0/1, ::0/0 together); name the address ranges it allows.",
    ]],
    ["egress to every address on every port", (p) => ((p.spec as Props).egress = [{ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }] }]), [
      "NetworkPolicy shop/api: egress rule 1 allows every destination address on every port (0.0.0.0/0); name the address ranges it allows, or the ports.",
    ]],
    ["ingress from the whole internet", (p) => ((p.spec as Props).ingress = [{ from: [{ ipBlock: { cidr: "0.0.0.0/0" } }] }]), ["NetworkPolicy shop/api: ingress rule 1 allows every address (0.0.0.0/0); name the address ranges it allows."]],
    ["egress to anywhere on any port", (p) => ((p.spec as Props).egress = [{}]), ["NetworkPolicy shop/api: egress rule 1 has no to, so it allows every destination; name the peers it allows."]],
  ])("reports %s", (_name, mutate, expected) => {
    const p = netpol();
    mutate(p);
    expect(violations(networkPolicyNoAllowAll, NETPOL, p)).toEqual(expected);
  });

  it("allows egress to every address on named ports, a namespace by name, and ranges short of everything", () => {
    const p = netpol();
    (p.spec as Props).egress = [{ to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["10.0.0.0/8"] } }] }, { to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ port: 443 }] }];
    (p.spec as Props).ingress = [
      { from: [{ namespaceSelector: { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: ["ingress-nginx"] }] } }] },
      { from: [{ ipBlock: { cidr: "0.0.0.0/1" } }, { ipBlock: { cidr: "128.0.0.0/2" } }] },
    ];
    expect(violations(networkPolicyNoAllowAll, NETPOL, p)).toEqual([]);
  });

  it("allows LoadBalancers only in the configured namespaces, and no NodePorts", () => {
    const lb = { metadata: { name: "web", namespace: "shop" }, spec: { type: "LoadBalancer" } };
    expect(violations(serviceType, SERVICE, lb)).toEqual(["Service shop/web: type LoadBalancer outside the ingress controller's namespace (ingress-nginx); route it through an Ingress instead."]);
    expect(violations(serviceType, SERVICE, lb, { loadBalancerNamespaces: ["shop"] })).toEqual([]);
    expect(violations(serviceType, SERVICE, { metadata: { name: "web", namespace: "shop" }, spec: { type: "NodePort" } })).toEqual([
      "Service shop/web: type NodePort opens a port on every node; use ClusterIP behind the ingress controller.",
    ]);
  });

  it("forbids Service externalIPs (CVE-2020-8554), but not an empty list", () => {
    const svc = (externalIPs?: unknown) => ({ metadata: { name: "web", namespace: "shop" }, spec: { type: "ClusterIP", externalIPs } });
    expect(violations(noServiceExternalIps, SERVICE, svc())).toEqual([]);
    expect(violations(noServiceExternalIps, SERVICE, svc([]))).toEqual([]);
    expect(violations(noServiceExternalIps, SERVICE, svc(["203.0.113.7", "203.0.113.8"]))).toEqual([
      "Service shop/web: sets externalIPs (203.0.113.7, 203.0.113.8); kube-proxy then captures traffic to those addresses from every pod and node, which is how CVE-2020-8554 intercepts traffic. Use a LoadBalancer or an Ingress, block externalIPs with an admission policy, or exempt the Service with the reason the addresses are yours.",
    ]);
  });

  it("reports claims without a storage class, in StatefulSet templates too", () => {
    expect(violations(pvcStorageClass, PVC, { metadata: { name: "data", namespace: "db" }, spec: {} })).toEqual([
      "PersistentVolumeClaim db/data: no storageClassName; name the storage class so the volume's type and reclaim policy are explicit.",
    ]);
    const sts = { metadata: { name: "pg", namespace: "db" }, spec: { volumeClaimTemplates: [{ metadata: { name: "data" }, spec: {} }] } };
    expect(violations(pvcStorageClass, "kubernetes:apps/v1:StatefulSet", sts)).toEqual([
      'StatefulSet db/pg, volume claim template "data": no storageClassName; name the storage class so the volume\'s type and reclaim policy are explicit.',
    ]);
  });

  it("reports bare Pods", () => {
    expect(violations(noBarePods, POD, { metadata: { name: "debug", namespace: "shop" }, spec: {} })).toEqual([
      "Pod shop/debug: a bare Pod is not rescheduled when its node fails; run it from a Deployment, StatefulSet or Job.",
    ]);
  });

  it("remediates missing labels without touching selectors", () => {
    const d = deployment();
    (d.metadata as Props).labels = { team: "checkout" };
    expect(violations(recommendedLabels, DEPLOYMENT, d)).toEqual([
      "Deployment shop/api: no app.kubernetes.io/name label; add the standard app.kubernetes.io labels (the remediation adds app.kubernetes.io/name and app.kubernetes.io/managed-by).",
    ]);
    const remediate = recommendedLabels.remediateResource as (a: ResourceValidationArgs) => Props | undefined;
    const fixed = remediate({ type: DEPLOYMENT, props: d, urn: "u", name: "api", getConfig: () => ({}) } as unknown as ResourceValidationArgs) as Props;
    expect((fixed.metadata as Props).labels).toEqual({ team: "checkout", "app.kubernetes.io/name": "api", "app.kubernetes.io/managed-by": "pulumi" });
    expect((fixed.spec as Props).selector).toEqual((d.spec as Props).selector);
    expect(violations(recommendedLabels, DEPLOYMENT, fixed)).toEqual([]);
  });
});
