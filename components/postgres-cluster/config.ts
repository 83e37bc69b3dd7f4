/**
 * postgresql.conf and pg_hba.conf, generated from typed settings. Pure functions: the
 * component mounts their output, and `npm run test:real` starts real servers from it.
 */

export interface PostgresSettings {
  /** Memory limit of the server container in bytes: shared_buffers, caches and work_mem follow from it. */
  readonly memoryBytes: number;
  /** @default 100 */
  readonly maxConnections: number;
  /** Read replicas that stream from the primary (sizes max_wal_senders). */
  readonly replicas: number;
  /** WAL kept for replicas that fall behind, e.g. "1GB". */
  readonly walKeepSize: string;
  /**
   * Most WAL the primary keeps for a replica's replication slot (`max_slot_wal_keep_size`, e.g.
   * "2560MB"): past it the slot is invalidated (the replica is copied again on its next start), so
   * a dead replica cannot fill the primary's volume.
   */
  readonly maxSlotWalKeepSize: string;
  /** Size of /dev/shm in bytes (sharedMemorySize()): counted against the memory limit when work_mem is derived. @default sharedMemorySize(memoryBytes) */
  readonly sharedMemoryBytes?: number;
  /**
   * WAL archiving: archive_command runs `script` (walArchiveScript()), which copies each finished
   * segment into `spoolDir` (shipped to object storage by the helpers) and refuses while the spool
   * holds more than `limitBytes`. Undefined: no archiving.
   */
  readonly archive?: { readonly script: string; readonly spoolDir: string; readonly limitBytes: number };
  /** Serve TLS with this certificate and key (PEM files). */
  readonly tls?: { readonly certFile: string; readonly keyFile: string };
  /** Extra settings, written last (they win). */
  readonly extra?: Readonly<Record<string, string | number | boolean>>;
}

const MB = 1024 * 1024;

function mb(bytes: number): string {
  return `${Math.max(1, Math.floor(bytes / MB))}MB`;
}

function quote(value: string | number | boolean): string {
  if (typeof value === "number") return String(value);
  if (typeof value === "boolean") return value ? "on" : "off";
  return `'${value.replace(/'/g, "''")}'`;
}

/**
 * The size of the memory-backed /dev/shm: PostgreSQL's dynamic shared memory
 * (`dynamic_shared_memory_type = posix`: parallel hash joins, parallel sorts and bitmap scans share
 * their state there; shared_buffers itself is anonymous mmap). Half of shared_buffers (an eighth of
 * the memory limit), at least 128 MiB (twice the container runtime's 64 MiB default), at most a
 * quarter of the limit; whole MiB. Pages written there count against the container's memory limit.
 */
export function sharedMemorySize(memoryBytes: number): number {
  if (memoryBytes <= 0) return 128 * MB;
  return Math.floor(Math.min(memoryBytes / 4, Math.max(memoryBytes / 8, 128 * MB)) / MB) * MB;
}

/**
 * Memory-derived sizing (the usual pgtune rules for a dedicated server): shared_buffers 25 %,
 * effective_cache_size 75 %; work_mem shares what shared_buffers and /dev/shm leave over
 * 4 x maxConnections (at least 4MB).
 */
export function memorySizing(memoryBytes: number, maxConnections: number, sharedMemoryBytes = sharedMemorySize(memoryBytes)): Record<string, string> {
  const sharedBuffers = memoryBytes / 4;
  return {
    shared_buffers: mb(sharedBuffers),
    effective_cache_size: mb((memoryBytes * 3) / 4),
    maintenance_work_mem: mb(Math.min(memoryBytes / 16, 2048 * MB)),
    work_mem: mb(Math.max(4 * MB, (memoryBytes - sharedBuffers - sharedMemoryBytes) / (maxConnections * 4))),
  };
}

