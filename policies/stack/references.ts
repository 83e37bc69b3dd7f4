/**
 * Every reference resolves: Secrets and ConfigMaps a pod reads (and their keys), its
 * ServiceAccount, PVCs and pull secrets; Ingress backends and ports; HPA targets; Service, PDB
 * and NetworkPolicy selectors select pods; a StatefulSet's headless Service selects its pods.
 * Objects made outside the stack count only when declared (cluster fact `external`, with a reason).
 */
import { CLUSTER_FACTS_SETTING, ClusterFacts, ExternalObjectFact } from "../lib/cluster-facts";
import { stackPolicy } from "../lib/define";
import { reasonProblem } from "../lib/exemptions";
import { selectorOf, selects } from "../lib/kubernetes";
import { ACME_SOLVER_LABEL } from "../lib/needed-flows";
import { Obj, arr, at, num, obj, str } from "../lib/props";
import { StackObject, StackObjects, describeObject } from "../lib/stack-objects";
import { wholeStack } from "./whole-stack";

type Kind = "Secret" | "ConfigMap";

/** Secrets other objects make: cert-manager's Certificates and Ingress TLS, Strimzi's CAs and users, the External Secrets Operator's targets. */
export function producedSecrets(stack: StackObjects): Map<string, readonly string[] | undefined> {
  const made = new Map<string, readonly string[] | undefined>();
  const tlsKeys = ["tls.crt", "tls.key", "ca.crt"];
  for (const c of stack.ofKind("Certificate")) if (str(at(c.props, "spec.secretName"))) made.set(`${c.namespace}/${str(at(c.props, "spec.secretName"))}`, tlsKeys);
  for (const ing of stack.ofKind("Ingress")) {
    const a = obj(at(ing.props, "metadata.annotations"));
    if (!a["cert-manager.io/cluster-issuer"] && !a["cert-manager.io/issuer"]) continue;
    for (const t of arr(at(ing.props, "spec.tls"))) if (str(obj(t).secretName)) made.set(`${ing.namespace}/${str(obj(t).secretName)}`, tlsKeys);
  }
  for (const k of stack.ofKind("Kafka")) for (const s of ["cluster-ca-cert", "clients-ca-cert", "cluster-ca", "clients-ca"]) made.set(`${k.namespace}/${k.name}-${s}`, undefined);
  for (const u of stack.ofKind("KafkaUser")) made.set(`${u.namespace}/${u.name}`, undefined);
  // An ExternalSecret keeps Secret spec.target.name (default: its own name); with a template, exactly the template's keys.
  for (const e of stack.ofKind("ExternalSecret")) {
    const target = str(at(e.props, "spec.target.name")) ?? e.name;
    const templated = obj(at(e.props, "spec.target.template.data"));
    made.set(`${e.namespace}/${target}`, Object.keys(templated).length > 0 ? Object.keys(templated) : undefined);
  }
  return made;
}

class Resolver {
  private readonly produced: Map<string, readonly string[] | undefined>;
  constructor(private readonly stack: StackObjects, private readonly facts: ClusterFacts) {
    this.produced = producedSecrets(stack);
  }

  external(kind: string, namespace: string, name: string): ExternalObjectFact | undefined {
    return this.facts.external?.find((e) => e.kind === kind && e.name === name && (e.namespace ?? namespace) === namespace);
  }

