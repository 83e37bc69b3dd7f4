/**
 * PostgreSQL for real, from the component's own generators: a primary and a streaming replica
 * started from the generated postgresql.conf / pg_hba.conf, roles from the generated init
 * script, the replica from the generated bootstrap script; then the generated backup script
 * (to a loopback S3), the restore procedure into a fresh server, and WAL shipping.
 */
import * as fs from "fs";
import * as path from "path";
import { backupScript, initRolesScript, pgHbaConf, postgresqlConf, replicaBootstrapScript, restoreScript, walFetchScript, walShipScript } from "../components/postgres-cluster";
import { FakeS3, startFakeS3 } from "./fake-s3";
import { daemon, exec, ownedDir, waitFor, writeFile } from "./processes";

const PG_BIN = fs.existsSync("/usr/lib/postgresql") ? path.join("/usr/lib/postgresql", fs.readdirSync("/usr/lib/postgresql").sort().pop() ?? "", "bin") : "";
const USER = "postgres";
const PATH = `${PG_BIN}:${process.env.PATH}`;
const SUPER = "super-Secret-1";
const roles = { REPLICATION_USER: "replicator", REPLICATION_PASSWORD: "repl-Secret-2", METRICS_USER: "metrics", METRICS_PASSWORD: "metrics-Secret-3", APP_USER: "req1", APP_PASSWORD: "app-Secret-4", APP_DATABASE: "req1" };
const BASE = 15432 + Math.floor(Math.random() * 500) * 4;

type Server = ReturnType<typeof daemon> & { port: number; dir: string };

const work = ownedDir("keel-pg-", USER);
const scripts = ownedDir("keel-pg-scripts-", USER);
const archive = path.join(work, "wal-archive");
const servers: Server[] = [];
let s3: FakeS3;

function conf(archiveDir?: string, tls?: { certFile: string; keyFile: string }): string {
  return postgresqlConf({ memoryBytes: 1024 ** 3, maxConnections: 50, replicas: 1, walKeepSize: "256MB", archiveDir, tls });
}

async function initdb(name: string): Promise<string> {
  const data = path.join(work, name);
  const pw = writeFile(scripts, `${name}.pw`, SUPER, 0o644);
  const r = await exec("initdb", ["-D", data, "-U", "postgres", `--pwfile=${pw}`, "--auth-local=scram-sha-256", "--auth-host=scram-sha-256", "--data-checksums"], { user: USER, env: { PATH } });
  if (r.code !== 0) throw new Error(r.output);
  return data;
}

async function start(dir: string, port: number, archiveDir?: string, extra: string[] = [], env: Record<string, string> = {}, tls?: { certFile: string; keyFile: string }): Promise<Server> {
  const confFile = writeFile(scripts, `postgresql-${port}.conf`, conf(archiveDir, tls));
  const hbaFile = writeFile(scripts, `pg_hba-${port}.conf`, pgHbaConf({ clientCidrs: ["127.0.0.0/8"], replicationUser: "replicator", requireTls: tls !== undefined }));
  // The generated files as they are; the "pod network" here is loopback, and only the port and
  // socket directory differ on a shared host.
  const d = daemon("postgres", ["-D", dir, "-c", `config_file=${confFile}`, "-c", `hba_file=${hbaFile}`, "-c", `port=${port}`, "-c", `unix_socket_directories=${work}`, ...extra], { user: USER, env: { PATH, ...env } });
  const server = Object.assign(d, { port, dir });
  servers.push(server);
  await waitFor(`postgres on ${port}`, async () => (await exec("pg_isready", ["-h", "127.0.0.1", "-p", String(port)], { env: { PATH } })).code === 0).catch((e) => {
    throw new Error(`${e}\n${d.log()}`);
  });
  return server;
}

async function psql(port: number, user: string, password: string, db: string, sql: string, sslmode = "prefer") {
  return exec("psql", ["-h", "127.0.0.1", "-p", String(port), "-U", user, "-d", db, "-v", "ON_ERROR_STOP=1", "-At", "-c", sql], { env: { PATH, PGPASSWORD: password, PGSSLMODE: sslmode } });
}

