/** Per-object rules beyond workloads: bare Pods, labels, Service types, Ingress TLS, storage classes. */
import { resourcePolicy } from "../lib/define";
import { describe, isEmptySelector, isKind, isWorkload, namespaceOf, selectorOf } from "../lib/kubernetes";
import { cidrRange, everyAddress } from "../lib/network-model";
import { arr, at, clone, obj, str } from "../lib/props";

export const noBarePods = resourcePolicy({
  name: "no-bare-pods",
  description: "Pods are run by a controller (Deployment, StatefulSet, Job), never bare.",
  enforcementLevel: "mandatory",
  type: "kubernetes:core/v1:Pod",
  appliesTo: (type) => isKind(type, "Pod"),
  check(target, report) {
    if (arr(at(target.props, "metadata.ownerReferences")).length === 0) {
      report(`${describe(target)}: a bare Pod is not rescheduled when its node fails; run it from a Deployment, StatefulSet or Job.`);
    }
  },
});

const NAME_LABEL = "app.kubernetes.io/name";

export const recommendedLabels = resourcePolicy({
  name: "recommended-labels",
  description: "Workloads and Services carry the app.kubernetes.io/name label (remediation adds it).",
  enforcementLevel: "advisory",
  appliesTo: (type) => isWorkload(type) || isKind(type, "Service"),
  check(target, report) {
    if (at(target.props, `metadata.labels`) === undefined || obj(at(target.props, "metadata.labels"))[NAME_LABEL] === undefined) {
      report(`${describe(target)}: no ${NAME_LABEL} label; add the standard app.kubernetes.io labels (the remediation adds ${NAME_LABEL} and app.kubernetes.io/managed-by).`);
    }
  },
  remediate(target) {
    const labels = obj(at(target.props, "metadata.labels"));
    if (labels[NAME_LABEL] !== undefined) return undefined;
    const props = clone(target.props);
    const metadata = obj(props.metadata);
    metadata.labels = { ...labels, [NAME_LABEL]: str(metadata.name) ?? target.name, "app.kubernetes.io/managed-by": str(labels["app.kubernetes.io/managed-by"]) ?? "pulumi" };
    props.metadata = metadata;
    return props;
  },
});

export const serviceType = resourcePolicy({
  name: "service-type",
  description: "Services are not NodePorts, and only the ingress controller's are LoadBalancers.",
  enforcementLevel: "mandatory",
  config: {
    loadBalancerNamespaces: { type: "array", items: { type: "string" }, default: ["ingress-nginx"], description: "Namespaces whose Services may be LoadBalancers." },
  },
  type: "kubernetes:core/v1:Service",
  appliesTo: (type) => isKind(type, "Service"),
  check(target, report, config) {
    const type = str(at(target.props, "spec.type"));
    if (type === "NodePort") report(`${describe(target)}: type NodePort opens a port on every node; use ClusterIP behind the ingress controller.`);
    const allowed = arr(config.loadBalancerNamespaces).map(String);
    if (type === "LoadBalancer" && !allowed.includes(namespaceOf(target))) {
      report(`${describe(target)}: type LoadBalancer outside the ingress controller's namespace (${allowed.join(", ")}); route it through an Ingress instead.`);
    }
  },
});

export const noServiceExternalIps = resourcePolicy({
  name: "no-service-external-ips",
  description: "Services set no externalIPs (CVE-2020-8554: whoever may create Services can intercept traffic to any address).",
  enforcementLevel: "mandatory",
  type: "kubernetes:core/v1:Service",
  appliesTo: (type) => isKind(type, "Service"),
  check(target, report) {
    const ips = at(target.props, "spec.externalIPs");
    if (ips === undefined || ips === null || (Array.isArray(ips) && ips.length === 0)) return;
    const list = Array.isArray(ips) ? ips.map(String).join(", ") : JSON.stringify(ips);
    report(
      `${describe(target)}: sets externalIPs (${list}); kube-proxy then captures traffic to those addresses from every pod and node, which is how CVE-2020-8554 intercepts traffic. Use a LoadBalancer or an Ingress, block externalIPs with an admission policy, or exempt the Service with the reason the addresses are yours.`,
    );
  },
});

/** Whether a TLS host (`api.example.com`, or `*.example.com` for one more label) covers `host`. */
function tlsCovers(tlsHost: string, host: string): boolean {
  const a = tlsHost.toLowerCase();
  const b = host.toLowerCase();
  if (a === b) return true;
  return a.startsWith("*.") && b.endsWith(a.slice(1)) && !b.slice(0, b.length - a.length + 1).includes(".") && b.length > a.length - 1;
}

