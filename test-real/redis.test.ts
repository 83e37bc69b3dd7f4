/**
 * Redis for real, from the component's own generators: the password is required, each
 * persistence mode keeps (or does not keep) data across a restart as documented, and in
 * sentinel mode the sentinels promote the replica when the primary stops.
 */
import * as fs from "fs";
import * as path from "path";
import { RedisPersistence, redisConf, redisNodeScript, redisSentinelScript } from "../components/redis-store/config";
import { daemon, exec, ownedDir, waitFor, writeFile } from "./processes";

const PASSWORD = "redis-Secret-1";
const BASE = 16400 + Math.floor(Math.random() * 400) * 8;
const work = ownedDir("keel-redis-");
const running: ReturnType<typeof daemon>[] = [];

afterAll(async () => {
  for (const d of running) await d.stop("SIGKILL");
  fs.rmSync(work, { recursive: true, force: true });
});

function cli(port: number, args: string[], password?: string) {
  return exec("redis-cli", ["-h", "127.0.0.1", "-p", String(port), ...(password ? ["--no-auth-warning", "-a", password] : []), ...args]);
}

async function node(name: string, port: number, persistence: RedisPersistence, env: Record<string, string>) {
  const dir = path.join(work, name);
  fs.mkdirSync(path.join(dir, "data"), { recursive: true });
  fs.mkdirSync(path.join(dir, "source"), { recursive: true });
  const source = writeFile(path.join(dir, "source"), "redis.conf", redisConf({ persistence, maxmemoryBytes: 64 * 1024 * 1024, evictionPolicy: "noeviction", dataDir: path.join(dir, "data") }));
  const script = writeFile(dir, "start.sh", redisNodeScript(), 0o755);
  const d = daemon("sh", [script, "--port", String(port)], { env: { REDIS_PASSWORD: PASSWORD, CONFIG_SOURCE: source, RUNTIME_DIR: dir, ...env } });
  running.push(d);
  await waitFor(`redis on ${port}`, async () => (await cli(port, ["PING"], PASSWORD)).output.trim() === "PONG").catch((e) => {
    throw new Error(`${e}\n${d.log()}`);
  });
  return d;
}

describe("a Redis node from the generated configuration", () => {
  test("requires the password", async () => {
    await node("auth", BASE, "none", { MODE: "standalone" });
    expect((await cli(BASE, ["PING"])).output).toMatch(/NOAUTH Authentication required/);
    expect((await cli(BASE, ["PING"], "wrong")).output).toMatch(/WRONGPASS|invalid username-password/);
    expect((await cli(BASE, ["CONFIG", "GET", "maxmemory-policy"], PASSWORD)).output).toMatch(/noeviction/);
    expect((await cli(BASE, ["FLUSHALL"], PASSWORD)).output).toMatch(/unknown command/);
  });

  const cases: [RedisPersistence, "crash" | "shutdown", boolean][] = [
    ["aof", "crash", true], // fsynced every second: a kill -9 loses at most a second
    ["rdb", "shutdown", true], // a clean shutdown writes the snapshot
    ["none", "shutdown", false], // a cache: restarts empty
  ];
  test.each(cases)("persistence %s: after a %s the key survives: %s", async (persistence, how, survives) => {
    const port = BASE + 1 + cases.findIndex((c) => c[0] === persistence);
    const first = await node(persistence, port, persistence, { MODE: "standalone" });
    expect((await cli(port, ["SET", "session:1", "alice"], PASSWORD)).output.trim()).toBe("OK");
    if (how === "crash") {
      await new Promise((r) => setTimeout(r, 1500));
      await first.stop("SIGKILL");
    } else {
      await cli(port, ["SHUTDOWN"], PASSWORD);
      await first.stop("SIGTERM");
    }
    await node(persistence, port, persistence, { MODE: "standalone" });
    expect((await cli(port, ["GET", "session:1"], PASSWORD)).output.trim()).toBe(survives ? "alice" : "");
  });
});

describe("sentinel mode", () => {
  // Nodes and sentinels are addressed by hostname ("localhost" here, pod DNS names in a cluster):
  // the sentinels resolve and announce hostnames, so the answers below are names, not IPs.
  test("the sentinels promote the replica when the primary stops", async () => {
    const [p, r] = [BASE + 5, BASE + 6];
    const sentinelPorts = [BASE + 7, BASE + 8, BASE + 9].map((x) => x + 100);
    const common = { MODE: "sentinel", ANNOUNCE_HOST: "localhost", PRIMARY_HOST: "localhost", PRIMARY_PORT: String(p), MASTER_NAME: "keel", SENTINELS: sentinelPorts.map((s) => `localhost:${s}`).join(" ") };
    const primary = await node("primary", p, "aof", { ...common, ANNOUNCE_PORT: String(p) });
    await node("replica", r, "aof", { ...common, ANNOUNCE_PORT: String(r) });
    await waitFor("replication", async () => /master_link_status:up/.test((await cli(r, ["INFO", "replication"], PASSWORD)).output));
    await cli(p, ["SET", "k", "v"], PASSWORD);
    for (const [i, port] of sentinelPorts.entries()) {
      const dir = path.join(work, `sentinel-${i}`);
      fs.mkdirSync(dir, { recursive: true });
      const script = writeFile(dir, "sentinel.sh", redisSentinelScript(), 0o755);
      const d = daemon("sh", [script], { env: { ...common, REDIS_PASSWORD: PASSWORD, RUNTIME_DIR: dir, SENTINEL_PORT: String(port), QUORUM: "2", DOWN_AFTER_MS: "1000", FAILOVER_TIMEOUT_MS: "5000" } });
      running.push(d);
    }
    const askedPrimary = async () => (await cli(sentinelPorts[0], ["SENTINEL", "get-master-addr-by-name", "keel"], PASSWORD)).output.trim().split("\n").join(":");
    await waitFor("the sentinels to see each other", async () => /num-other-sentinels\s+2/.test((await cli(sentinelPorts[0], ["SENTINEL", "master", "keel"], PASSWORD)).output.replace(/\n/g, " ")));
    expect(await askedPrimary()).toBe(`localhost:${p}`);
    await primary.stop("SIGKILL");
    await waitFor("the failover", async () => (await askedPrimary()) === `localhost:${r}`, 30_000);
    await waitFor("the replica to become primary", async () => /role:master/.test((await cli(r, ["INFO", "replication"], PASSWORD)).output));
    expect((await cli(r, ["GET", "k"], PASSWORD)).output.trim()).toBe("v");
    expect((await cli(r, ["SET", "k2", "v2"], PASSWORD)).output.trim()).toBe("OK");
    // The old primary comes back as a replica of the new one (its start script asks the sentinels).
    await node("primary", p, "aof", { ...common, ANNOUNCE_PORT: String(p) });
    await waitFor("the old primary to follow", async () => /role:slave[\s\S]*master_port:\d+/.test((await cli(p, ["INFO", "replication"], PASSWORD)).output));
    expect((await cli(p, ["INFO", "replication"], PASSWORD)).output).toMatch(new RegExp(`master_port:${r}`));
  }, 90_000);
});