  /** A problem with `kind namespace/name` (and `key`), or undefined when it resolves. */
  problem(kind: string, namespace: string, name: string, key?: string): string | undefined {
    const o = this.stack.get(kind, namespace, name);
    if (o) {
      if (key === undefined || (kind !== "Secret" && kind !== "ConfigMap")) return undefined;
      const data = this.stack.dataOf(kind as Kind, namespace, name);
      return data?.has(key) ? undefined : `${kind} ${namespace}/${name} has no key "${key}" (keys: ${[...(data?.keys() ?? [])].join(", ") || "none"})`;
    }
    if (kind === "Secret" && this.produced.has(`${namespace}/${name}`)) {
      const keys = this.produced.get(`${namespace}/${name}`);
      return key === undefined || keys === undefined || keys.includes(key) ? undefined : `Secret ${namespace}/${name} (made by cert-manager) has no key "${key}"`;
    }
    const ext = this.external(kind, namespace, name);
    if (ext) {
      const why = reasonProblem(ext.reason);
      if (why) return `${kind} ${namespace}/${name} is declared external, but ${why}`;
      return key === undefined || ext.keys === undefined || ext.keys.includes(key) ? undefined : `${kind} ${namespace}/${name} is declared external with keys ${ext.keys.join(", ")}, not "${key}"`;
    }
    return `${kind} ${namespace}/${name} is not in the stack`;
  }
}

const FIX = "create it in the stack, or declare it as external (with a reason) so it is listed as a prerequisite";

function podReferences(w: { object: StackObject; podSpec: Obj; group: { id: string } }, resolve: Resolver, report: (m: string) => void): void {
  const ns = w.object.namespace;
  const spec = w.podSpec;
  const check = (where: string, kind: string, name: string | undefined, key?: string, optional?: unknown, verb = "reads") => {
    if (!name || optional === true) return;
    const p = resolve.problem(kind, ns, name, key);
    if (p) report(`${w.group.id}: ${where} ${verb} ${kind} ${ns}/${name}${key ? ` key "${key}"` : ""}, but ${p}; ${FIX}.`);
  };
  const containers = [...arr(spec.initContainers), ...arr(spec.containers)].map(obj);
  const volumeNames = new Set([...arr(spec.volumes).map((v) => str(obj(v).name)), ...arr(at(w.object.props, "spec.volumeClaimTemplates")).map((c) => str(at(c, "metadata.name")))]);
  for (const c of containers) {
    const cname = `container "${str(c.name) ?? "?"}"`;
    for (const e of arr(c.env).map(obj)) {
      const from = obj(e.valueFrom);
      const s = obj(from.secretKeyRef);
      const m = obj(from.configMapKeyRef);
      check(`${cname} env ${str(e.name)}`, "Secret", str(s.name), str(s.key), s.optional);
      check(`${cname} env ${str(e.name)}`, "ConfigMap", str(m.name), str(m.key), m.optional);
    }
    for (const e of arr(c.envFrom).map(obj)) {
      check(`${cname} envFrom`, "Secret", str(obj(e.secretRef).name), undefined, obj(e.secretRef).optional);
      check(`${cname} envFrom`, "ConfigMap", str(obj(e.configMapRef).name), undefined, obj(e.configMapRef).optional);
    }
    for (const m of arr(c.volumeMounts).map(obj)) {
      if (!volumeNames.has(str(m.name))) report(`${w.group.id}: ${cname} mounts volume "${str(m.name)}", which the pod does not define; add it to spec.volumes (or volumeClaimTemplates).`);
    }
  }
  for (const v of arr(spec.volumes).map(obj)) {
    const vname = `volume "${str(v.name)}"`;
    const items = (x: Obj) => arr(x.items).map((i) => str(obj(i).key));
    const sec = obj(v.secret);
    const cm = obj(v.configMap);
    for (const key of items(sec).length ? items(sec) : [undefined]) check(vname, "Secret", str(sec.secretName), key, sec.optional);
    for (const key of items(cm).length ? items(cm) : [undefined]) check(vname, "ConfigMap", str(cm.name), key, cm.optional);
    for (const src of arr(obj(v.projected).sources).map(obj)) {
      for (const [kind, ref] of [["Secret", obj(src.secret)], ["ConfigMap", obj(src.configMap)]] as const) {
        for (const key of items(ref).length ? items(ref) : [undefined]) check(`${vname} (projected)`, kind, str(ref.name), key, ref.optional);
      }
    }
    check(vname, "PersistentVolumeClaim", str(obj(v.persistentVolumeClaim).claimName), undefined, undefined, "claims");
  }
  const sa = str(spec.serviceAccountName) ?? str(spec.serviceAccount);
  if (sa && sa !== "default") check("its pods", "ServiceAccount", sa, undefined, undefined, "run as");
  for (const s of arr(spec.imagePullSecrets)) check("its pods", "Secret", str(obj(s).name), undefined, undefined, "pull images with");
}

