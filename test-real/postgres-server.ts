/**
 * Debian's PostgreSQL on loopback, started from PostgresCluster's generated postgresql.conf and
 * pg_hba.conf, and the generated scripts run as the `postgres` user: the harness of the real tests.
 */
import * as fs from "fs";
import * as path from "path";
import { pgHbaConf, postgresqlConf, walArchiveScript } from "../components/postgres-cluster";
import type { PostgresSettings } from "../components/postgres-cluster";
import { Result, daemon, exec, ownedDir, waitFor, writeFile } from "./processes";

const PG_BIN = fs.existsSync("/usr/lib/postgresql") ? path.join("/usr/lib/postgresql", fs.readdirSync("/usr/lib/postgresql").sort().pop() ?? "", "bin") : "";
export const USER = "postgres";
export const PATH = `${PG_BIN}:${process.env.PATH}`;
export const SUPER = "super-Secret-1";

export type Server = ReturnType<typeof daemon> & { port: number; dir: string };
export type Daemon = ReturnType<typeof daemon>;

export interface Harness {
  /** Data directories, spools, scratch (owned by postgres). */
  readonly work: string;
  /** Generated files (configuration, scripts). */
  readonly scripts: string;
  initdb(name: string): Promise<string>;
  /** Starts a server on `port`; with `spool`, WAL archiving through the generated wal-archive.sh. */
  start(dir: string, port: number, o?: { spool?: { dir: string; limitBytes: number }; extra?: string[]; env?: Record<string, string>; tls?: PostgresSettings["tls"] }): Promise<Server>;
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
      const conf = postgresqlConf({ memoryBytes: 1024 ** 3, maxConnections: 50, replicas: 1, walKeepSize: "256MB", archive, tls: o.tls });
      const confFile = writeFile(scripts, `postgresql-${port}.conf`, conf);
      const hbaFile = writeFile(scripts, `pg_hba-${port}.conf`, pgHbaConf({ clientCidrs: ["127.0.0.0/8"], replicationUser: "replicator", requireTls: o.tls !== undefined }));
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
