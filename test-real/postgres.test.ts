/**
 * PostgreSQL for real, from the component's own generators: a primary and a streaming replica
 * started from the generated postgresql.conf / pg_hba.conf, roles from the generated init
 * script, the replica from the generated bootstrap script; then the generated backup steps
 * (dump+encrypt, then upload, to a loopback S3), the restore steps into a fresh server, WAL
 * shipping through the bounded spool, point-in-time recovery, and a shipper facing a dead store;
 * replicas that fall behind on their replication slots, pg_hba.conf from a platform's pod network.
 */
import * as fs from "fs";
import * as path from "path";
import {
  PostgresCluster,
  SLOT_QUERY,
  backupDumpScript,
  backupUploadScript,
  initRolesScript,
  pitrPrepareScript,
  replicaBootstrapScript,
  restoreFetchScript,
  restoreScript,
  walEncryptScript,
  walRestoreCommand,
  walUploadScript,
} from "../components/postgres-cluster";
import { synthesize } from "../test/helpers/synth";
import { testPlatform } from "../test/helpers/platform";
import { FakeS3, startFakeS3 } from "./fake-s3";
import { exec, ownedDir, waitFor } from "./processes";
import { Harness, PATH, SUPER, Server, USER, alertRuleScenarios, dirBytes, postgresHarness } from "./postgres-server";
import { run, workdir } from "./tools";

const roles = { REPLICATION_USER: "replicator", REPLICATION_PASSWORD: "repl-Secret-2", METRICS_USER: "metrics", METRICS_PASSWORD: "metrics-Secret-3", APP_USER: "req1", APP_PASSWORD: "app-Secret-4", APP_DATABASE: "req1" };
const BASE = 15432 + Math.floor(Math.random() * 500) * 12;
const SEGMENT = /^[0-9A-F]{24}$/;

let pg: Harness;
let s3: FakeS3;
let spool: string;

beforeAll(async () => {
  pg = postgresHarness();
  spool = path.join(pg.work, "wal-spool");
  s3 = await startFakeS3("backups", "keel-backup");
  await pg.start(await pg.initdb("primary"), BASE, { spool: { dir: spool, limitBytes: 1024 ** 3 } });
  const init = await pg.script("10-keel-roles.sh", initRolesScript(), { PGHOST: pg.work, PGPORT: String(BASE), PGPASSWORD: SUPER, POSTGRES_USER: "postgres", ...roles });
  if (init.code !== 0) throw new Error(init.output);
  const boot = await pg.script("replica-bootstrap.sh", replicaBootstrapScript(), { PGDATA: path.join(pg.work, "replica"), PRIMARY_HOST: "127.0.0.1", PRIMARY_PORT: String(BASE), POD_NAME: "req1-db-replica-0", ...roles });
  if (boot.code !== 0) throw new Error(boot.output);
  await pg.start(path.join(pg.work, "replica"), BASE + 1);
}, 120_000);

afterAll(async () => {
  await pg?.cleanup();
  await s3?.close();
});

const s3Env = (store = s3) => ({ S3_ENDPOINT: store.url, S3_BUCKET: "backups", S3_REGION: "us-east-1", S3_PREFIX: "req1-db", AWS_ACCESS_KEY_ID: "keel-backup", AWS_SECRET_ACCESS_KEY: "s3-Secret-5" });
const PASSPHRASE = { BACKUP_PASSPHRASE: "passphrase-Secret-6" };
const app = (port: number, sql: string) => pg.psql(port, "req1", roles.APP_PASSWORD, "req1", sql);
const superuser = (port: number, sql: string) => pg.psql(port, "postgres", SUPER, "postgres", sql);
const segments = (dir: string) => (fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => SEGMENT.test(f)) : []);