export const ingressTls = resourcePolicy({
  name: "ingress-tls",
  description: "Every Ingress host is served with TLS.",
  enforcementLevel: "mandatory",
  type: "kubernetes:networking.k8s.io/v1:Ingress",
  appliesTo: (type) => isKind(type, "Ingress"),
  check(target, report) {
    const entries = arr(at(target.props, "spec.tls")).filter((t) => typeof t === "object" && t !== null);
    // An entry without hosts serves the controller's certificate for every host.
    const everyHost = entries.some((t) => arr(obj(t).hosts).length === 0);
    const covered = entries.flatMap((t) => arr(obj(t).hosts).map(String));
    const rules = arr(at(target.props, "spec.rules")).filter((r) => typeof r === "object" && r !== null);
    const hosts = rules.map((r) => str(obj(r).host)).filter((h): h is string => h !== undefined && h !== "");
    const hostless = rules.length === 0 || rules.length > hosts.length;
    if (hostless && entries.length === 0) {
      report(`${describe(target)}: ${rules.length === 0 ? "its default backend" : "a rule without a host"} serves every host without TLS; add spec.tls with a certificate (cert-manager issues it).`);
    }
    if (everyHost) return;
    for (const host of hosts) {
      if (!covered.some((c) => tlsCovers(c, host))) report(`${describe(target)}: host ${host} is served without TLS; add it to spec.tls (cert-manager issues the certificate).`);
    }
  },
});

export const pvcStorageClass = resourcePolicy({
  name: "pvc-storage-class",
  description: "PersistentVolumeClaims and StatefulSet volume claim templates name a storage class.",
  enforcementLevel: "mandatory",
  appliesTo: (type) => isKind(type, "PersistentVolumeClaim", "StatefulSet"),
  check(target, report) {
    const claims = isKind(target.type, "StatefulSet") ? arr(at(target.props, "spec.volumeClaimTemplates")) : [target.props];
    for (const claim of claims) {
      if (at(claim, "spec.storageClassName") === undefined) {
        const which = isKind(target.type, "StatefulSet") ? `, volume claim template "${String(at(claim, "metadata.name"))}"` : "";
        report(`${describe(target)}${which}: no storageClassName; name the storage class so the volume's type and reclaim policy are explicit.`);
      }
    }
  },
});

const NAMESPACE_NAME = "kubernetes.io/metadata.name";

/** A namespaceSelector that selects every namespace: empty, or only `Exists` on the name label every namespace has. */
function everyNamespace(v: unknown): boolean {
  if (v === undefined || v === null) return false;
  const s = selectorOf(v);
  return Object.keys(s.matchLabels).length === 0 && s.matchExpressions.every((e) => e.operator === "Exists" && e.key === NAMESPACE_NAME);
}

export const networkPolicyNoAllowAll = resourcePolicy({
  name: "network-policy-no-allow-all",
  description: "NetworkPolicies allow named peers, never everything.",
  enforcementLevel: "mandatory",
  type: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
  appliesTo: (type) => isKind(type, "NetworkPolicy"),
  check(target, report) {
    for (const [direction, key] of [["ingress", "from"], ["egress", "to"]] as const) {
      arr(at(target.props, `spec.${direction}`)).forEach((rule, i) => {
        const peers = arr(obj(rule)[key]).filter((p) => typeof p === "object" && p !== null);
        const ports = arr(obj(rule).ports);
        const where = `${describe(target)}: ${direction} rule ${i + 1}`;
        if (peers.length === 0 && (direction === "ingress" || ports.length === 0)) {
          report(`${where} has no ${key}, so it allows every ${direction === "ingress" ? "source" : "destination"}; name the peers it allows.`);
          return;
        }
        for (const peer of peers) {
          const p = obj(peer);
          const everyPod = p.podSelector === undefined || p.podSelector === null || isEmptySelector(selectorOf(p.podSelector));
          if (everyNamespace(p.namespaceSelector) && everyPod) report(`${where} allows every pod of every namespace (a namespaceSelector that selects all namespaces); select the namespaces and pods it allows.`);
        }
        const blocks = peers.map((p) => obj(obj(p).ipBlock)).filter((b) => typeof b.cidr === "string").map((b) => ({ cidr: String(b.cidr), except: arr(b.except).map(String) }));
        const families = everyAddress(blocks);
        if (families.length > 0 && (direction === "ingress" || ports.length === 0)) {
          const cidrs = blocks.filter((b) => b.except.length === 0 && families.some((f) => cidrRange(b.cidr)?.family === f)).map((b) => b.cidr);
          const what = direction === "ingress" ? "address" : "destination address on every port";
          report(`${where} allows every ${what} (${cidrs.join(", ")}${cidrs.length > 1 ? " together" : ""}); name the address ranges it allows${direction === "egress" ? ", or the ports" : ""}.`);
        }
      });
    }
  },
});
