/**
 * Debian's RabbitMQ on one host, as a cluster of nodes with the stable long names pods get
 * (`rabbit@mq-0.mq-headless.test.svc.cluster.local`): the harness of test-real/rabbitmq.test.ts.
 *
 * How names resolve without touching /etc/hosts: an Erlang inetrc file (ERL_INETRC) maps each
 * node's host name to its own loopback address (127.0.0.2, .3, ...). epmd, Erlang's port mapper,
 * keys nodes by the part before the `@` only, so three `rabbit@...` nodes cannot register with one
 * epmd; and a node always registers with the epmd on 127.0.0.1 at its ERL_EPMD_PORT. So each node
 * gets its own epmd (127.0.0.1, a free port of its own) and small TCP relays stand in for the pods'
 * own epmds: a node looking up `rabbit@<host of node j>` asks <address of node j>:<its own epmd
 * port>, which the relay forwards to node j's epmd. Everything listens on loopback or on free
 * ports chosen at run time, and every process is stopped by `stop()`.
 */
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import { Result, ownedDir, waitFor } from "./processes";

/** Debian's scripts behind /usr/sbin's wrapper (which switches user and redirects the logs). */
export const RABBITMQ_BIN = "/usr/lib/rabbitmq/bin";

export interface NodePorts {
  readonly amqp: number;
  readonly prometheus: number;
  readonly distribution: number;
}

export interface RabbitNode {
  readonly index: number;
  /** `rabbit@<host>` */
  readonly name: string;
  readonly host: string;
  /** The node's loopback address (its "pod IP"). */
  readonly address: string;
  readonly ports: NodePorts;
  readonly home: string;
  /** The environment the node and its CLI tools run with. */
  readonly env: NodeJS.ProcessEnv;
  log(): string;
}

export interface ClusterOptions {
  /** Host names, one per node. */
  readonly hosts: readonly string[];
  /** rabbitmq.conf of node `i`, given its ports and every node's name. */
  readonly conf: (i: number, ports: NodePorts, names: readonly string[]) => string;
  readonly enabledPlugins: string;
  /** The start command's script (it installs the cookie and execs rabbitmq-server). */
  readonly startScript: string;
  readonly cookie: string;
}

export interface RabbitCluster {
  readonly nodes: readonly RabbitNode[];
  /** rabbitmqctl (or another CLI) against node `i`, with its environment. */
  cli(i: number, tool: string, args: readonly string[]): Promise<Result>;
  stop(): Promise<void>;
}

/** Why the real RabbitMQ tests cannot run here, or undefined when they can. */
export function rabbitmqMissing(): string | undefined {
  for (const f of ["rabbitmq-server", "rabbitmqctl"]) {
    if (!fs.existsSync(path.join(RABBITMQ_BIN, f))) return `${path.join(RABBITMQ_BIN, f)} is missing: Debian's rabbitmq-server is not installed (.ci/run installs it: apt-get install rabbitmq-server)`;
  }
  const epmd = (process.env.PATH ?? "").split(":").some((d) => fs.existsSync(path.join(d, "epmd")));
  return epmd ? undefined : "epmd is not on PATH (Debian's erlang-base, a dependency of rabbitmq-server, installs it)";
}

/** A TCP port free on every address right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on("error", reject);
    s.listen(0, "0.0.0.0", () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** The uid/gid servers run as: Debian's rabbitmq user when this runs as root, else this user. */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const line = fs.readFileSync("/etc/passwd", "utf8").split("\n").find((l) => l.startsWith("rabbitmq:"));
  if (!line) return undefined;
  const [, , uid, gid] = line.split(":");
  return { uid: Number(uid), gid: Number(gid) };
}

function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv, user: { uid: number; gid: number } | undefined, timeoutMs = 60_000): Promise<Result> {
  return new Promise((resolve, reject) => {
    // In HOME: an Erlang VM that fails early dumps erl_crash.dump into its working directory.
    const child = spawn(command, [...args], { env, cwd: env.HOME, stdio: ["ignore", "pipe", "pipe"], ...(user ?? {}) });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("error", reject);
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, output });
    });
  });
}

interface Owned {
  readonly child: ChildProcess;
  readonly exited: Promise<void>;
  log: string;
}

/** Starts a long-running process in its own process group (a signal reaches the whole tree). */
function start(command: string, args: readonly string[], env: NodeJS.ProcessEnv, user?: { uid: number; gid: number }): Owned {
  const child = spawn(command, [...args], { env, cwd: env.HOME, stdio: ["ignore", "pipe", "pipe"], detached: true, ...(user ?? {}) });
  const owned: Owned = { child, exited: new Promise<void>((resolve) => child.on("exit", () => resolve())), log: "" };
  child.stdout?.on("data", (d) => (owned.log += d));
  child.stderr?.on("data", (d) => (owned.log += d));
  return owned;
}

async function kill(p: Owned, signal: NodeJS.Signals, graceMs: number): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null || !p.child.pid) return;
  try {
    process.kill(-p.child.pid, signal);
  } catch {
    return; // already gone
  }
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([p.exited, new Promise((r) => (timer = setTimeout(r, graceMs)))]);
  clearTimeout(timer);
  if (p.child.exitCode === null && p.child.signalCode === null) {
    try {
      process.kill(-p.child.pid, "SIGKILL");
    } catch {
      /* gone */
    }
    await p.exited;
  }
}