async function script(name: string, content: string, env: Record<string, string>, args: string[] = []) {
  const file = writeFile(scripts, name, content, 0o755);
  return exec("sh", [file, ...args], { user: USER, env: { PATH, ...env } });
}

beforeAll(async () => {
  s3 = await startFakeS3("backups", "keel-backup");
  await start(await initdb("primary"), BASE, archive);
  const init = await script("10-keel-roles.sh", initRolesScript(), { PGHOST: work, PGPORT: String(BASE), PGPASSWORD: SUPER, POSTGRES_USER: "postgres", ...roles });
  if (init.code !== 0) throw new Error(init.output);
  const boot = await script("replica-bootstrap.sh", replicaBootstrapScript(), { PGDATA: path.join(work, "replica"), PRIMARY_HOST: "127.0.0.1", PRIMARY_PORT: String(BASE), ...roles });
  if (boot.code !== 0) throw new Error(boot.output);
  await start(path.join(work, "replica"), BASE + 1);
}, 120_000);

afterAll(async () => {
  for (const s of servers.reverse()) await s.stop();
  await s3?.close();
  fs.rmSync(work, { recursive: true, force: true });
  fs.rmSync(scripts, { recursive: true, force: true });
});

const s3Env = () => ({ S3_ENDPOINT: s3.url, S3_BUCKET: "backups", S3_REGION: "us-east-1", S3_PREFIX: "req1-db", AWS_ACCESS_KEY_ID: "keel-backup", AWS_SECRET_ACCESS_KEY: "s3-Secret-5", BACKUP_PASSPHRASE: "passphrase-Secret-6" });

describe("PostgreSQL primary and streaming replica from the generated configuration", () => {
  test("the application role owns its database and the replica streams from the primary", async () => {
    const create = await psql(BASE, "req1", roles.APP_PASSWORD, "req1", "CREATE TABLE requirements (id serial PRIMARY KEY, title text NOT NULL); INSERT INTO requirements (title) SELECT 'req ' || g FROM generate_series(1, 250) g;");
    expect(create.output).not.toMatch(/ERROR/);
    expect(create.code).toBe(0);
    await waitFor("the rows on the replica", async () => (await psql(BASE + 1, "req1", roles.APP_PASSWORD, "req1", "SELECT count(*) FROM requirements")).output.trim() === "250");
    const role = await psql(BASE + 1, "req1", roles.APP_PASSWORD, "req1", "SELECT pg_is_in_recovery()");
    expect(role.output.trim()).toBe("t");
    const senders = await psql(BASE, "postgres", SUPER, "postgres", "SELECT usename || ' ' || state FROM pg_stat_replication");
    expect(senders.output.trim()).toBe("replicator streaming");
  });

  test("the replica refuses writes", async () => {
    const write = await psql(BASE + 1, "req1", roles.APP_PASSWORD, "req1", "INSERT INTO requirements (title) VALUES ('nope')");
    expect(write.code).not.toBe(0);
    expect(write.output).toMatch(/cannot execute INSERT in a read-only transaction/);
  });

  test("pg_hba.conf rejects a wrong password and the metrics role can read statistics", async () => {
    const wrong = await psql(BASE, "req1", "wrong", "req1", "SELECT 1");
    expect(wrong.output).toMatch(/password authentication failed/);
    const stats = await psql(BASE, "metrics", roles.METRICS_PASSWORD, "postgres", "SELECT count(*) > 0 FROM pg_stat_activity");
    expect(stats.output.trim()).toBe("t");
  });
});

