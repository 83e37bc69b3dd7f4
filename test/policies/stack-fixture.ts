/**
 * A small stack that would come up: an API (Deployment, Service, Ingress with cert-manager TLS)
 * reading its database URL from a Secret, a database StatefulSet with a headless Service, and
 * NetworkPolicies that admit exactly the flows it needs (DNS, ingress controller, ACME solver,
 * Prometheus, API to database). Each test mutates one thing.
 */
import type { Target } from "../../policies/lib/define";
import { target } from "./harness";

type Props = Record<string, unknown>;

export const FACTS = {
  platform: "kind",
  ingressController: { className: "nginx", namespace: "ingress-nginx", podLabels: { "app.kubernetes.io/name": "ingress-nginx" } },
  prometheus: { namespace: "monitoring", podLabels: { "app.kubernetes.io/name": "prometheus" } },
  dns: { namespace: "kube-system", podLabels: { "k8s-app": "kube-dns" }, port: 53 },
  apiServer: { cidrs: ["172.18.0.0/16"], port: 6443 },
  networkPolicy: { enforced: true, ipBlocks: true },
  storageClasses: { names: ["standard"], default: "standard" },
  operators: { certManager: true, prometheusOperator: false, strimzi: false },
  issuers: [{ kind: "ClusterIssuer", name: "letsencrypt", solver: "http01" }],
  external: [],
  userImages: [{ reference: "ghcr.io/acme/api:1.0.0", reason: "built by the shop team's CI and pushed to GHCR" }],
};

const API = { "app.kubernetes.io/name": "api" };
const DB = { "app.kubernetes.io/name": "db" };
const dnsRule = () => ({ to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }], ports: [{ port: 53, protocol: "UDP" }, { port: 53, protocol: "TCP" }] });
const fromNs = (ns: string, labels: Props) => ({ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": ns } }, podSelector: { matchLabels: labels } });

export function netpol(ns: string, name: string, spec: Props): Target {
  return target("kubernetes:networking.k8s.io/v1:NetworkPolicy", { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name, namespace: ns }, spec }, `${ns}-${name}-NetworkPolicy`);
}

export function k8s(type: string, props: Props): Target {
  const meta = props.metadata as { name: string; namespace?: string };
  return target(type, props, `${meta.namespace ?? "cluster"}-${meta.name}-${type.split(":").pop()}`);
}

export interface Fixture {
  readonly all: Target[];
  readonly byName: (name: string) => Target;
}

export function fixture(): Fixture {
  const all: Target[] = [
    k8s("kubernetes:core/v1:Namespace", { apiVersion: "v1", kind: "Namespace", metadata: { name: "shop" } }),
    k8s("kubernetes:core/v1:Namespace", { apiVersion: "v1", kind: "Namespace", metadata: { name: "data" } }),
    k8s("kubernetes:core/v1:Secret", { apiVersion: "v1", kind: "Secret", metadata: { name: "db-url", namespace: "shop" }, stringData: { url: "postgres://app:pw@db.data.svc.cluster.local:5432/app" } }),
    k8s("kubernetes:core/v1:ServiceAccount", { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "api", namespace: "shop" }, automountServiceAccountToken: false }),
    k8s("kubernetes:apps/v1:Deployment", {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "api", namespace: "shop" },
      spec: {
        replicas: 2,
        selector: { matchLabels: API },
        template: {
          metadata: { labels: API, annotations: { "prometheus.io/scrape": "true", "prometheus.io/port": "8080" } },
          spec: {
            serviceAccountName: "api",
            containers: [{ name: "api", image: "ghcr.io/acme/api:1.0.0", ports: [{ name: "http", containerPort: 8080, protocol: "TCP" }], env: [{ name: "DATABASE_URL", valueFrom: { secretKeyRef: { name: "db-url", key: "url" } } }] }],
          },
        },
      },
    }),
    k8s("kubernetes:core/v1:Service", { apiVersion: "v1", kind: "Service", metadata: { name: "api", namespace: "shop" }, spec: { selector: API, ports: [{ name: "http", port: 80, targetPort: "http" }] } }),
    k8s("kubernetes:networking.k8s.io/v1:Ingress", {
      apiVersion: "networking.k8s.io/v1",
      kind: "Ingress",
      metadata: { name: "api", namespace: "shop", annotations: { "cert-manager.io/cluster-issuer": "letsencrypt" } },
      spec: { ingressClassName: "nginx", tls: [{ hosts: ["shop.example.com"], secretName: "api-tls" }], rules: [{ host: "shop.example.com", http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "api", port: { number: 80 } } } }] } }] },
    }),
    k8s("kubernetes:apps/v1:StatefulSet", {
      apiVersion: "apps/v1",
      kind: "StatefulSet",
      metadata: { name: "db", namespace: "data" },
      spec: {
        replicas: 1,
        serviceName: "db-headless",
        selector: { matchLabels: DB },
        template: { metadata: { labels: DB }, spec: { automountServiceAccountToken: false, containers: [{ name: "postgres", image: "postgres:16.4-alpine", ports: [{ name: "pg", containerPort: 5432 }] }] } },
        volumeClaimTemplates: [{ metadata: { name: "data" }, spec: { storageClassName: "standard", resources: { requests: { storage: "1Gi" } } } }],
      },
    }),
    k8s("kubernetes:core/v1:Service", { apiVersion: "v1", kind: "Service", metadata: { name: "db", namespace: "data" }, spec: { selector: DB, ports: [{ name: "pg", port: 5432, targetPort: "pg" }] } }),
    k8s("kubernetes:core/v1:Service", { apiVersion: "v1", kind: "Service", metadata: { name: "db-headless", namespace: "data" }, spec: { clusterIP: "None", selector: DB, ports: [{ name: "pg", port: 5432 }] } }),
    netpol("shop", "default-deny", { podSelector: {}, policyTypes: ["Ingress", "Egress"] }),
    netpol("data", "default-deny", { podSelector: {}, policyTypes: ["Ingress", "Egress"] }),
    netpol("shop", "api", {
      podSelector: { matchLabels: API },
      policyTypes: ["Ingress", "Egress"],
      ingress: [{ from: [fromNs("ingress-nginx", { "app.kubernetes.io/name": "ingress-nginx" }), fromNs("monitoring", { "app.kubernetes.io/name": "prometheus" })], ports: [{ port: "http" }] }],
      egress: [dnsRule(), { to: [fromNs("data", DB)], ports: [{ port: 5432 }] }],
    }),
    netpol("shop", "acme-solver", { podSelector: { matchLabels: { "acme.cert-manager.io/http01-solver": "true" } }, policyTypes: ["Ingress"], ingress: [{ from: [fromNs("ingress-nginx", { "app.kubernetes.io/name": "ingress-nginx" })], ports: [{ port: 8089 }] }] }),
    netpol("data", "db", { podSelector: { matchLabels: DB }, policyTypes: ["Ingress", "Egress"], ingress: [{ from: [fromNs("shop", API)], ports: [{ port: 5432 }] }], egress: [dnsRule()] }),
  ];
  const byName = (name: string) => {
    const found = all.find((t) => t.name === name);
    if (!found) throw new Error(`no fixture resource ${name} (have ${all.map((t) => t.name).join(", ")})`);
    return found;
  };
  return { all, byName };
}

/** Reads a nested property for mutation: `get(t, "spec.template.spec")`. */
export function get(t: Target, path: string): Props {
  return path.split(".").reduce<Props>((o, k) => o[k] as Props, t.props);
}
