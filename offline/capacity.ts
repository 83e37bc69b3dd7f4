/**
 * capacity.md: CPU and memory requests and limits, and storage, per workload and namespace,
 * with totals (like the resource table of seed 003). Requests count the minimum replicas,
 * limits the maximum (an HPA's bounds); DaemonSets count one pod per node.
 */
import { formatMemory } from "../components/core/quantities";
import type { KubernetesObject } from "./manifests";
import { Workload, storageOfClaim, workloadsOf } from "./workloads";

interface Row {
  readonly namespace: string;
  readonly label: string;
  readonly kind: string;
  readonly replicas: string;
  readonly cpuRequests: number;
  readonly cpuLimits: number;
  readonly memoryRequests: number;
  readonly memoryLimits: number;
  readonly storage: number;
  /** Counted in the totals (scheduled jobs are not). */
  readonly counted: boolean;
}

export function formatCores(millicores: number): string {
  if (millicores === 0) return "0";
  return millicores < 1000 ? `${millicores}m` : `${Number((millicores / 1000).toFixed(2))}`;
}

/** Report figures: Gi with up to two decimals from 1Gi up (like seed 003's table), else Kubernetes units. */
export function formatBytes(bytes: number): string {
  if (bytes === 0) return "-";
  const gi = bytes / 2 ** 30;
  return gi >= 1 ? `${Number(gi.toFixed(2))}Gi` : formatMemory(bytes);
}

function rowOf(w: Workload): Row {
  const sum = (pick: (c: Workload["containers"][number]) => number) => w.containers.reduce((s, c) => s + pick(c), 0);
  const replicas = w.kind === "DaemonSet" ? "1 per node" : w.autoscaled ? `${w.minReplicas}-${w.maxReplicas} (HPA)` : String(w.minReplicas);
  return {
    namespace: w.namespace,
    label: w.name,
    kind: w.kind,
    replicas,
    cpuRequests: sum((c) => c.requestMillicores) * w.minReplicas,
    cpuLimits: sum((c) => c.limitMillicores) * w.maxReplicas,
    memoryRequests: sum((c) => c.requestBytes) * w.minReplicas,
    memoryLimits: sum((c) => c.limitBytes) * w.maxReplicas,
    storage: w.storagePerReplicaBytes * w.maxReplicas,
    counted: w.kind !== "CronJob" && w.kind !== "Job",
  };
}

function total(rows: readonly Row[], namespace: string, label: string): Row {
  const counted = rows.filter((r) => r.counted);
  const add = (pick: (r: Row) => number) => counted.reduce((s, r) => s + pick(r), 0);
  return {
    namespace,
    label,
    kind: "",
    replicas: "",
    cpuRequests: add((r) => r.cpuRequests),
    cpuLimits: add((r) => r.cpuLimits),
    memoryRequests: add((r) => r.memoryRequests),
    memoryLimits: add((r) => r.memoryLimits),
    storage: add((r) => r.storage),
    counted: true,
  };
}

export function capacityMarkdown(stack: string, objects: readonly KubernetesObject[]): string {
  const rows = workloadsOf(objects).map(rowOf);
  for (const claim of objects.filter((o) => o.kind === "PersistentVolumeClaim")) {
    rows.push({
      namespace: claim.metadata.namespace ?? "default",
      label: claim.metadata.name,
      kind: "PersistentVolumeClaim",
      replicas: "",
      cpuRequests: 0,
      cpuLimits: 0,
      memoryRequests: 0,
      memoryLimits: 0,
      storage: storageOfClaim(claim),
      counted: true,
    });
  }
  const namespaces = [...new Set(rows.map((r) => r.namespace))].sort();
  const lines = [
    `# Capacity: stack ${stack}`,
    "",
    "CPU and memory requests at the minimum replica count, limits at the maximum (HPA bounds);",
    "DaemonSets count one pod (multiply by your node count); storage is persistent volume claims.",
    "Scheduled jobs are listed but not counted in the totals.",
    "",
    "| Namespace | Workload | Kind | Replicas | CPU requests | CPU limits | Memory requests | Memory limits | Storage |",
    "|---|---|---|---|---|---|---|---|---|",
  ];
  const line = (r: Row, bold = false) => {
    const b = (s: string) => (bold ? `**${s}**` : s);
    return `| ${b(r.namespace)} | ${b(r.label)} | ${r.kind} | ${r.replicas} | ${b(formatCores(r.cpuRequests))} | ${b(formatCores(r.cpuLimits))} | ${b(formatBytes(r.memoryRequests))} | ${b(formatBytes(r.memoryLimits))} | ${b(formatBytes(r.storage))} |`;
  };
  for (const ns of namespaces) {
    const nsRows = rows.filter((r) => r.namespace === ns).sort((a, b) => a.label.localeCompare(b.label) || a.kind.localeCompare(b.kind));
    for (const r of nsRows) lines.push(line(r));
    lines.push(line(total(nsRows, ns, "subtotal"), true));
  }
  lines.push(line(total(rows, "all", "total"), true));
  return lines.join("\n") + "\n";
}

/** The grand totals, for the synth summary line. */
export function capacityTotals(objects: readonly KubernetesObject[]): { cpuRequests: string; memoryRequests: string; storage: string } {
  const rows = workloadsOf(objects).map(rowOf);
  const t = total(rows, "", "");
  const claims = objects.filter((o) => o.kind === "PersistentVolumeClaim").reduce((s, c) => s + storageOfClaim(c), 0);
  return { cpuRequests: formatCores(t.cpuRequests), memoryRequests: formatBytes(t.memoryRequests), storage: formatBytes(t.storage + claims) };
}
