/**
 * What a PostgresCluster must hold, checked before any resource exists: connections (clients'
 * pools against max_connections), the networks pg_hba.conf admits, the WAL a replica's slot may
 * keep, and /dev/shm. Pure functions of the args; resolve.ts reports through its Validator.
 */
import { parseCidr } from "../core/network";
import type { Validator } from "../core/errors";
import { parseMemory } from "../core/quantities";
import { sharedMemorySize } from "./config";

/** A workload that connects with a pool of its own per pod (e.g. an ApiService with sqlx). */
export interface PostgresClient {
  /** Who connects (for the error message), e.g. "req1-api". */
  readonly name: string;
  /** Most pods that run at once: the HPA's maxReplicas plus the rollout's surge. */
  readonly maxPods: number;
  /** Connections each pod's pool may open to one server (sqlx's default is 10). */
  readonly poolSize: number;
}

/** Connections keel's own parts take from max_connections on one server. */
export interface ReservedConnections {
  /** superuser_reserved_connections (+ reserved_connections): only superusers may use them. */
  readonly superuser: number;
  /** postgres_exporter v0.15 holds two (its collectors, its settings and custom queries). */
  readonly exporter: number;
  /** The nightly pg_dump (pg_basebackup streams over a WAL sender, which max_connections does not count). */
  readonly backup: number;
  /** Each replica's bootstrap checks its slot on the primary when the replica starts. */
  readonly replicaBootstrap: number;
}

export interface ConnectionBudget {
  readonly maxConnections: number;
  readonly reserved: ReservedConnections;
  readonly reservedTotal: number;
  /** What the clients may open at most (sum of maxPods x poolSize). */
  readonly clients: number;
}

const MI = 1024 * 1024;

function settingNumber(parameters: Readonly<Record<string, string | number | boolean>>, key: string, fallback: number): number {
  const value = parameters[key];
  return typeof value === "number" ? value : typeof value === "string" && /^\d+$/.test(value) ? Number(value) : fallback;
}

export function reservedConnections(o: { parameters: Readonly<Record<string, string | number | boolean>>; metrics: boolean; backup: boolean; replicas: number }): ReservedConnections {
  return {
    superuser: settingNumber(o.parameters, "superuser_reserved_connections", 3) + settingNumber(o.parameters, "reserved_connections", 0),
    exporter: o.metrics ? 2 : 0,
    backup: o.backup ? 1 : 0,
    replicaBootstrap: o.replicas,
  };
}

/**
 * max_connections must hold every client's pool at its largest plus what keel reserves:
 * `maxConnections >= sum(maxPods x poolSize) + superuser_reserved_connections + exporter + backup + replicas`.
 * Each server (the primary, and each replica for the read pools) is held to the same bound.
 * Without `maxConnections` it is that sum, at least `fallback`.
 */
export function connectionBudget(v: Validator, given: number | undefined, fallback: number, clients: readonly PostgresClient[] | undefined, reserved: ReservedConnections): ConnectionBudget {
  const reservedTotal = reserved.superuser + reserved.exporter + reserved.backup + reserved.replicaBootstrap;
  let total = 0;
  for (const [i, c] of (clients ?? []).entries()) {
    const field = `expectedClients[${i}]`;
    v.require(typeof c?.name === "string" && c.name.length > 0, `${field}.name`, c?.name, "expected the name of the workload that connects, e.g. \"req1-api\"");
    const podsOk = v.require(Number.isInteger(c?.maxPods) && c.maxPods >= 1 && c.maxPods <= 10000, `${field}.maxPods`, c?.maxPods, "expected an integer from 1 to 10000 (the HPA's maxReplicas plus the rollout's surge)");
    const poolOk = v.require(Number.isInteger(c?.poolSize) && c.poolSize >= 1 && c.poolSize <= 1000, `${field}.poolSize`, c?.poolSize, "expected an integer from 1 to 1000 (the connections one pod's pool may open)");
    if (podsOk && poolOk) total += c.maxPods * c.poolSize;
  }
  const needed = total + reservedTotal;
  const maxConnections = given ?? (clients && clients.length > 0 ? Math.max(fallback, needed) : fallback);
  if (Number.isInteger(maxConnections) && maxConnections >= 10 && maxConnections <= 5000 && maxConnections < needed + (total === 0 ? 1 : 0)) {
    const parts = (clients ?? []).map((c) => `${c.name} ${c.maxPods} pods x ${c.poolSize}`).join(", ");
    const keel = `${reservedTotal} reserved (${reserved.superuser} superuser_reserved_connections, ${reserved.exporter} postgres_exporter, ${reserved.backup} backup, ${reserved.replicaBootstrap} replica bootstrap)`;
    v.require(
      false,
      "maxConnections",
      maxConnections,
      total === 0
        ? `expected more than the ${keel}`
        : `expected at least ${needed}: ${total} for expectedClients (${parts}) + ${keel}; raise it (memory allowing), lower the pools, or put a pooler such as PgBouncer in front (docs/postgres.md, "Connections")`,
    );
  }
  return { maxConnections, reserved, reservedTotal, clients: total };
}