/** One pass of the primary's two WAL helpers: encrypt (tools image), then upload (upload image). */
async function shipOnce(): Promise<void> {
  const encrypt = await pg.script("wal-encrypt.sh", walEncryptScript(), { ...PASSPHRASE, WAL_SPOOL_DIR: spool, WAL_SHIP_ONCE: "1" });
  expect(encrypt).toEqual({ code: 0, output: "" });
  const upload = await pg.script("wal-upload.sh", walUploadScript(), { ...s3Env(), WAL_SPOOL_DIR: spool, WAL_SPOOL_LIMIT_BYTES: String(1024 ** 3), WAL_SHIP_ONCE: "1" });
  expect(upload.output).toMatch(/^wal-upload: [0-9A-F]{24} uploaded$/m);
  expect(upload.code).toBe(0);
}

describe("PostgreSQL primary and streaming replica from the generated configuration", () => {
  test("the application role owns its database and the replica streams from the primary", async () => {
    const create = await app(BASE, "CREATE TABLE requirements (id serial PRIMARY KEY, title text NOT NULL); INSERT INTO requirements (title) SELECT 'req ' || g FROM generate_series(1, 250) g;");
    expect(create.output).not.toMatch(/ERROR/);
    expect(create.code).toBe(0);
    await waitFor("the rows on the replica", async () => (await app(BASE + 1, "SELECT count(*) FROM requirements")).output.trim() === "250");
    expect((await app(BASE + 1, "SELECT pg_is_in_recovery()")).output.trim()).toBe("t");
    expect((await superuser(BASE, "SELECT usename || ' ' || state FROM pg_stat_replication")).output.trim()).toBe("replicator streaming");
  });

  test("the replica refuses writes", async () => {
    const write = await app(BASE + 1, "INSERT INTO requirements (title) VALUES ('nope')");
    expect(write.code).not.toBe(0);
    expect(write.output).toMatch(/cannot execute INSERT in a read-only transaction/);
  });

  test("pg_hba.conf rejects a wrong password and the metrics role can read statistics", async () => {
    expect((await pg.psql(BASE, "req1", "wrong", "req1", "SELECT 1")).output).toMatch(/password authentication failed/);
    expect((await pg.psql(BASE, "metrics", roles.METRICS_PASSWORD, "postgres", "SELECT count(*) > 0 FROM pg_stat_activity")).output.trim()).toBe("t");
  });
});