/** Pods operators make from objects in the stack (cert-manager's HTTP-01 solvers, Strimzi's brokers), by namespace. */
function operatorPods(stack: StackObjects): { namespace?: string; labels: Record<string, string> }[] {
  const pods: { namespace?: string; labels: Record<string, string> }[] = [];
  // cert-manager's HTTP-01 solver pods come and go with certificate orders, also for Ingresses
  // and Certificates of other stacks in the namespace: a policy that admits them stands ready.
  pods.push({ labels: { [ACME_SOLVER_LABEL]: "true" } });
  // The Prometheus operator's pods (its statefulset labels; operator.prometheus.io/name since 0.68).
  for (const p of stack.ofKind("Prometheus", "Alertmanager")) {
    const app = p.kind.toLowerCase();
    pods.push({ namespace: p.namespace, labels: { "app.kubernetes.io/name": app, "app.kubernetes.io/instance": p.name, "app.kubernetes.io/managed-by": "prometheus-operator", [app]: p.name, "operator.prometheus.io/name": p.name, ...(app === "prometheus" ? { "operator.prometheus.io/shard": "0" } : {}) } });
  }
  for (const k of stack.ofKind("Kafka")) {
    for (const role of ["kafka", "entity-operator"]) pods.push({ namespace: k.namespace, labels: { "strimzi.io/cluster": k.name, "strimzi.io/kind": "Kafka", "strimzi.io/name": `${k.name}-${role}` } });
  }
  return pods;
}

function selectorProblems(stack: StackObjects, report: (urn: string, m: string) => void): void {
  const made = operatorPods(stack);
  const selectsPods = (ns: string, selector: Obj) => {
    const parsed = selectorOf(selector);
    return stack.workloadsMatching(ns, parsed).length > 0 || made.some((p) => (p.namespace ?? ns) === ns && selects(parsed, p.labels));
  };
  for (const [key, svc] of stack.services) {
    if (!svc.selector || Object.keys(svc.selector).length === 0) continue;
    const selected = stack.workloadsSelectedBy(svc.object.namespace, svc.selector);
    if (selected.length === 0) report(svc.object.urn, `Service ${key}: its selector ${JSON.stringify(svc.selector)} selects no pods in the stack; traffic to it goes nowhere. Match the workload's pod labels.`);
    for (const p of svc.ports.filter((x) => typeof x.targetPort === "string" && !/^\d+$/.test(x.targetPort))) {
      for (const w of selected.filter((x) => !x.group.ports.some((c) => c.name === p.targetPort && c.protocol === p.protocol))) {
        report(svc.object.urn, `Service ${key}: port ${p.name ?? p.port} targets the container port named "${p.targetPort}", which ${w.group.id} does not declare (${w.group.ports.map((c) => c.name ?? c.port).join(", ") || "no ports"}); traffic to it is refused. Name the container port, or target its number.`);
      }
    }
  }
  for (const pdb of stack.ofKind("PodDisruptionBudget")) {
    if (!selectsPods(pdb.namespace, obj(at(pdb.props, "spec.selector")))) report(pdb.urn, `${describeObject(pdb)}: its selector selects no pods in the stack, so it protects nothing. Match the workload's pod labels.`);
  }
  for (const np of stack.ofKind("NetworkPolicy")) {
    const sel = obj(at(np.props, "spec.podSelector"));
    if (Object.keys(obj(sel.matchLabels)).length + arr(sel.matchExpressions).length === 0) continue;
    if (!selectsPods(np.namespace, sel)) report(np.urn, `${describeObject(np)}: its podSelector selects no pods in the stack, so it allows or denies nothing. Match the workload's pod labels.`);
  }
  for (const w of stack.workloads.filter((x) => x.object.kind === "StatefulSet")) {
    const name = str(at(w.object.props, "spec.serviceName"));
    if (!name) continue;
    const svc = stack.services.get(`${w.object.namespace}/${name}`);
    if (!svc) report(w.object.urn, `${w.group.id}: spec.serviceName is "${name}", but Service ${w.object.namespace}/${name} is not in the stack; its pods get no DNS names. Create the headless Service.`);
    else if (!svc.headless) report(w.object.urn, `${w.group.id}: its governing Service ${w.object.namespace}/${name} is not headless (clusterIP: None); pods get no stable DNS names.`);
    else if (!svc.selector || !selects({ matchLabels: svc.selector, matchExpressions: [] }, w.group.labels)) report(w.object.urn, `${w.group.id}: its headless Service ${w.object.namespace}/${name} does not select its pods; pod DNS names do not resolve. Give the Service the pods' labels as selector.`);
  }
}

