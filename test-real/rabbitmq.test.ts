/**
 * RabbitMQ for real (Debian 12's rabbitmq-server 3.10), from RabbitMqCluster's own generators:
 * three nodes started at once from the generated rabbitmq.conf and enabled_plugins, through the
 * generated start command (which installs the shared cookie owner-only), with the stable long
 * names pods get, form one cluster; the generated user and vhost work across nodes (a message
 * published on one node is consumed on another, from a quorum queue); guest does not exist;
 * with perObjectMetrics the Prometheus endpoint serves rabbitmq_queue_messages_ready per queue.
 *
 * Peer discovery is the one part generated differently from the pods': classic_config (the node
 * list) instead of `k8s`. The pods use rabbitmq_peer_discovery_k8s v2 (RabbitMQ 4.1+: only pod 0
 * may form the cluster), which Debian's 3.10 does not have (its k8s backend queries the API
 * server); the 4.1 keys are checked against the 4.1 sources instead (see config.ts). What 3.10
 * does with the pods' own file is proved here: it refuses it (the one key it does not know is
 * 4.1's ordinal_start) instead of booting a cluster of one.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as http from "http";
import * as path from "path";
import * as amqp from "amqplib";
import { RABBITMQ_PORTS, enabledPlugins, rabbitmqConf, rabbitmqNodeName, rabbitmqStartScript } from "../components/rabbitmq-cluster";
import { RABBITMQ_DEFAULTS } from "../components/rabbitmq-cluster/resolve";
import { waitFor } from "./processes";
import { NodePorts, RabbitCluster, rabbitmqMissing, startCluster } from "./rabbitmq-server";

jest.setTimeout(240_000);

const USER = "orders";
const VHOST = "orders";
const PASSWORD = crypto.randomBytes(24).toString("hex");
const COOKIE = crypto.randomBytes(24).toString("hex").toUpperCase();
const HOSTS = [0, 1, 2].map((i) => rabbitmqNodeName(`mq-${i}`, "mq-headless", "test").slice("rabbit@".length));
const MEMORY_LIMIT = 1024 ** 3;
/** The node whose rabbitmq.conf is generated with perObjectMetrics off. */
const PER_OBJECT_CONTROL = 2;

/** What the component would generate, less the peers (ports chosen at run time). */
function settings(ports: NodePorts) {
  return {
    clusterName: "mq",
    amqpPort: ports.amqp,
    memoryHighWatermarkBytes: Math.floor(MEMORY_LIMIT * RABBITMQ_DEFAULTS.watermarkShare),
    // A test value: the component uses the memory limit, more than a build machine may have free.
    diskFreeLimitBytes: 64 * 1024 ** 2,
    vhost: VHOST,
    username: USER,
    password: PASSWORD,
    prometheusPort: ports.prometheus,
  };
}

let cluster: RabbitCluster | undefined;
const open: amqp.ChannelModel[] = [];

beforeAll(async () => {
  const missing = rabbitmqMissing();
  if (missing) throw new Error(missing);
  cluster = await startCluster({
    hosts: HOSTS,
    conf: (i, ports, names) =>
      rabbitmqConf({
        ...settings(ports),
        nodes: names,
        peerDiscovery: "classic_config",
        // Node 2 is generated without it: the control for the per-queue series.
        perObjectMetrics: i !== PER_OBJECT_CONTROL,
      }),
    enabledPlugins: enabledPlugins({ prometheus: true, management: false }),
    startScript: rabbitmqStartScript(),
    cookie: COOKIE,
  });
  const c = cluster;
  const running = async () => {
    const r = await c.cli(0, "rabbitmqctl", ["cluster_status", "--formatter", "json"]);
    if (r.code !== 0) return false;
    return (JSON.parse(r.output.slice(r.output.indexOf("{"))).running_nodes ?? []).length === 3;
  };
  await waitFor("three running nodes", running, 180_000).catch((e) => {
    throw new Error(`${e}\n${c.nodes.map((n) => `--- ${n.name}\n${n.log().slice(-4000)}`).join("\n")}`);
  });
});

afterAll(async () => {
  for (const conn of open) await conn.close().catch(() => undefined);
  await cluster?.stop();
});

