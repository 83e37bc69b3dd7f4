/**
 * Debian's PostgreSQL on loopback, started from PostgresCluster's generated postgresql.conf and
 * pg_hba.conf, and the generated scripts run as the `postgres` user: the harness of the real tests.
 */
import * as fs from "fs";
import * as path from "path";
import { pgHbaConf, postgresqlConf, walArchiveScript } from "../components/postgres-cluster";
import type { PostgresAlertRule, PostgresSettings } from "../components/postgres-cluster";
import { Result, daemon, exec, ownedDir, waitFor, writeFile } from "./processes";

const PG_BIN = fs.existsSync("/usr/lib/postgresql") ? path.join("/usr/lib/postgresql", fs.readdirSync("/usr/lib/postgresql").sort().pop() ?? "", "bin") : "";
export const USER = "postgres";
export const PATH = `${PG_BIN}:${process.env.PATH}`;
export const SUPER = "super-Secret-1";

export type Server = ReturnType<typeof daemon> & { port: number; dir: string };
export type Daemon = ReturnType<typeof daemon>;

export interface StartOptions {
  readonly spool?: { dir: string; limitBytes: number };
  readonly extra?: string[];
  readonly env?: Record<string, string>;
  readonly tls?: PostgresSettings["tls"];
  readonly settings?: Partial<PostgresSettings>;
  readonly hba?: string;
}

export interface Harness {
  /** Data directories, spools, scratch (owned by postgres). */
  readonly work: string;
  /** Generated files (configuration, scripts). */
  readonly scripts: string;
  initdb(name: string): Promise<string>;
  /**
   * Starts a server on `port`; with `spool`, WAL archiving through the generated wal-archive.sh;
   * `settings` replace the harness' PostgresSettings, `hba` the generated pg_hba.conf for loopback.
   */
  start(dir: string, port: number, o?: StartOptions): Promise<Server>;
  psql(port: number, user: string, password: string, db: string, sql: string, sslmode?: string): Promise<Result>;
  /** Runs a generated script once, as postgres. */
  script(name: string, content: string, env: Record<string, string>, args?: string[]): Promise<Result>;
  /** Starts a generated script that loops (a helper container), as postgres. */
  helper(name: string, content: string, env: Record<string, string>): Daemon;
  cleanup(): Promise<void>;
}

export function postgresHarness(): Harness {
  const work = ownedDir("keel-pg-", USER);
  const scripts = ownedDir("keel-pg-scripts-", USER);
  const running: Daemon[] = [];
  const archiveScript = writeFile(scripts, "wal-archive.sh", walArchiveScript(), 0o755);

  const psql: Harness["psql"] = (port, user, password, db, sql, sslmode = "prefer") =>
    exec("psql", ["-h", "127.0.0.1", "-p", String(port), "-U", user, "-d", db, "-v", "ON_ERROR_STOP=1", "-At", "-c", sql], { env: { PATH, PGPASSWORD: password, PGSSLMODE: sslmode } });

  return {
    work,
    scripts,
    psql,
    async initdb(name) {
      const data = path.join(work, name);
      const pw = writeFile(scripts, `${name}.pw`, SUPER, 0o644);
      const r = await exec("initdb", ["-D", data, "-U", "postgres", `--pwfile=${pw}`, "--auth-local=scram-sha-256", "--auth-host=scram-sha-256", "--data-checksums"], { user: USER, env: { PATH } });
      if (r.code !== 0) throw new Error(r.output);
      return data;
    },
    async start(dir, port, o = {}) {
      const archive = o.spool ? { script: archiveScript, spoolDir: o.spool.dir, limitBytes: o.spool.limitBytes } : undefined;
      const conf = postgresqlConf({ memoryBytes: 1024 ** 3, maxConnections: 50, replicas: 1, walKeepSize: "256MB", maxSlotWalKeepSize: "1GB", archive, tls: o.tls, ...o.settings });
      const confFile = writeFile(scripts, `postgresql-${port}.conf`, conf);
      const hbaFile = writeFile(scripts, `pg_hba-${port}.conf`, o.hba ?? pgHbaConf({ clientCidrs: ["127.0.0.0/8"], replicationUser: "replicator", requireTls: o.tls !== undefined }));
      // The generated files as they are; the "pod network" here is loopback, and only the port and
      // socket directory differ on a shared host.
      const args = ["-D", dir, "-c", `config_file=${confFile}`, "-c", `hba_file=${hbaFile}`, "-c", `port=${port}`, "-c", `unix_socket_directories=${work}`, ...(o.extra ?? [])];
      const d = daemon("postgres", args, { user: USER, env: { PATH, ...(o.env ?? {}) } });
      running.push(d);
      const server = Object.assign(d, { port, dir });
      await waitFor(`postgres on ${port}`, async () => (await exec("pg_isready", ["-h", "127.0.0.1", "-p", String(port)], { env: { PATH } })).code === 0).catch((e) => {
        throw new Error(`${e}\n${d.log()}`);
      });
      return server;
    },
    script(name, content, env, args = []) {
      const file = writeFile(scripts, name, content, 0o755);
      return exec("sh", [file, ...args], { user: USER, env: { PATH, ...env } });
    },
    helper(name, content, env) {
      const file = writeFile(scripts, name, content, 0o755);
      const d = daemon("sh", [file], { user: USER, env: { PATH, ...env } });
      running.push(d);
      return d;
    },
    async cleanup() {
      for (const d of running.reverse()) await d.stop();
      fs.rmSync(work, { recursive: true, force: true });
      fs.rmSync(scripts, { recursive: true, force: true });
    },
  };
}

