/**
 * Hostile values through the real servers: PostgreSQL 15 (Debian's, as the other real suites)
 * started from a generated postgresql.conf whose string settings hold quotes, backslashes, line
 * breaks, `$(...)`, '#' and '%' reads exactly those values and no other setting, and archives WAL
 * through an archive_command whose spool directory has such a name; Redis started by the generated
 * node script from a generated redis.conf reads a data directory and a password with quotes,
 * backslashes and spaces as they are.
 */
import * as fs from "fs";
import * as path from "path";
import { postgresqlSettings } from "../components/postgres-cluster";
import { redisConf, redisNodeScript } from "../components/redis-store/config";
import { HOSTILE } from "../test/helpers/config-parsers";
import { Harness, SUPER, Server, postgresHarness } from "./postgres-server";
import { daemon, exec, ownedDir, waitFor, writeFile } from "./processes";

const BASE = 17000 + Math.floor(Math.random() * 400) * 4;
const SAFE_HOSTILE = HOSTILE.filter((h) => !h.includes("\0"));

/** String settings PostgreSQL keeps as written (no check hook rewrites them) and that do not act at startup. */
const STRING_SETTINGS = ["log_line_prefix", "archive_cleanup_command", "recovery_end_command", "ssl_passphrase_command", "krb_server_keyfile"];

/** Each string setting gets a share of the hostile values, joined. */
function hostileSettings(): Record<string, string> {
  const out: Record<string, string> = {};
  STRING_SETTINGS.forEach((name, i) => {
    out[name] = SAFE_HOSTILE.filter((_, j) => j % STRING_SETTINGS.length === i).join("|");
  });
  return out;
}

describe("PostgreSQL reads hostile setting values exactly", () => {
  let pg: Harness;
  let server: Server;
  const extra = hostileSettings();
  const base = { memoryBytes: 1024 ** 3, maxConnections: 50, replicas: 1, walKeepSize: "256MB", maxSlotWalKeepSize: "1GB" };
  let spoolDir: string;

  beforeAll(async () => {
    pg = postgresHarness();
    const data = await pg.initdb("hostile");
    spoolDir = path.join(pg.work, "spool 'x' \"y\" $(touch pwned) `id` %p %% ;#\\");
    server = await pg.start(data, BASE, { settings: { extra }, spool: { dir: spoolDir, limitBytes: 1024 ** 3 } });
  });
  afterAll(async () => {
    await pg?.cleanup();
  });

  const query = async (sql: string) => {
    const r = await pg.psql(server.port, "postgres", SUPER, "postgres", sql);
    if (r.code !== 0) throw new Error(r.output);
    return r.output.trim();
  };
  const hex = (s: string) => Buffer.from(s, "utf8").toString("hex");

  test("every hostile string setting is what the args said, byte for byte", async () => {
    for (const [name, value] of Object.entries(extra)) {
      expect({ name, value: await query(`SELECT encode(convert_to(current_setting('${name}'), 'UTF8'), 'hex')`) }).toEqual({ name, value: hex(value) });
    }
  });

  test("the file holds exactly the generated settings, none with an error, none added", async () => {
    const file = await query("SELECT string_agg(name || ':' || coalesce(error, 'ok'), ',' ORDER BY name) FROM pg_file_settings WHERE sourcefile NOT LIKE '%postgresql.auto.conf'");
    const intended = Object.keys(postgresqlSettings({ ...base, extra, archive: { script: "x", spoolDir: "y", limitBytes: 1 } })).sort();
    // The harness gives each server its own port on the command line, which wins over the file's.
    expect(file.split(",")).toEqual(intended.map((n) => `${n}:${n === "port" ? "setting could not be applied" : "ok"}`));
    // Settings a line break could have smuggled in keep their defaults.
    expect(await query("SELECT setting FROM pg_settings WHERE name = 'fsync'")).toBe("on");
  });

  test("archive_command ships WAL into a spool directory with quotes, '%' and '$(...)' in its name", async () => {
    await query("CREATE TABLE t AS SELECT generate_series(1, 1000) AS n");
    await query("SELECT pg_switch_wal()");
    await waitFor("a segment in the spool", () => fs.existsSync(spoolDir) && fs.readdirSync(spoolDir).some((f) => /^[0-9A-F]{24}$/.test(f)), 30_000);
    expect(await query("SELECT failed_count FROM pg_stat_archiver")).toBe("0");
    expect(fs.existsSync(path.join(pg.work, "pwned"))).toBe(false);
  });
});

describe("Redis reads a hostile data directory and password exactly", () => {
  const work = ownedDir("keel-redis-hostile-");
  const running: ReturnType<typeof daemon>[] = [];
  afterAll(async () => {
    for (const d of running) await d.stop("SIGKILL");
    fs.rmSync(work, { recursive: true, force: true });
  });

  test("CONFIG GET dir and AUTH see the values the args gave", async () => {
    const port = BASE + 3;
    const dataDir = path.join(work, "data 'x' \"y\" \\z $(id) ✓ ;#");
    fs.mkdirSync(dataDir, { recursive: true });
    const password = "p\"a\\ss 'w' $(id) ✓";
    fs.mkdirSync(path.join(work, "source"));
    const source = writeFile(path.join(work, "source"), "redis.conf", redisConf({ persistence: "rdb", maxmemoryBytes: 64 * 1024 * 1024, evictionPolicy: "noeviction", dataDir }));
    const script = writeFile(work, "start.sh", redisNodeScript(), 0o755);
    const d = daemon("sh", [script, "--port", String(port)], { env: { REDIS_PASSWORD: password, CONFIG_SOURCE: source, RUNTIME_DIR: work, MODE: "standalone" } });
    running.push(d);
    const cli = (args: string[]) => exec("redis-cli", ["-h", "127.0.0.1", "-p", String(port), "--no-auth-warning", "-a", password, ...args]);
    await waitFor(`redis on ${port}`, async () => (await cli(["PING"])).output.trim() === "PONG").catch((e) => {
      throw new Error(`${e}\n${d.log()}`);
    });
    expect((await cli(["--raw", "CONFIG", "GET", "dir"])).output.split("\n").slice(0, 2)).toEqual(["dir", dataDir]);
    expect((await cli(["SAVE"])).output.trim()).toBe("OK");
    expect(fs.existsSync(path.join(dataDir, "dump.rdb"))).toBe(true);
  });
});
