/** Per-object rules beyond workloads: bare Pods, labels, Service types, Ingress TLS, storage classes. */
import { resourcePolicy } from "../lib/define";
import { describe, isKind, isWorkload, namespaceOf } from "../lib/kubernetes";
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

export const ingressTls = resourcePolicy({
  name: "ingress-tls",
  description: "Every Ingress host is served with TLS.",
  enforcementLevel: "mandatory",
  type: "kubernetes:networking.k8s.io/v1:Ingress",
  appliesTo: (type) => isKind(type, "Ingress"),
  check(target, report) {
    const covered = new Set(arr(at(target.props, "spec.tls")).flatMap((t) => arr(obj(t).hosts).map(String)));
    const hosts = arr(at(target.props, "spec.rules")).map((r) => str(obj(r).host) ?? "*");
    if (hosts.length === 0 && covered.size === 0) report(`${describe(target)}: serves every host without TLS; add spec.tls with a certificate (cert-manager issues it).`);
    for (const host of hosts) {
      if (!covered.has(host)) report(`${describe(target)}: host ${host} is served without TLS; add it to spec.tls (cert-manager issues the certificate).`);
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

export const networkPolicyNoAllowAll = resourcePolicy({
  name: "network-policy-no-allow-all",
  description: "NetworkPolicies allow named peers, never everything.",
  enforcementLevel: "mandatory",
  type: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
  appliesTo: (type) => isKind(type, "NetworkPolicy"),
  check(target, report) {
    for (const [direction, key] of [["ingress", "from"], ["egress", "to"]] as const) {
      arr(at(target.props, `spec.${direction}`)).forEach((rule, i) => {
        const peers = arr(obj(rule)[key]);
        const ports = arr(obj(rule).ports);
        const where = `${describe(target)}: ${direction} rule ${i + 1}`;
        if (peers.length === 0 && (direction === "ingress" || ports.length === 0)) {
          report(`${where} has no ${key}, so it allows every ${direction === "ingress" ? "source" : "destination"}; name the peers it allows.`);
          return;
        }
        for (const peer of peers) {
          const p = obj(peer);
          const everyNamespace = p.namespaceSelector !== undefined && Object.keys(obj(p.namespaceSelector)).length === 0;
          const everyPod = p.podSelector === undefined || Object.keys(obj(p.podSelector)).length === 0;
          const cidr = str(at(p, "ipBlock.cidr"));
          if (everyNamespace && everyPod) report(`${where} allows every pod of every namespace (empty namespaceSelector); select the namespaces and pods it allows.`);
          if (direction === "ingress" && (cidr === "0.0.0.0/0" || cidr === "::/0")) report(`${where} allows every address (${cidr}); name the address ranges it allows.`);
        }
      });
    }
  },
});