/** Starts one node per host, all at once (as a StatefulSet with podManagementPolicy Parallel does). */
export async function startCluster(o: ClusterOptions): Promise<RabbitCluster> {
  const user = runAs();
  const work = ownedDir("keel-rabbitmq-");
  const epmds: Owned[] = [];
  const servers: Owned[] = [];
  const relays: net.Server[] = [];
  const sockets = new Set<net.Socket>();
  const addresses = o.hosts.map((_, i) => `127.0.0.${i + 2}`);
  const inetrc = path.join(work, "inetrc");
  fs.writeFileSync(inetrc, [...o.hosts.map((h, i) => `{host, {${addresses[i].split(".").join(",")}}, ["${h}"]}.`), "{lookup, [file, native]}.", ""].join("\n"));
  const names = o.hosts.map((h) => `rabbit@${h}`);
  const epmdPorts: number[] = [];
  const stop = async () => {
    // Ask each node to stop (flushes and leaves cleanly), then make sure: the process groups, the relays, the epmds.
    await Promise.all(nodes.map((n, i) => (servers[i] && servers[i].child.exitCode === null ? run(path.join(RABBITMQ_BIN, "rabbitmqctl"), ["stop"], n.env, user, 30_000).catch(() => undefined) : undefined)));
    for (const s of servers) await kill(s, "SIGTERM", 10_000);
    for (const s of sockets) s.destroy();
    await Promise.all(relays.map((r) => new Promise((res) => r.close(() => res(undefined)))));
    for (const e of epmds) await kill(e, "SIGTERM", 5_000);
    fs.rmSync(work, { recursive: true, force: true });
  };
  const nodes: RabbitNode[] = [];
  try {
    for (let i = 0; i < o.hosts.length; i++) {
      const port = await freePort();
      epmdPorts.push(port);
      const epmd = start("epmd", ["-port", String(port), "-address", "127.0.0.1"], { PATH: process.env.PATH, HOME: work });
      epmds.push(epmd);
      await waitFor(`epmd on ${port}`, () => canConnect("127.0.0.1", port), 10_000);
    }
    // The relay for (node j's address, node i's epmd port) -> node j's epmd.
    for (let j = 0; j < o.hosts.length; j++) {
      for (const viaPort of epmdPorts) {
        const relay = net.createServer((c) => {
          const u = net.connect(epmdPorts[j], "127.0.0.1");
          for (const s of [c, u]) {
            sockets.add(s);
            s.on("close", () => sockets.delete(s));
            s.on("error", () => (s === c ? u : c).destroy());
          }
          c.pipe(u);
          u.pipe(c);
        });
        relays.push(relay);
        await new Promise<void>((resolve, reject) => relay.once("error", reject).listen(viaPort, addresses[j], () => resolve()));
      }
    }
    for (let i = 0; i < o.hosts.length; i++) {
      const dir = path.join(work, `node-${i}`);
      const home = path.join(dir, "home");
      const etc = path.join(dir, "etc");
      for (const d of [dir, home, etc, path.join(dir, "mnesia"), path.join(dir, "log")]) fs.mkdirSync(d, { recursive: true });
      const ports: NodePorts = { amqp: await freePort(), prometheus: await freePort(), distribution: await freePort() };
      fs.writeFileSync(path.join(etc, "rabbitmq.conf"), o.conf(i, ports, names), { mode: 0o440 });
      fs.writeFileSync(path.join(etc, "enabled_plugins"), o.enabledPlugins, { mode: 0o440 });
      // As a Secret volume under an fsGroup: group-readable, which Erlang would refuse as a cookie.
      fs.writeFileSync(path.join(etc, "cookie"), o.cookie, { mode: 0o440 });
      if (user) {
        for (const d of [dir, home, path.join(dir, "mnesia"), path.join(dir, "log")]) fs.chownSync(d, user.uid, user.gid);
        for (const f of ["rabbitmq.conf", "enabled_plugins", "cookie"]) fs.chownSync(path.join(etc, f), 0, user.gid);
      }
      const env: NodeJS.ProcessEnv = {
        // Debian's real scripts first: /usr/sbin/rabbitmq-server is a wrapper that su's and redirects the log.
        PATH: `${RABBITMQ_BIN}:${process.env.PATH}`,
        LANG: "C.UTF-8",
        LC_ALL: "C.UTF-8",
        HOME: home,
        COOKIE_FILE: path.join(etc, "cookie"),
        ERL_INETRC: inetrc,
        ERL_EPMD_PORT: String(epmdPorts[i]),
        RABBITMQ_USE_LONGNAME: "true",
        RABBITMQ_NODENAME: names[i],
        RABBITMQ_CONFIG_FILE: path.join(etc, "rabbitmq.conf"),
        // Nothing from the host's /etc/rabbitmq: no conf.d, no advanced.config, no rabbitmq-env.conf.
        RABBITMQ_CONFIG_FILES: path.join(etc, "conf.d"),
        RABBITMQ_ADVANCED_CONFIG_FILE: path.join(etc, "advanced.config"),
        RABBITMQ_CONF_ENV_FILE: path.join(etc, "rabbitmq-env.conf"),
        RABBITMQ_ENABLED_PLUGINS_FILE: path.join(etc, "enabled_plugins"),
        RABBITMQ_MNESIA_BASE: path.join(dir, "mnesia"),
        RABBITMQ_LOG_BASE: path.join(dir, "log"),
        RABBITMQ_DIST_PORT: String(ports.distribution),
      };
      const server = start("/bin/sh", ["-c", o.startScript], env, user);
      servers.push(server);
      nodes.push({ index: i, name: names[i], host: o.hosts[i], address: addresses[i], ports, home, env, log: () => server.log });
    }
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    nodes,
    cli: (i, tool, args) => run(path.join(RABBITMQ_BIN, tool), args, nodes[i].env, user),
    stop,
  };
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, host);
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}