/** Bytes of the regular files in `dir`, as wal-archive.sh counts them. */
export function dirBytes(dir: string): number {
  return fs.readdirSync(dir).reduce((sum, f) => {
    const st = fs.statSync(path.join(dir, f));
    return st.isFile() ? sum + st.size : sum;
  }, 0);
}

/**
 * `promtool test rules` scenarios for PostgresCluster.alertRules(): each rule fires on its failure,
 * with its summary and runbook rendered, and stays quiet before.
 */
export function alertRuleScenarios(rules: readonly PostgresAlertRule[]): unknown[] {
  const byName = Object.fromEntries(rules.map((r) => [r.alert, r]));
  const render = (t: string, labels: Record<string, string>) => t.replace(/\{\{ \$labels\.(\w+) \}\}/g, (_m, k: string) => labels[k]);
  const alert = (name: string, labels: Record<string, string>) => ({
    exp_labels: { ...labels, severity: byName[name].labels.severity },
    exp_annotations: { summary: render(byName[name].annotations.summary, labels), runbook: render(byName[name].annotations.runbook, labels) },
  });
  const series = (metric: string, labels: Record<string, string>, values: string) => ({ series: `${metric}{${Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(",")}}`, values });
  const at = (time: string, names: string[], fired: (n: string) => boolean, labels: (n: string) => Record<string, string>) =>
    names.map((n) => ({ eval_time: time, alertname: n, exp_alerts: fired(n) ? [alert(n, labels(n))] : [] }));
  const spool = { backup: "req1-db-backup", backup_namespace: "data", cluster: "req1-db" };
  const pushed = { job: "keel-wal-spool", ...spool };
  const slot = { instance: "10.0.0.7:9187", job: "postgres", slot_name: "req1_db_replica_0" };
  const spoolNames = ["WalShippingBehind", "WalSpoolAlmostFull", "WalShipperSilent"];
  const slotNames = ["PostgresReplicaSlotInactive", "PostgresReplicaSlotRetainingWal", "PostgresReplicaSlotLost"];
  return [
    {
      // Nothing ships after t=0: the oldest segment ages a minute a minute, 40 MB more waits each minute, no push after t=0.
      interval: "1m",
      input_series: [
        series("keel_wal_spool_oldest_age_seconds", pushed, "0+60x40"),
        series("keel_wal_spool_bytes", pushed, "0+40000000x40"),
        series("keel_wal_spool_limit_bytes", pushed, "1073741824x40"),
        series("push_time_seconds", pushed, "0x40"),
      ],
      alert_rule_test: [...at("30m", spoolNames, () => true, (n) => (n === "WalShipperSilent" ? spool : pushed)), ...at("12m", spoolNames, () => false, () => spool)],
    },
    {
      // The replica stops at t=5m: its slot goes inactive and keeps 8 MiB more each minute up to 112 of its
      // 128 MiB (past 80 % at t=18m); the checkpoint at t=31m invalidates it.
      interval: "1m",
      input_series: [
        series("keel_pg_replication_slot_active", slot, "1x4 0x36"),
        series("keel_pg_replication_slot_retained_bytes", slot, "0x4 0+8388608x14 117440512x10 0x9"),
        series("keel_pg_replication_slot_limit_bytes", slot, "134217728x40"),
        series("keel_pg_replication_slot_lost", slot, "0x30 1x9"),
      ],
      alert_rule_test: [
        ...at("8m", slotNames, () => false, () => slot),
        ...at("24m", slotNames, (n) => n !== "PostgresReplicaSlotLost", () => slot),
        ...at("35m", slotNames, (n) => n !== "PostgresReplicaSlotRetainingWal", () => slot),
      ],
    },
  ];
}