function url(i: number, user = USER, password = PASSWORD, vhost = VHOST): string {
  const node = (cluster as RabbitCluster).nodes[i];
  return `amqp://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${node.ports.amqp}/${encodeURIComponent(vhost)}`;
}

/** One GET on a fresh connection (no keep-alive socket outlives the test). */
function httpGet(target: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(target, { agent: false }, (res) => {
        let body = "";
        res.on("data", (d) => (body += d));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on("error", reject);
  });
}

async function connect(i: number): Promise<amqp.ChannelModel> {
  const conn = await amqp.connect(url(i));
  open.push(conn);
  return conn;
}

describe("a RabbitMQ cluster from the generated configuration", () => {
  test("three nodes form one cluster by their stable long names", async () => {
    const c = cluster as RabbitCluster;
    const names = HOSTS.map((h) => `rabbit@${h}`).sort();
    for (const i of [0, 1, 2]) {
      const r = await c.cli(i, "rabbitmqctl", ["cluster_status", "--formatter", "json"]);
      expect(r.code).toBe(0);
      const status = JSON.parse(r.output.slice(r.output.indexOf("{")));
      expect([...status.running_nodes].sort()).toEqual(names);
      expect([...status.disk_nodes].sort()).toEqual(names);
      expect(status.cluster_name).toBe("mq");
    }
    // The cookie came from the mounted file and was installed owner-only by the start command.
    for (const n of c.nodes) {
      const cookie = path.join(n.home, ".erlang.cookie");
      expect((fs.statSync(cookie).mode & 0o777).toString(8)).toBe("400");
      expect(fs.readFileSync(cookie, "utf8")).toBe(COOKIE);
    }
  });

  test("the generated user and vhost exist, guest does not, and the alarms are the generated ones", async () => {
    const c = cluster as RabbitCluster;
    const users = JSON.parse((await c.cli(1, "rabbitmqctl", ["list_users", "--formatter", "json"])).output.replace(/^[^[]*/, ""));
    expect(users.map((u: { user: string }) => u.user)).toEqual([USER]);
    const vhosts = JSON.parse((await c.cli(2, "rabbitmqctl", ["list_vhosts", "--formatter", "json"])).output.replace(/^[^[]*/, ""));
    expect(vhosts.map((v: { name: string }) => v.name)).toEqual([VHOST]);
    const env = (await c.cli(0, "rabbitmqctl", ["environment"])).output;
    expect(env).toMatch(new RegExp(`\\{vm_memory_high_watermark,\\s*\\{absolute,\\s*${Math.floor(MEMORY_LIMIT * RABBITMQ_DEFAULTS.watermarkShare)}\\}\\}`));
    expect(env).toMatch(/\{disk_free_limit,\s*67108864\}/);
    expect(env).toMatch(/\{cluster_partition_handling,\s*pause_minority\}/);
  });

  test("a message published on one node is consumed on another (a quorum queue over the cluster)", async () => {
    const publisher = await (await connect(0)).createConfirmChannel();
    await publisher.assertQueue("keel-proof", { durable: true, arguments: { "x-queue-type": "quorum" } });
    const body = `hello from mq-0 ${crypto.randomUUID()}`;
    publisher.sendToQueue("keel-proof", Buffer.from(body), { persistent: true });
    await publisher.waitForConfirms();
    const consumer = await (await connect(2)).createChannel();
    let got: string | undefined;
    await waitFor("the message on node 2", async () => {
      const m = await consumer.get("keel-proof", { noAck: true });
      if (m) got = m.content.toString();
      return m !== false;
    });
    expect(got).toBe(body);
    const queues = (await (cluster as RabbitCluster).cli(1, "rabbitmqctl", ["list_queues", "-p", VHOST, "name", "type", "--formatter", "json"])).output;
    expect(queues).toMatch(/"name":"keel-proof","type":"quorum"/);
  });

  test("only the generated credentials log in", async () => {
    const refused = async (u: string) => {
      try {
        const conn = await amqp.connect(u);
        open.push(conn);
        return "connected";
      } catch (e) {
        return String((e as Error).message);
      }
    };
    expect(await refused(url(1, "guest", "guest", "/"))).toMatch(/ACCESS_REFUSED|403/);
    expect(await refused(url(1, USER, "wrong-password"))).toMatch(/ACCESS_REFUSED|403/);
  });

  test("rabbitmq_prometheus serves metrics on the generated port", async () => {
    const node = (cluster as RabbitCluster).nodes[1];
    const res = await httpGet(`http://127.0.0.1:${node.ports.prometheus}/metrics`);
    expect(res.status).toBe(200);
    expect(res.body).toMatch(/^rabbitmq_/m);
    expect(RABBITMQ_PORTS.prometheus).toBe(15692); // what the pods use; here each node has a free port
  });

  test("perObjectMetrics: /metrics serves rabbitmq_queue_messages_ready per queue (node totals without it)", async () => {
    const c = cluster as RabbitCluster;
    // A classic queue lives on the node its declaring client is connected to (client-local): one
    // on node 0 (perObjectMetrics on), one on node 2 (generated without it).
    const fill = async (i: number, queue: string, count: number) => {
      const ch = await (await connect(i)).createConfirmChannel();
      await ch.assertQueue(queue, { durable: true, arguments: { "x-queue-type": "classic" } });
      for (let k = 0; k < count; k++) ch.sendToQueue(queue, Buffer.from(`ready ${k}`), { persistent: true });
      await ch.waitForConfirms();
    };
    await Promise.all([fill(0, "keel-metrics", 3), fill(PER_OBJECT_CONTROL, "keel-metrics-control", 2)]);
    const metrics = async (i: number) => {
      const res = await httpGet(`http://127.0.0.1:${c.nodes[i].ports.prometheus}/metrics`);
      expect(res.status).toBe(200);
      return res.body;
    };
    // Queues report every collect_statistics_interval (5 s): wait for the numbers, then compare.
    const perQueue = new RegExp(`^rabbitmq_queue_messages_ready\\{(?=[^}]*\\bvhost="${VHOST}")(?=[^}]*\\bqueue="keel-metrics")[^}]*\\} 3$`, "m");
    let node0 = "";
    await waitFor("rabbitmq_queue_messages_ready of keel-metrics on node 0", async () => perQueue.test((node0 = await metrics(0))), 60_000);
    expect(node0).toMatch(/^# TYPE rabbitmq_queue_messages_ready gauge$/m);
    expect(node0).not.toMatch(/^rabbitmq_queue_messages_ready \d/m); // no node total beside the per-queue series
    // The control: the same family as one unlabelled node total (the queue's 2 ready messages), no queue label.
    let node2 = "";
    await waitFor("the node total on node 2", async () => /^rabbitmq_queue_messages_ready 2$/m.test((node2 = await metrics(PER_OBJECT_CONTROL))), 60_000);
    expect(node2).not.toMatch(/^rabbitmq_queue_messages_ready\{[^}]*queue=/m);
  });

  test("a RabbitMQ older than 4.1 refuses the pods' cluster file (k8s peer discovery) rather than boot alone", async () => {
    // The file the pods get: only 4.1+ declares cluster_formation.k8s.ordinal_start. Without it, an
    // older node would run its own k8s backend (v1: the API server, no token here) and boot standalone.
    const hosts = [0, 1, 2].map((i) => rabbitmqNodeName(`mq-${i}`, "mq-headless", "older").slice("rabbit@".length));
    const older = await startCluster({
      hosts: [hosts[1]],
      conf: (_i, ports) => rabbitmqConf({ ...settings(ports), nodes: hosts.map((h) => `rabbit@${h}`), peerDiscovery: "k8s", perObjectMetrics: true }),
      enabledPlugins: enabledPlugins({ prometheus: true, management: false, k8sPeerDiscovery: true }),
      startScript: rabbitmqStartScript(),
      cookie: COOKIE,
    });
    try {
      await waitFor("the 3.10 node to refuse its file", async () => /BOOT FAILED/.test(older.nodes[0].log()), 60_000);
      expect(older.nodes[0].log()).toMatch(/unknown variable: cluster_formation\.k8s\.ordinal_start/);
      // Nothing else in the file is unknown to 3.10.
      expect(older.nodes[0].log().match(/unknown variable: \S+/g)).toEqual(["unknown variable: cluster_formation.k8s.ordinal_start"]);
    } finally {
      await older.stop();
    }
  });
});