describe("backup, retention, restore and WAL shipping with the generated scripts", () => {
  test("backup-dump encrypts the dump and base backup to scratch; backup-upload uploads, expires and reports", async () => {
    s3.objects.set("req1-db/dumps/req1-20200101T030000Z.dump.gz.enc", Buffer.from("old"));
    s3.objects.set("req1-db/base/20200101T030000Z/base.tar.gz.enc", Buffer.from("old"));
    s3.objects.set("req1-db/wal/20200101/000000010000000000000001.gz.enc", Buffer.from("old"));
    const scratch = ownedDir("keel-pg-scratch-", USER);
    const pgEnv = { PGHOST: "127.0.0.1", PGPORT: String(BASE), PGUSER: "postgres", PGPASSWORD: SUPER, PGDATABASE: "req1", REPLICATION_USER: "replicator", REPLICATION_PASSWORD: roles.REPLICATION_PASSWORD };
    const dump = await pg.script("backup-dump.sh", backupDumpScript(), { ...pgEnv, ...PASSPHRASE, BASE_BACKUP: "1", BACKUP_WORK_DIR: scratch });
    expect(dump.output).toMatch(/backup-dump: done/);
    expect(dump.code).toBe(0);
    // Only ciphertext reaches the scratch volume (openssl enc output starts with "Salted__").
    const written = (await exec("find", [scratch, "-type", "f"])).output.trim().split("\n").sort();
    expect(written.map((f) => path.relative(scratch, f))).toEqual([expect.stringMatching(/^out\/base\/\d{8}T\d{6}Z\/base\.tar\.gz\.enc$/), expect.stringMatching(/^out\/dumps\/req1-\d{8}T\d{6}Z\.dump\.gz\.enc$/)]);
    for (const f of written) expect(fs.readFileSync(f).subarray(0, 8).toString()).toBe("Salted__");

    const upload = await pg.script("backup-upload.sh", backupUploadScript(), { ...s3Env(), RETENTION_DAYS: "30", BACKUP_WORK_DIR: scratch, PUSHGATEWAY_URL: s3.url, BACKUP_NAME: "req1-db-backup", BACKUP_NAMESPACE: "data" });
    expect(upload.output).toMatch(/backup-upload: done/);
    expect(upload.code).toBe(0);
    const keys = [...s3.objects.keys()].sort();
    expect(keys.filter((k) => k.startsWith("req1-db/dumps/"))).toEqual([expect.stringMatching(/^req1-db\/dumps\/req1-\d{8}T\d{6}Z\.dump\.gz\.enc$/)]);
    expect(keys.some((k) => /^req1-db\/base\/\d{8}T\d{6}Z\/base\.tar\.gz\.enc$/.test(k))).toBe(true);
    expect(keys.filter((k) => k.includes("2020"))).toEqual([]);
    expect(s3.unauthorized).toEqual([]);
    expect(s3.pushed).toHaveLength(1);
    expect(s3.pushed[0]).toMatch(/^\/metrics\/job\/keel-backup\/backup\/req1-db-backup\n/);
    expect(s3.pushed[0]).toMatch(/keel_backup_last_success_timestamp_seconds\{backup="req1-db-backup",backup_namespace="data"\} \d{10}/);
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  test("restore-fetch then restore load the newest dump into a fresh server with the same row count", async () => {
    const fresh = await pg.start(await pg.initdb("restored"), BASE + 2);
    expect((await pg.script("10-keel-roles.sh", initRolesScript(), { PGHOST: pg.work, PGPORT: String(fresh.port), PGPASSWORD: SUPER, POSTGRES_USER: "postgres", ...roles })).code).toBe(0);
    const dir = ownedDir("keel-pg-restore-", USER);
    const fetch = await pg.script("restore-fetch.sh", restoreFetchScript(), { ...s3Env(), RESTORE_WORK_DIR: dir }, ["dump"]);
    expect(fetch.output).toMatch(/^restore-fetch: req1-db\/dumps\/req1-\d{8}T\d{6}Z\.dump\.gz\.enc$/m);
    const r = await pg.script("restore.sh", restoreScript(), { ...PASSPHRASE, RESTORE_WORK_DIR: dir, PGHOST: "127.0.0.1", PGPORT: String(fresh.port), PGUSER: "postgres", PGPASSWORD: SUPER, PGDATABASE: "req1" });
    expect(r.output).toMatch(/restore: done/);
    expect(r.code).toBe(0);
    const source = await app(BASE, "SELECT count(*), max(title) FROM requirements");
    const restored = await app(fresh.port, "SELECT count(*), max(title) FROM requirements");
    expect(restored.output.trim()).toBe(source.output.trim());
    expect(restored.output.trim()).toMatch(/^250\|/);
    // Owners are kept: the application role owns the restored table and can write to it.
    expect((await app(fresh.port, "INSERT INTO requirements (title) VALUES ('after restore') RETURNING id")).code).toBe(0);

    const wrong = await pg.script("restore.sh", restoreScript(), { BACKUP_PASSPHRASE: "wrong", RESTORE_WORK_DIR: dir, PGHOST: "127.0.0.1", PGPORT: String(fresh.port), PGUSER: "req1", PGPASSWORD: roles.APP_PASSWORD, PGDATABASE: "req1" });
    expect(wrong.code).not.toBe(0);
    expect(wrong.output).toMatch(/bad decrypt/);
    expect(wrong.output).toMatch(/restore: openssl failed \(1\): a wrong passphrase\?/);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("archive_command spools finished segments; wal-encrypt and wal-upload ship them encrypted and empty the spool", async () => {
    await superuser(BASE, "SELECT pg_switch_wal()");
    await waitFor("a spooled segment", () => segments(spool).length > 0);
    await shipOnce();
    const shipped = [...s3.objects.keys()].filter((k) => /^req1-db\/wal\/\d{8}\/[0-9A-F]{24}\.gz\.enc$/.test(k));
    expect(shipped.length).toBeGreaterThan(0);
    expect((s3.objects.get(shipped[0]) as Buffer).subarray(0, 8).toString()).toBe("Salted__");
    expect(fs.readdirSync(spool)).toEqual([]);
  });

  test("point-in-time recovery: restore-fetch + pitr-prepare + the base backup and shipped WAL bring back rows written after the backup", async () => {
    // Rows written after the nightly base backup exist only in the archived WAL.
    await app(BASE, "INSERT INTO requirements (title) SELECT 'late ' || g FROM generate_series(1, 50) g");
    const expected = (await app(BASE, "SELECT count(*) FROM requirements")).output.trim();
    await superuser(BASE, "SELECT pg_switch_wal()");
    await waitFor("the segment with the late rows", () => segments(spool).length > 0);
    await shipOnce();

    // docs/postgres.md, "Point-in-time recovery": download (upload image), then decrypt and unpack (tools image).
    const download = path.join(pg.work, "pitr-download");
    const walDir = path.join(pg.work, "wal-restore");
    const pitr = path.join(pg.work, "pitr");
    const fetch = await pg.script("restore-fetch.sh", restoreFetchScript(), { ...s3Env(), RESTORE_WORK_DIR: download }, ["pitr"]);
    expect(fetch.output).toMatch(/^restore-fetch: base\/\d{8}T\d{6}Z\nrestore-fetch: [1-9]\d* WAL segments archived since \d{8}\n$/);
    const prepare = await pg.script("pitr-prepare.sh", pitrPrepareScript(), { ...PASSPHRASE, PGDATA: pitr, RESTORE_WORK_DIR: download, WAL_RESTORE_DIR: walDir });
    expect(prepare.output).toMatch(/^pitr-prepare: base backup in \S+, [1-9]\d* WAL segments in \S+; start the server with restore_command/m);
    expect(prepare.code).toBe(0);
    const recovered = await pg.start(pitr, BASE + 3, { extra: ["-c", `restore_command=${walRestoreCommand(walDir)}`] });
    await waitFor("recovery to finish", async () => (await superuser(recovered.port, "SELECT pg_is_in_recovery()")).output.trim() === "f");
    expect((await app(recovered.port, "SELECT count(*) FROM requirements")).output.trim()).toBe(expected);
    expect(recovered.log()).toMatch(/restored log file "[0-9A-F]{24}" from archive/);
  });
});

describe("a failing object store never stops the WAL shipper, and the spool stays bounded", () => {
  const segmentBytes = 16 * 1024 * 1024;

  test("archive_command refuses (non-zero) while the spool is full, and accepts the same segment again", async () => {
    const dir = ownedDir("keel-pg-spool-", USER);
    const seg = (name: string, fill: string) => fs.writeFileSync(path.join(pg.scripts, name), fill.repeat(1024));
    seg("000000010000000000000007", "a");
    seg("000000010000000000000008", "b");
    const archive = (name: string, limit: number) => exec("sh", [path.join(pg.scripts, "wal-archive.sh"), path.join(pg.scripts, name), name, dir, String(limit)], { user: USER });
    expect(await archive("000000010000000000000007", 1500)).toEqual({ code: 0, output: "" });
    expect(await archive("000000010000000000000007", 1500)).toEqual({ code: 0, output: "" }); // spooled before: done
    const full = await archive("000000010000000000000008", 1500);
    expect(full.code).toBe(1);
    expect(full.output).toBe(`wal-archive: spool ${dir} is full (1024 bytes + 000000010000000000000008 1024 bytes > limit 1500): PostgreSQL keeps the segment in pg_wal and retries; check the log of the wal-upload container\n`);
    expect(fs.readdirSync(dir)).toEqual(["000000010000000000000007"]);
    fs.rmSync(path.join(dir, "000000010000000000000007")); // shipped
    expect(await archive("000000010000000000000008", 1500)).toEqual({ code: 0, output: "" });
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("with the store down, wal-upload keeps running and retrying, archive_command refuses past the bound, and all WAL ships once the store is back", async () => {
    // A store that is down: a port nothing listens on (connection refused), restarted later at the same address.
    const down = await startFakeS3("backups", "keel-backup");
    await down.close();
    const gateway = await startFakeS3("metrics", "none");
    const bounded = path.join(pg.work, "bounded-spool");
    const limit = 2.5 * segmentBytes; // two segments (and their encrypted copies) fit, a third does not
    const server = await pg.start(await pg.initdb("bounded"), BASE + 5, { spool: { dir: bounded, limitBytes: limit } });
    const env = { WAL_SPOOL_DIR: bounded, WAL_SHIP_INTERVAL: "1" };
    const encrypt = pg.helper("wal-encrypt-loop.sh", walEncryptScript(), { ...env, ...PASSPHRASE });
    const upload = pg.helper("wal-upload-loop.sh", walUploadScript(), {
      ...env,
      ...s3Env(down),
      WAL_SPOOL_LIMIT_BYTES: String(limit),
      WAL_SHIP_MAX_BACKOFF: "2",
      PUSHGATEWAY_URL: gateway.url,
      BACKUP_NAME: "req1-db-backup",
      BACKUP_NAMESPACE: "data",
      CLUSTER_NAME: "req1-db",
    });
    const switchWal = () => superuser(server.port, "CREATE TABLE IF NOT EXISTS t (x int); INSERT INTO t SELECT generate_series(1, 1000); SELECT pg_switch_wal();");
    for (let i = 0; i < 5; i++) expect((await switchWal()).code).toBe(0);
    await waitFor("archive_command to refuse", async () => Number((await superuser(server.port, "SELECT failed_count FROM pg_stat_archiver")).output.trim()) > 0);
    await waitFor("wal-upload to retry", () => (upload.log().match(/wal-upload: uploading [0-9A-F]{24} failed; 2 segments wait in the spool/g) ?? []).length >= 3, 20_000);

    expect([upload.child.exitCode, encrypt.child.exitCode]).toEqual([null, null]);
    expect(upload.log()).toMatch(/curl: \(7\) Failed to connect to 127\.0\.0\.1/);
    expect(segments(bounded)).toHaveLength(2);
    expect(dirBytes(bounded)).toBeLessThanOrEqual(limit);
    expect(server.log()).toMatch(/wal-archive: spool \S+ is full \(\d+ bytes \+ [0-9A-F]{24} 16777216 bytes > limit 41943040\)/);
    expect(server.log()).toMatch(/archive command failed with exit code 1/);
    const last = gateway.pushed[gateway.pushed.length - 1];
    expect(last.split("\n")[0]).toBe("/metrics/job/keel-wal-spool/backup/req1-db-backup/backup_namespace/data/cluster/req1-db");
    expect(last).toMatch(/^keel_wal_spool_segments 2$/m);
    expect(last).toMatch(/^keel_wal_spool_limit_bytes 41943040$/m);
    expect(Number(/^keel_wal_spool_bytes (\d+)$/m.exec(last)?.[1])).toBeGreaterThan(2 * segmentBytes);
    expect(Number(/^keel_wal_spool_oldest_age_seconds (\d+)$/m.exec(last)?.[1])).toBeGreaterThanOrEqual(1);

    // The store comes back: the spool drains, the refused segments are archived and shipped too.
    const back = await startFakeS3("backups", "keel-backup", Number(new URL(down.url).port));
    try {
      await waitFor("the spool to drain", () => segments(bounded).length === 0, 30_000);
      await switchWal(); // wakes the archiver, which otherwise retries within a minute
      const pending = async () => Number((await superuser(server.port, "SELECT count(*) FROM pg_ls_archive_statusdir() WHERE name LIKE '%.ready'")).output.trim());
      await waitFor("every segment archived and shipped", async () => (await pending()) === 0 && segments(bounded).length === 0, 60_000);
      expect([...back.objects.keys()].filter((k) => /^req1-db\/wal\/\d{8}\/[0-9A-F]{24}\.gz\.enc$/.test(k)).length).toBeGreaterThanOrEqual(6);
      expect(upload.child.exitCode).toBeNull();
    } finally {
      await back.close();
      await gateway.close();
    }
  }, 120_000);
});

describe("the pod's users", () => {
  test("the server (70) and the helpers (999 on the tools image, 100 on curl's) share the spool through the pod's group, whoever creates it", async () => {
    const id = async (flag: string) => Number((await exec("id", [flag, USER])).output.trim());
    const [uid, gid] = [await id("-u"), await id("-g")];
    // An fsGroup volume: the root belongs to the pod's group, setgid; each user runs with that group added.
    const volume = ownedDir("keel-pg-volume-");
    fs.chownSync(volume, 0, gid);
    fs.chmodSync(volume, 0o2775);
    const as = (user: number, group: number, file: string, env: Record<string, string>, args: string[] = []) =>
      exec("setpriv", [`--reuid=${user}`, `--regid=${group}`, `--groups=${gid}`, "sh", path.join(pg.scripts, file), ...args], { env });
    const segment = path.join(volume, "000000010000000000000009");
    fs.writeFileSync(segment, Buffer.alloc(100_000, 9), { mode: 0o600 }); // pg_wal's mode
    fs.chownSync(segment, uid, gid);
    fs.writeFileSync(path.join(pg.scripts, "wal-encrypt-once.sh"), walEncryptScript());
    fs.writeFileSync(path.join(pg.scripts, "wal-upload-once.sh"), walUploadScript());
    for (const first of ["wal-upload", "archive_command"]) {
      const dir = path.join(volume, `spool-${first}`);
      const env = { ...s3Env(), ...PASSPHRASE, WAL_SPOOL_DIR: dir, WAL_SPOOL_LIMIT_BYTES: "1000000", WAL_SHIP_ONCE: "1" };
      if (first === "wal-upload") expect(await as(100, 101, "wal-upload-once.sh", env)).toEqual({ code: 0, output: "" });
      // The server's umask is 077.
      expect(await exec("setpriv", [`--reuid=${uid}`, `--regid=${gid}`, `--groups=${gid}`, "sh", "-c", `umask 077; sh ${path.join(pg.scripts, "wal-archive.sh")} ${segment} 000000010000000000000009 ${dir} 1000000`])).toEqual({ code: 0, output: "" });
      expect(await as(999, 999, "wal-encrypt-once.sh", env)).toEqual({ code: 0, output: "" });
      expect(await as(100, 101, "wal-upload-once.sh", env)).toEqual({ code: 0, output: "wal-upload: 000000010000000000000009 uploaded\n" });
      expect(fs.readdirSync(dir)).toEqual([]);
    }
    fs.rmSync(volume, { recursive: true, force: true });
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
    const server = await pg.start(await pg.initdb("tls"), BASE + 4, { tls: { certFile: crt, keyFile: key } });
    const refused = await pg.psql(server.port, "postgres", SUPER, "postgres", "SELECT 1", "disable");
    expect(refused.output).toMatch(/no pg_hba\.conf entry for host "127\.0\.0\.1", user "postgres", database "postgres", no encryption/);
    const over = await pg.psql(server.port, "postgres", SUPER, "postgres", "SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()", "require");
    expect(over.output.trim()).toMatch(/^t\|TLSv1\.[23]$/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe("replication slots: a replica away for more than wal_keep_size catches up, within max_slot_wal_keep_size", () => {
  // wal_keep_size 32MB keeps two segments for a standby without a slot; a slot keeps up to 128MB.
  const settings = { walKeepSize: "32MB", maxSlotWalKeepSize: "128MB" };
  const [P, R, C] = [BASE + 6, BASE + 7, BASE + 8];
  const MB = 1024 * 1024;
  let primary: Server;
  let replica: Server;
  const replicaDir = () => path.join(pg.work, "slot-replica");
  const bootstrap = () => pg.script("replica-bootstrap.sh", replicaBootstrapScript(), { PGDATA: replicaDir(), PRIMARY_HOST: "127.0.0.1", PRIMARY_PORT: String(P), POD_NAME: "req1-db-replica-0", ...roles });
  const count = async (port: number) => (await app(port, "SELECT count(*) FROM events")).output.trim();
  // The exporter's query, as the exporter's role: slot_name|active|lost|retained_bytes|limit_bytes.
  const slots = async () => (await pg.psql(P, "metrics", roles.METRICS_PASSWORD, "postgres", SLOT_QUERY)).output.trim().split("\n").map((l) => l.split("|"));
  /** Deletes a tenth of the rows and vacuums: the dead rows VACUUM may not remove yet. */
  const deleteAndVacuum = async () => {
    expect((await app(P, "DELETE FROM events WHERE id % 10 = 0")).code).toBe(0);
    return Number(/(\d+) are dead but not yet removable/.exec((await app(P, "VACUUM (VERBOSE) events")).output)?.[1]);
  };
  /** Writes `n` WAL segments (16 MB each) on the primary, then checkpoints: WAL nobody keeps is removed. */
  async function writeSegments(n: number): Promise<void> {
    for (let i = 0; i < n; i++) expect((await app(P, "INSERT INTO events (body) SELECT md5(g::text) FROM generate_series(1, 2000) g")).code + (await superuser(P, "SELECT pg_switch_wal()")).code).toBe(0);
    expect((await superuser(P, "CHECKPOINT")).code).toBe(0);
  }

  beforeAll(async () => {
    primary = await pg.start(await pg.initdb("slots"), P, { settings });
    expect((await pg.script("10-keel-roles.sh", initRolesScript(), { PGHOST: pg.work, PGPORT: String(P), PGPASSWORD: SUPER, POSTGRES_USER: "postgres", ...roles })).code).toBe(0);
    expect((await app(P, "CREATE TABLE events (id bigserial PRIMARY KEY, body text); INSERT INTO events (body) VALUES ('first')")).code).toBe(0);
    const boot = await bootstrap();
    expect(boot.output).toMatch(/^replica: created replication slot req1_db_replica_0 on 127\.0\.0\.1\n(.|\n)*replica: base backup from 127\.0\.0\.1 done; starting as a hot standby on slot req1_db_replica_0\n$/);
    replica = await pg.start(replicaDir(), R, { settings });
  }, 120_000);

  test("the stopped replica's slot keeps its WAL; restarted, it catches up, while a standby without a slot (keel before) is stuck", async () => {
    // The control: a standby as keel made them before (pg_basebackup -R, no slot).
    const controlDir = path.join(pg.work, "no-slot-standby");
    const base = await exec("pg_basebackup", ["-h", "127.0.0.1", "-p", String(P), "-U", "replicator", "-D", controlDir, "-R", "-X", "stream", "-c", "fast"], { user: USER, env: { PATH, PGPASSWORD: roles.REPLICATION_PASSWORD } });
    expect(base.code).toBe(0);
    let control = await pg.start(controlDir, C, { settings });
    await waitFor("both standbys to stream", async () => (await count(R)) === "1" && (await count(C)) === "1");
    expect(await slots()).toEqual([["req1_db_replica_0", "1", "0", expect.stringMatching(/^\d+$/), String(128 * MB)]]);

    await replica.stop();
    await control.stop();
    const unreachable = await pg.script("replica-bootstrap.sh", replicaBootstrapScript(), { PGDATA: replicaDir(), PRIMARY_HOST: "127.0.0.1", PRIMARY_PORT: String(BASE + 11), POD_NAME: "req1-db-replica-0", ...roles });
    expect(unreachable.output).toMatch(/^replica: primary 127\.0\.0\.1:\d+ unreachable \((.|\n)*\); starting on the existing copy, it streams on slot req1_db_replica_0 once the primary is back\n$/);
    await writeSegments(5); // 80 MB: more than wal_keep_size, less than max_slot_wal_keep_size
    const [away] = await slots();
    expect(away.slice(0, 3)).toEqual(["req1_db_replica_0", "0", "0"]);
    expect(Number(away[3])).toBeGreaterThan(64 * MB);
    // The cost: hot_standby_feedback's xmin stays in the slot, so VACUUM keeps what the replica might read.
    expect(await deleteAndVacuum()).toBeGreaterThan(0);
    const expected = await count(P);

    expect((await bootstrap()).output).toBe(`replica: ${replicaDir()} already holds a cluster; it resumes streaming from 127.0.0.1 on slot req1_db_replica_0\n`);
    replica = await pg.start(replicaDir(), R, { settings });
    await waitFor("the replica to catch up", async () => (await count(R)) === expected, 60_000);
    // The slot kept the old WAL for every standby until its replica caught up; now nothing keeps it.
    expect((await superuser(P, "CHECKPOINT")).code).toBe(0);
    control = await pg.start(controlDir, C, { settings });
    await waitFor("the standby without a slot to give up", () => /requested WAL segment [0-9A-F]{24} has already been removed/.test(control.log()));
    expect(await count(C)).toBe("1"); // stale reads
    await control.stop();
  }, 120_000);

  test("past max_slot_wal_keep_size the slot is invalidated (the primary stops keeping WAL); the replica's bootstrap copies the primary again", async () => {
    await replica.stop();
    await writeSegments(12); // 192 MB > 128 MB
    expect(await slots()).toEqual([["req1_db_replica_0", "0", "1", "0", String(128 * MB)]]);
    expect(await deleteAndVacuum()).toBe(0); // the invalidated slot no longer holds VACUUM back
    expect(primary.log()).toMatch(/invalidating slot "req1_db_replica_0" because its restart_lsn [0-9A-F]+\/[0-9A-F]+ exceeds max_slot_wal_keep_size/);
    const boot = await bootstrap();
    expect(boot.output).toMatch(/^replica: slot req1_db_replica_0 was invalidated \(this replica was away longer than max_slot_wal_keep_size allows; the WAL it needs is gone\): copying the primary again\nreplica: created replication slot req1_db_replica_0 on 127\.0\.0\.1\n/);
    expect(boot.code).toBe(0);
    const expected = await count(P);
    replica = await pg.start(replicaDir(), R, { settings });
    await waitFor("the copied replica to stream", async () => (await count(R)) === expected && (await slots())[0][1] === "1", 60_000);
  }, 120_000);
});

describe("pg_hba.conf from the platform's pod network", () => {
  test("on EKS (every private range: RFC 1918, 100.64.0.0/10, fc00::/7) the generated file loads, every line parsed", async () => {
    const s = await synthesize(() => new PostgresCluster("req1-db", { platform: testPlatform({ cluster: { distribution: "eks" }, storageClass: "gp3" }) }));
    const hba = String((s.all("ConfigMap").find((c) => (c.data as Record<string, string>)?.["pg_hba.conf"])?.data as Record<string, string>)["pg_hba.conf"]);
    const server = await pg.start(await pg.initdb("hba"), BASE + 9, { hba });
    const rules = await superuser(server.port, "SELECT type, database[1], user_name[1], address, netmask, coalesce(error, '-') FROM pg_hba_file_rules WHERE address IS NOT NULL ORDER BY line_number");
    const ranges = ["10.0.0.0|255.0.0.0", "172.16.0.0|255.240.0.0", "192.168.0.0|255.255.0.0", "100.64.0.0|255.192.0.0", "fc00::|fe00::"];
    expect(rules.output.trim().split("\n")).toEqual([
      "host|all|all|127.0.0.1|255.255.255.255|-",
      "host|all|all|::1|ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff|-",
      ...ranges.map((r) => `host|replication|replicator|${r}|-`),
      ...ranges.map((r) => `host|all|all|${r}|-`),
    ]);
  });
});

describe("PostgresCluster's alert rules", () => {
  test("pass promtool and fire on a stuck WAL shipper, a filling spool, a silent one, and a replica's slot away, filling and lost", () => {
    const rules = PostgresCluster.alertRules();
    const dir = workdir({ "rules.yml": { groups: [{ name: "keel-postgres", rules }] }, "tests.yml": { rule_files: ["rules.yml"], evaluation_interval: "1m", tests: alertRuleScenarios(rules) } });
    const check = run("promtool", ["check", "rules", "rules.yml"], dir);
    expect(check.output).toContain("SUCCESS: 6 rules found");
    const r = run("promtool", ["test", "rules", "tests.yml"], dir);
    expect(r.output).toContain("SUCCESS");
    expect(r.code).toBe(0);
  });
});