describe("backup, retention, restore and WAL shipping with the generated scripts", () => {
  test("the backup dumps, encrypts, uploads, expires old dumps and reports its success", async () => {
    s3.objects.set("req1-db/dumps/req1-20200101T030000Z.dump.gz.enc", Buffer.from("old"));
    s3.objects.set("req1-db/base/20200101T030000Z/base.tar.gz.enc", Buffer.from("old"));
    s3.objects.set("req1-db/wal/20200101/000000010000000000000001.gz.enc", Buffer.from("old"));
    const r = await script("backup.sh", backupScript(), {
      ...s3Env(),
      PGHOST: "127.0.0.1",
      PGPORT: String(BASE),
      PGUSER: "postgres",
      PGPASSWORD: SUPER,
      PGDATABASE: "req1",
      REPLICATION_USER: "replicator",
      REPLICATION_PASSWORD: roles.REPLICATION_PASSWORD,
      BASE_BACKUP: "1",
      RETENTION_DAYS: "30",
      BACKUP_WORK_DIR: work,
      PUSHGATEWAY_URL: s3.url,
      BACKUP_NAME: "req1-db-backup",
      BACKUP_NAMESPACE: "data",
    });
    expect(r.output).toMatch(/backup: done/);
    expect(r.code).toBe(0);
    const keys = [...s3.objects.keys()].sort();
    expect(keys.filter((k) => k.startsWith("req1-db/dumps/"))).toEqual([expect.stringMatching(/^req1-db\/dumps\/req1-\d{8}T\d{6}Z\.dump\.gz\.enc$/)]);
    expect(keys.some((k) => /^req1-db\/base\/\d{8}T\d{6}Z\/base\.tar\.gz\.enc$/.test(k))).toBe(true);
    expect(keys.filter((k) => k.includes("2020"))).toEqual([]);
    const dump = s3.objects.get(keys.find((k) => k.includes("/dumps/")) ?? "") as Buffer;
    expect(dump.subarray(0, 8).toString()).toBe("Salted__"); // openssl enc output, not a readable dump
    expect(s3.unauthorized).toEqual([]);
    expect(s3.pushed).toHaveLength(1);
    expect(s3.pushed[0]).toMatch(/^\/metrics\/job\/keel-backup\/backup\/req1-db-backup\n/);
    expect(s3.pushed[0]).toMatch(/keel_backup_last_success_timestamp_seconds\{backup="req1-db-backup",backup_namespace="data"\} \d{10}/);
  });

  test("the restore procedure loads the newest dump into a fresh server with the same row count", async () => {
    const fresh = await start(await initdb("restored"), BASE + 2);
    const init = await script("10-keel-roles.sh", initRolesScript(), { PGHOST: work, PGPORT: String(fresh.port), PGPASSWORD: SUPER, POSTGRES_USER: "postgres", ...roles });
    expect(init.code).toBe(0);
    const r = await script("restore.sh", restoreScript(), { ...s3Env(), PGHOST: "127.0.0.1", PGPORT: String(fresh.port), PGUSER: "postgres", PGPASSWORD: SUPER, PGDATABASE: "req1" });
    expect(r.output).toMatch(/restore: done/);
    expect(r.code).toBe(0);
    const source = await psql(BASE, "req1", roles.APP_PASSWORD, "req1", "SELECT count(*), max(title) FROM requirements");
    const restored = await psql(fresh.port, "req1", roles.APP_PASSWORD, "req1", "SELECT count(*), max(title) FROM requirements");
    expect(restored.output.trim()).toBe(source.output.trim());
    expect(restored.output.trim()).toMatch(/^250\|/);
    // Owners are kept: the application role owns the restored table and can write to it.
    const write = await psql(fresh.port, "req1", roles.APP_PASSWORD, "req1", "INSERT INTO requirements (title) VALUES ('after restore') RETURNING id");
    expect(write.code).toBe(0);
  });

  test("a wrong passphrase cannot decrypt the backup", async () => {
    const r = await script("restore.sh", restoreScript(), { ...s3Env(), BACKUP_PASSPHRASE: "wrong", PGHOST: "127.0.0.1", PGPORT: String(BASE + 2), PGUSER: "req1", PGPASSWORD: roles.APP_PASSWORD, PGDATABASE: "req1" });
    expect(r.code).not.toBe(0);
    expect(r.output).toMatch(/bad decrypt/);
  });

  test("archived WAL segments are shipped encrypted and removed locally", async () => {
    await psql(BASE, "postgres", SUPER, "postgres", "SELECT pg_switch_wal()");
    await waitFor("an archived segment", () => fs.existsSync(archive) && fs.readdirSync(archive).some((f) => /^[0-9A-F]{24}$/.test(f)));
    const r = await script("wal-ship.sh", walShipScript(), { ...s3Env(), ARCHIVE_DIR: archive, WAL_SHIP_ONCE: "1", TMPDIR: work });
    expect(r.code).toBe(0);
    const shipped = [...s3.objects.keys()].filter((k) => /^req1-db\/wal\/\d{8}\/[0-9A-F]{24}\.gz\.enc$/.test(k));
    expect(shipped.length).toBeGreaterThan(0);
    expect(fs.readdirSync(archive).filter((f) => /^[0-9A-F]{24}$/.test(f))).toEqual([]);
  });

  test("point-in-time recovery: the base backup plus the shipped WAL bring back rows written after the backup", async () => {
    // Rows written after the nightly base backup exist only in the archived WAL.
    await psql(BASE, "req1", roles.APP_PASSWORD, "req1", "INSERT INTO requirements (title) SELECT 'late ' || g FROM generate_series(1, 50) g");
    const expected = (await psql(BASE, "req1", roles.APP_PASSWORD, "req1", "SELECT count(*) FROM requirements")).output.trim();
    await psql(BASE, "postgres", SUPER, "postgres", "SELECT pg_switch_wal()");
    await waitFor("the segment with the late rows", () => fs.readdirSync(archive).some((f) => /^[0-9A-F]{24}$/.test(f)));
    expect((await script("wal-ship.sh", walShipScript(), { ...s3Env(), ARCHIVE_DIR: archive, WAL_SHIP_ONCE: "1", TMPDIR: work })).code).toBe(0);

    // docs/postgres.md, "Point-in-time recovery": decrypt and unpack the base backup, fetch WAL with wal-fetch.sh.
    const baseKey = [...s3.objects.keys()].filter((k) => /\/base\/\d{8}T\d{6}Z\/base\.tar\.gz\.enc$/.test(k)).sort().pop() as string;
    const encrypted = writeFile(scripts, "base.tar.gz.enc", "", 0o644);
    fs.writeFileSync(encrypted, s3.objects.get(baseKey) as Buffer);
    const pitr = path.join(work, "pitr");
    const unpack = await exec("sh", ["-c", `mkdir -m 700 ${pitr} && openssl enc -d -aes-256-cbc -pbkdf2 -iter 100000 -pass env:BACKUP_PASSPHRASE -in ${encrypted} | tar -xzf - -C ${pitr} && touch ${pitr}/recovery.signal`], { user: USER, env: { BACKUP_PASSPHRASE: s3Env().BACKUP_PASSPHRASE } });
    expect(unpack.output).toBe("");
    const fetch = writeFile(scripts, "wal-fetch.sh", walFetchScript(), 0o755);
    const recovered = await start(pitr, BASE + 3, undefined, ["-c", `restore_command=sh ${fetch} %f %p`], s3Env());
    await waitFor("recovery to finish", async () => (await psql(recovered.port, "postgres", SUPER, "postgres", "SELECT pg_is_in_recovery()")).output.trim() === "f");
    expect((await psql(recovered.port, "req1", roles.APP_PASSWORD, "req1", "SELECT count(*) FROM requirements")).output.trim()).toBe(expected);
    expect(recovered.log()).toMatch(/restored log file "[0-9A-F]{24}" from archive/);
  });
});

describe("TLS from the generated configuration", () => {
  test("TCP clients must use TLS (1.2+); plaintext is refused by pg_hba.conf", async () => {
    const dir = ownedDir("keel-pg-tls-", USER);
    const key = path.join(dir, "tls.key");
    const crt = path.join(dir, "tls.crt");
    const cert = await exec("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=db-rw.data.svc.cluster.local", "-days", "1", "-keyout", key, "-out", crt], { user: USER });
    expect(cert.code).toBe(0);
    fs.chmodSync(key, 0o600);
    const server = await start(await initdb("tls"), BASE + 4, undefined, [], {}, { certFile: crt, keyFile: key });
    const refused = await psql(server.port, "postgres", SUPER, "postgres", "SELECT 1", "disable");
    expect(refused.output).toMatch(/no pg_hba\.conf entry for host "127\.0\.0\.1", user "postgres", database "postgres", no encryption/);
    const over = await psql(server.port, "postgres", SUPER, "postgres", "SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()", "require");
    expect(over.output.trim()).toMatch(/^t\|TLSv1\.[23]$/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