export const stackReferences = stackPolicy({
  name: "stack-references",
  description: "Every object a resource refers to exists in the stack (or is declared external with a reason), and every selector selects pods.",
  enforcementLevel: "mandatory",
  config: CLUSTER_FACTS_SETTING,
  check(resources, report, config) {
    const { stack, facts } = wholeStack(resources, config);
    const resolve = new Resolver(stack, facts);
    for (const w of stack.workloads) podReferences(w, resolve, (m) => report(w.object.urn, m));
    for (const ing of stack.ofKind("Ingress")) {
      const spec = obj(ing.props.spec);
      const backends = [obj(spec.defaultBackend), ...arr(spec.rules).flatMap((r) => arr(obj(obj(r).http).paths).map((p) => obj(obj(p).backend)))];
      for (const b of backends) {
        const name = str(obj(b.service).name);
        if (!name) continue;
        const port = num(at(b, "service.port.number")) ?? str(at(b, "service.port.name"));
        const svc = stack.services.get(`${ing.namespace}/${name}`);
        if (!svc) report(ing.urn, `${describeObject(ing)}: backend Service ${ing.namespace}/${name} is not in the stack; the ingress controller answers 503. ${FIX[0].toUpperCase()}${FIX.slice(1)}.`);
        else if (port !== undefined && !svc.ports.some((p) => (typeof port === "number" ? p.port === port : p.name === port))) {
          report(ing.urn, `${describeObject(ing)}: backend Service ${ing.namespace}/${name} has no port ${port} (ports: ${svc.ports.map((p) => (p.name ? `${p.name}=${p.port}` : p.port)).join(", ")}); use one of them.`);
        }
      }
      const annotated = Object.keys(obj(at(ing.props, "metadata.annotations"))).some((k) => k.startsWith("cert-manager.io/"));
      for (const t of arr(spec.tls).map(obj)) {
        const secret = str(t.secretName);
        if (!secret || annotated) continue;
        const p = resolve.problem("Secret", ing.namespace, secret);
        if (p) report(ing.urn, `${describeObject(ing)}: TLS Secret ${ing.namespace}/${secret}: ${p}; ${FIX}, or let cert-manager issue it (cert-manager.io/cluster-issuer annotation).`);
      }
    }
    for (const hpa of stack.ofKind("HorizontalPodAutoscaler")) {
      const ref = obj(at(hpa.props, "spec.scaleTargetRef"));
      if (str(ref.kind) && str(ref.name) && !stack.get(str(ref.kind) as string, hpa.namespace, str(ref.name) as string)) {
        report(hpa.urn, `${describeObject(hpa)}: scales ${str(ref.kind)} ${hpa.namespace}/${str(ref.name)}, which is not in the stack; point scaleTargetRef at the workload.`);
      }
    }
    selectorProblems(stack, report);
    for (const e of facts.external ?? []) {
      const why = reasonProblem(e.reason);
      if (why) report("", `external ${e.kind} ${e.namespace ? `${e.namespace}/` : ""}${e.name} is declared without a real reason (${why}); say who provides it and how.`);
    }
  },
});
