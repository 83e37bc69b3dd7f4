/**
 * Reference integrity of a set of manifests: every name an object points at exists, and no
 * value was built from `undefined` or an object's default string. Returns the problems found.
 */
import type { KubernetesObject } from "../../offline/manifests";

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Obj) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

function walkStrings(value: unknown, path: string, visit: (s: string, path: string) => void): void {
  if (typeof value === "string") visit(value, path);
  else if (Array.isArray(value)) value.forEach((v, i) => walkStrings(v, `${path}[${i}]`, visit));
  else if (typeof value === "object" && value !== null) for (const [k, v] of Object.entries(value)) walkStrings(v, `${path}.${k}`, visit);
}

export function integrityProblems(objects: readonly KubernetesObject[], externalSecrets: readonly string[] = []): string[] {
  const problems: string[] = [];
  // cert-manager writes each Certificate's Secret.
  const issued = objects.filter((o) => o.kind === "Certificate").map((o) => ({ kind: "Secret", metadata: { name: String(obj(o.spec).secretName), namespace: o.metadata.namespace } }));
  // The External Secrets Operator keeps each ExternalSecret's target Secret.
  issued.push(...objects.filter((o) => o.kind === "ExternalSecret").map((o) => ({ kind: "Secret", metadata: { name: String(obj(obj(o.spec).target).name ?? o.metadata.name), namespace: o.metadata.namespace } })));
  const exists = (kind: string, ns: string | undefined, name: unknown) => [...objects, ...issued].some((o) => o.kind === kind && o.metadata.name === name && o.metadata.namespace === ns);
  for (const o of objects) {
    const id = `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`;
    walkStrings(o, id, (s, path) => {
      if (/\bundefined\b|\[object Object\]|\bNaN\b/.test(s)) problems.push(`${path} is ${JSON.stringify(s)}`);
    });
    const ns = o.metadata.namespace;
    if (o.kind === "Ingress") {
      for (const rule of arr(obj(o.spec).rules)) {
        for (const p of arr(obj(obj(rule).http).paths)) {
          const svc = obj(obj(obj(p).backend).service);
          if (!exists("Service", ns, svc.name)) problems.push(`${id} routes to Service ${String(svc.name)}, which does not exist`);
        }
      }
    }
    if (o.kind === "HorizontalPodAutoscaler") {
      const ref = obj(obj(o.spec).scaleTargetRef);
      if (!exists(String(ref.kind), ns, ref.name)) problems.push(`${id} scales ${String(ref.kind)} ${String(ref.name)}, which does not exist`);
    }
    const pod = o.kind === "Deployment" || o.kind === "StatefulSet" || o.kind === "DaemonSet" ? obj(obj(obj(o.spec).template).spec) : undefined;
    if (pod) {
      const sa = pod.serviceAccountName;
      if (sa !== undefined && !exists("ServiceAccount", ns, sa)) problems.push(`${id} runs as ServiceAccount ${String(sa)}, which does not exist`);
      for (const c of [...arr(pod.containers), ...arr(pod.initContainers)]) {
        for (const e of arr(obj(c).env)) {
          const from = obj(obj(e).valueFrom);
          const cm = obj(from.configMapKeyRef);
          const sec = obj(from.secretKeyRef);
          if (cm.name !== undefined && !exists("ConfigMap", ns, cm.name)) problems.push(`${id} reads ConfigMap ${String(cm.name)}, which does not exist`);
          if (sec.name !== undefined && !exists("Secret", ns, sec.name) && !externalSecrets.includes(String(sec.name))) problems.push(`${id} reads Secret ${String(sec.name)}, which does not exist`);
        }
      }
      for (const v of arr(pod.volumes)) {
        const cm = obj(obj(v).configMap).name;
        const sec = obj(obj(v).secret).secretName;
        if (cm !== undefined && !exists("ConfigMap", ns, cm)) problems.push(`${id} mounts ConfigMap ${String(cm)}, which does not exist`);
        if (sec !== undefined && !exists("Secret", ns, sec)) problems.push(`${id} mounts Secret ${String(sec)}, which does not exist`);
      }
    }
  }
  return problems;
}
