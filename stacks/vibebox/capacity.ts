/**
 * The seed's "Resource Requirements Summary", computed from the declared figures
 * (SEED_RESOURCES, SEED_STORAGE) instead of copied.
 *
 * The seed's own totals row ("Total (3 replicas)": 6.8 CPU, 27.5 CPU, 13.4Gi, 53.5Gi, 610Gi) does
 * not add up from its rows under any one reading: 3 frontend and 3 backend pods (the replicas it
 * names), one PostgreSQL, one Redis and one Docker daemon per node on the two nodes it draws give
 * 6.9 CPU / 28 CPU requested/limited and 12.125Gi / 48.5Gi of memory; one daemon gives 4.9 / 20 CPU
 * and 8.125Gi / 32.5Gi; three of every row 11.1 / 45 CPU and 20.625Gi / 82.5Gi. Only its storage
 * (100 + 10 + 500 = 610Gi) adds up. The figures below are the computed ones (docs/vibebox.md has
 * the table); `keel synth` adds what keel runs beside them (exporters, backups, observability)
 * in capacity.md.
 */
import { parseCpu, parseMemory } from "../../components/core/quantities";
import { SEED_RESOURCES, SEED_STORAGE } from "./profiles";

type Row = keyof typeof SEED_RESOURCES;

/** Pods per row in the seed's production layout; `nodes`: the Docker daemons (one per node; the seed draws two). */
export function seedPods(nodes: number): Readonly<Record<Row, number>> {
  return { frontend: 3, backend: 3, postgres: 1, redis: 1, docker: nodes };
}

export interface CapacityTotals {
  /** Millicores. */
  readonly cpuRequests: number;
  readonly cpuLimits: number;
  /** Bytes. */
  readonly memoryRequests: number;
  readonly memoryLimits: number;
  /** Bytes of the seed's volumes (PostgreSQL, Redis, the Docker volumes). */
  readonly storage: number;
}

const value = (p: ReturnType<typeof parseCpu>): number => {
  if (!p.ok) throw new Error(`vibebox: a seed figure is not a quantity: ${p.reason}`);
  return p.value;
};

/** The totals of the seed's rows, each times its pod count. */
export function seedTotals(nodes = 2): CapacityTotals {
  const pods = seedPods(nodes);
  let cpuRequests = 0;
  let cpuLimits = 0;
  let memoryRequests = 0;
  let memoryLimits = 0;
  for (const [row, r] of Object.entries(SEED_RESOURCES) as [Row, (typeof SEED_RESOURCES)[Row]][]) {
    cpuRequests += pods[row] * value(parseCpu(r.requests.cpu));
    cpuLimits += pods[row] * value(parseCpu(r.limits.cpu));
    memoryRequests += pods[row] * value(parseMemory(r.requests.memory));
    memoryLimits += pods[row] * value(parseMemory(r.limits.memory));
  }
  const storage = Object.values(SEED_STORAGE).reduce((sum, s) => sum + value(parseMemory(s)), 0);
  return { cpuRequests, cpuLimits, memoryRequests, memoryLimits, storage };
}