/** An IPv4 or IPv6 CIDR narrower than everything (pg_hba.conf takes both). */
export function isClientCidr(value: unknown): boolean {
  const cidr = parseCidr(value);
  return cidr !== undefined && cidr.prefix >= 1;
}

/** "1GB" / "512MB" (PostgreSQL units: 1GB = 1024MB) in MB; NaN otherwise. */
export function walSizeMb(value: string): number {
  const m = /^(\d+)(MB|GB)$/.exec(value);
  return m ? Number(m[1]) * (m[2] === "GB" ? 1024 : 1) : NaN;
}

/**
 * max_slot_wal_keep_size: a quarter of the data volume by default (the WAL spool has at most
 * another quarter), never less than wal_keep_size, at most half the volume.
 */
export function resolveSlotWalLimit(v: Validator, given: string | undefined, walKeepSize: string, volumeBytes: number | undefined): string {
  const keepMb = walSizeMb(walKeepSize);
  const quarterMb = volumeBytes ? Math.floor(volumeBytes / 4 / MI) : keepMb;
  const size = given ?? `${Math.max(quarterMb, Number.isNaN(keepMb) ? 0 : keepMb)}MB`;
  const sizeMb = walSizeMb(size);
  if (!v.require(!Number.isNaN(sizeMb), "maxSlotWalKeepSize", size, "expected a size in MB or GB such as \"2GB\"")) return size;
  if (!Number.isNaN(keepMb)) v.require(sizeMb >= keepMb, "maxSlotWalKeepSize", size, `expected at least walKeepSize (${walKeepSize}): a replica's slot keeps WAL beyond what every replica gets anyway`);
  if (volumeBytes) v.require(sizeMb * MI <= volumeBytes / 2, "maxSlotWalKeepSize", size, "expected at most half of storage.size (the WAL a dead replica holds shares the data volume with the database)");
  return size;
}

/** /dev/shm: the given size, else sharedMemorySize() of the memory limit; at least 64Mi, at most half the limit. */
export function resolveSharedMemory(v: Validator, given: string | undefined, memoryLimitBytes: number): { size: string; bytes: number } {
  if (given === undefined) {
    const bytes = sharedMemorySize(memoryLimitBytes);
    return { size: `${bytes / MI}Mi`, bytes };
  }
  const parsed = parseMemory(given);
  if (!parsed.ok) {
    v.require(false, "sharedMemory", given, parsed.reason);
    return { size: given, bytes: 0 };
  }
  v.require(parsed.value >= 64 * MI, "sharedMemory", given, "expected at least \"64Mi\"");
  if (memoryLimitBytes > 0) v.require(parsed.value <= memoryLimitBytes / 2, "sharedMemory", given, "expected at most half of resources.limits.memory (/dev/shm is memory: what PostgreSQL writes there counts against the limit)");
  return { size: given, bytes: parsed.value };
}