/** The settings of a primary or a hot-standby replica (the same file serves both). */
export function postgresqlSettings(s: PostgresSettings): Record<string, string | number | boolean> {
  const settings: Record<string, string | number | boolean> = {
    listen_addresses: "*",
    port: 5432,
    max_connections: s.maxConnections,
    password_encryption: "scram-sha-256",
    ...memorySizing(s.memoryBytes, s.maxConnections, s.sharedMemoryBytes),
    // WAL and replication
    wal_level: "replica",
    max_wal_senders: s.replicas + 5,
    max_replication_slots: s.replicas + 5,
    wal_keep_size: s.walKeepSize,
    // Each replica streams on its own physical slot (replica-bootstrap.sh); a dead one holds at most this much WAL.
    max_slot_wal_keep_size: s.maxSlotWalKeepSize,
    hot_standby: true,
    hot_standby_feedback: true,
    wal_log_hints: true,
    checkpoint_completion_target: 0.9,
    min_wal_size: "80MB",
    max_wal_size: "1GB",
    archive_mode: s.archive !== undefined,
    // Logs go to stderr (the container log), with enough context to be useful.
    logging_collector: false,
    log_destination: "stderr",
    log_line_prefix: "%m [%p] %q%u@%d ",
    log_min_duration_statement: 1000,
    log_checkpoints: true,
    log_lock_waits: true,
    log_temp_files: 0,
    timezone: "UTC",
    log_timezone: "UTC",
    shared_preload_libraries: "pg_stat_statements",
  };
  if (s.tls) {
    Object.assign(settings, { ssl: true, ssl_cert_file: s.tls.certFile, ssl_key_file: s.tls.keyFile, ssl_min_protocol_version: "TLSv1.2" });
  }
  if (s.archive !== undefined) {
    const a = s.archive;
    // Bounded: the script fails (PostgreSQL keeps the segment in pg_wal and retries) while the spool is full.
    settings.archive_command = `/bin/sh ${a.script} %p %f ${a.spoolDir} ${Math.floor(a.limitBytes)}`;
    settings.archive_timeout = 300;
  }
  return { ...settings, ...(s.extra ?? {}) };
}

export function postgresqlConf(s: PostgresSettings): string {
  const lines = ["# Generated by keel (PostgresCluster). Edit the component's args, not this file."];
  for (const [key, value] of Object.entries(postgresqlSettings(s))) lines.push(`${key} = ${quote(value)}`);
  return `${lines.join("\n")}\n`;
}

export interface HbaSettings {
  /** Networks clients and replicas connect from (the platform's pod CIDRs, IPv4 or IPv6); NetworkPolicies narrow it further. */
  readonly clientCidrs: readonly string[];
  /** The role replicas stream as. */
  readonly replicationUser: string;
  /** Accept TCP connections only over TLS (`hostssl`); the Unix socket stays for local tools. */
  readonly requireTls?: boolean;
}

/** Password (SCRAM) authentication everywhere; never `trust`. */
export function pgHbaConf(h: HbaSettings): string {
  const host = h.requireTls ? "hostssl" : "host   ";
  const lines = [
    `# Generated by keel (PostgresCluster): SCRAM passwords for every connection, never trust${h.requireTls ? "; TCP only over TLS" : ""}.`,
    "# TYPE  DATABASE     USER                ADDRESS          METHOD",
    "local   all          all                                  scram-sha-256",
    `${host} all          all                 127.0.0.1/32     scram-sha-256`,
    `${host} all          all                 ::1/128          scram-sha-256`,
  ];
  for (const cidr of h.clientCidrs) lines.push(`${host} replication  ${h.replicationUser.padEnd(18)}  ${cidr.padEnd(15)}  scram-sha-256`);
  // The replication role also connects to "postgres" (replica-bootstrap.sh manages its slot): the "all" lines admit it.
  for (const cidr of h.clientCidrs) lines.push(`${host} all          all                 ${cidr.padEnd(15)}  scram-sha-256`);
  return `${lines.join("\n")}\n`;
}
