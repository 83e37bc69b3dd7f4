import { ApiService, RabbitMqCluster, RabbitMqClusterArgs, enabledPlugins, k8sSeedNode, rabbitmqConf, rabbitmqStartScript, resolveRabbitMqArgs } from "../../../components";
import { imageEntry } from "../../../components/core/images";
import { scriptCommands } from "../../../policies/lib/image-manifest";
import { integrityProblems } from "../../helpers/integrity";
import { testPlatform } from "../../helpers/platform";
import { schemaProblems } from "../../helpers/schema";
import { at, synthesize, unwrap } from "../../helpers/synth";

type Obj = Record<string, unknown>;
type Synth = Awaited<ReturnType<typeof synthesize>>;

function cluster(args: Partial<RabbitMqClusterArgs> = {}) {
  return synthesize(() => {
    const platform = testPlatform();
    const mq = new RabbitMqCluster("mq", { platform, ...args });
    new ApiService("api", { platform, image: "ghcr.io/acme/api:1.0.0", connections: [mq.connection] });
  });
}

const secretData = (s: Synth, name: string) => unwrap((s.resources.find((r) => r.type === "kubernetes:core/v1:Secret" && r.name === name)?.inputs as Obj).stringData) as Record<string, string>;
const conf = (s: Synth) => secretData(s, "mq-config")["rabbitmq.conf"];
const envOf = (sts: unknown) => Object.fromEntries((at(sts, "spec.template.spec.containers.0.env") as Obj[]).map((e) => [e.name, e.value ?? e.valueFrom]));
const ports = (policy: unknown, path: string) => (at(policy, path) as Obj[]).map((p) => p.port);
/** The keys of a rabbitmq.conf, in order. */
const keys = (text: string) => text.split("\n").filter((l) => l !== "" && !l.startsWith("#")).map((l) => l.split(" = ")[0]);
const IMAGE = "rabbitmq:4.1.8-alpine";

describe("RabbitMqCluster on Kubernetes", () => {
  it("one node: hardened StatefulSet on a volume, config and cookie from Secrets, secrets kept secret", async () => {
    const s = await cluster();
    expect(s.objects.map(schemaProblems).filter(Boolean)).toEqual([]);
    expect(integrityProblems(s.objects)).toEqual([]);
    const sts = s.object("StatefulSet", "mq");
    expect(at(sts, "spec.replicas")).toBe(1);
    expect(at(sts, "spec.podManagementPolicy")).toBe("Parallel");
    expect(at(sts, "spec.template.spec.containers.0.image")).toBe(IMAGE);
    expect(at(sts, "spec.template.spec.securityContext")).toMatchObject({ runAsNonRoot: true, runAsUser: 100, runAsGroup: 101, fsGroup: 101 });
    expect(at(sts, "spec.template.spec.containers.0.securityContext")).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } });
    expect(at(sts, "spec.template.spec.containers.0.command")).toEqual(["/bin/sh", "-c", rabbitmqStartScript()]);
    expect(at(sts, "spec.volumeClaimTemplates.0.spec.resources.requests.storage")).toBe("8Gi");
    expect(at(sts, "spec.template.spec.containers.0.resources")).toMatchObject({ requests: { cpu: "250m", memory: "512Mi" }, limits: { cpu: "1", memory: "1Gi" } });
    const mounts = Object.fromEntries((at(sts, "spec.template.spec.containers.0.volumeMounts") as Obj[]).map((m) => [m.mountPath, m.name]));
    expect(mounts).toEqual({ "/tmp": "tmp", "/var/lib/rabbitmq": "data", "/etc/rabbitmq": "config", "/etc/rabbitmq-cookie": "cookie", "/var/log/rabbitmq": "log" });
    // Every path the image writes is a volume (the root filesystem is read-only).
    expect(imageEntry(IMAGE)?.writablePaths.filter((p) => !mounts[p])).toEqual([]);
    const volumes = Object.fromEntries((at(sts, "spec.template.spec.volumes") as Obj[]).map((v) => [v.name, v]));
    expect(at(volumes.config, "secret.secretName")).toMatch(/^mq-config-/);
    expect(at(volumes.cookie, "secret.secretName")).toBe("mq-erlang-cookie");
    expect(s.all("ConfigMap").filter((c) => c.metadata.name.startsWith("mq"))).toEqual([]);
    const env = envOf(sts);
    expect(env).toMatchObject({
      RABBITMQ_USE_LONGNAME: "true",
      RABBITMQ_NODENAME: "rabbit@$(POD_NAME).mq-headless.data.svc.cluster.local",
      RABBITMQ_CONFIG_FILE: "/etc/rabbitmq/rabbitmq.conf",
      RABBITMQ_ENABLED_PLUGINS_FILE: "/etc/rabbitmq/enabled_plugins",
      RABBITMQ_MNESIA_BASE: "/var/lib/rabbitmq/mnesia",
      RABBITMQ_LOG_BASE: "/var/log/rabbitmq",
      HOME: "/var/lib/rabbitmq",
      COOKIE_FILE: "/etc/rabbitmq-cookie/cookie",
    });
    expect(Object.keys(env)).not.toContain("RABBITMQ_ERLANG_COOKIE");
    expect(at(s.object("Service", "mq-headless"), "spec")).toMatchObject({ clusterIP: "None", publishNotReadyAddresses: true });
    expect(ports(s.object("Service", "mq"), "spec.ports")).toEqual([5672]);
    expect(at(sts, "spec.template.metadata.annotations")).toMatchObject({ "prometheus.io/scrape": "true", "prometheus.io/port": "15692", "prometheus.io/path": "/metrics" });
    expect(s.all("PodDisruptionBudget").filter((p) => p.metadata.name === "mq")).toEqual([]);

    const text = conf(s);
    expect(text).toMatch(/^listeners\.tcp\.default = 5672$/m);
    expect(text).toMatch(/^cluster_partition_handling = ignore$/m);
    expect(text).not.toMatch(/cluster_formation/);
    expect(text).toMatch(/^vm_memory_high_watermark\.absolute = 644245094$/m);
    expect(text).toMatch(/^disk_free_limit\.absolute = 1073741824$/m);
    expect(text).toMatch(/^default_vhost = mq$/m);
    expect(text).toMatch(/^default_user = mq$/m);
    expect(text).toMatch(/^loopback_users\.guest = true$/m);
    expect(text).toMatch(/^prometheus\.tcp\.port = 15692$/m);
    // Node totals by default: per-object series are asked for (perObjectMetrics).
    expect(text).not.toMatch(/return_per_object_metrics/);
    expect(text).not.toMatch(/management\.tcp/);
    expect(secretData(s, "mq-config").enabled_plugins).toBe("[rabbitmq_prometheus].\n");

    const password = secretData(s, "mq-credentials").password;
    const cookie = secretData(s, "mq-erlang-cookie").cookie;
    expect(password).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(cookie).toMatch(/^[A-Za-z0-9]{48}$/);
    expect(text).toContain(`default_pass = ${password}`);
    const apiSecret = secretData(s, "api-env");
    expect(Object.keys(apiSecret).sort()).toEqual(["RABBITMQ_PASSWORD", "RABBITMQ_URL"]);
    expect(apiSecret.RABBITMQ_URL).toBe(`amqp://mq:${password}@mq.data.svc.cluster.local:5672/mq`);
    expect(s.all("ConfigMap").find((c) => c.metadata.name.startsWith("api-env"))?.data).toMatchObject({ RABBITMQ_HOST: "mq.data.svc.cluster.local", RABBITMQ_PORT: "5672", RABBITMQ_USERNAME: "mq", RABBITMQ_VHOST: "mq" });
    const written = s.written();
    expect(written).not.toContain(password);
    expect(written).not.toContain(cookie);
    expect(ports(s.object("NetworkPolicy", "mq-clients-from-api"), "spec.ingress.0.ports")).toEqual([5672]);
  });

  it("three nodes: only pod 0 forms the cluster (k8s peer discovery, 4.1+), pause_minority, members on epmd/distribution/AMQP, PDB and spread", async () => {
    let nodeNames: string[] = [];
    const s = await synthesize(() => {
      const platform = testPlatform();
      const mq = new RabbitMqCluster("mq", { platform, replicas: 3, vhost: "/", username: "orders" });
      new ApiService("api", { platform, image: "ghcr.io/acme/api:1.0.0", connections: [mq.connection] });
      mq.nodeNames.apply((n) => (nodeNames = n));
    });
    expect(integrityProblems(s.objects)).toEqual([]);
    const text = conf(s);
    expect(text).toMatch(/^cluster_formation\.peer_discovery_backend = k8s$/m);
    expect(text).toMatch(/^cluster_formation\.k8s\.ordinal_start = 0$/m);
    // No node list and no API access: the seed is derived from each node's own name.
    expect(text).not.toMatch(/classic_config|cluster_formation\.k8s\.(host|token_path|service_name|seed_node)/);
    // What each pod's RABBITMQ_NODENAME becomes (the kubelet expands $(POD_NAME) to the
    // StatefulSet's pod names) is the component's nodeNames, and k8s peer discovery derives pod 0's from each.
    const template = String(envOf(s.object("StatefulSet", "mq")).RABBITMQ_NODENAME);
    const names = [0, 1, 2].map((i) => template.replace("$(POD_NAME)", `mq-${i}`));
    expect(names).toEqual(nodeNames);
    expect(names.map((n) => k8sSeedNode(n))).toEqual([names[0], names[0], names[0]]);
    expect(text).toMatch(/^cluster_partition_handling = pause_minority$/m);
    expect(text).toMatch(/^default_vhost = \/$/m);
    expect(secretData(s, "mq-config").enabled_plugins).toBe("[rabbitmq_prometheus,rabbitmq_peer_discovery_k8s].\n");
    const sts = s.object("StatefulSet", "mq");
    expect(at(sts, "spec.replicas")).toBe(3);
    expect(at(sts, "spec.podManagementPolicy")).toBe("Parallel");
    expect(at(sts, "spec.template.spec.containers.0.image")).toBe(IMAGE);
    expect(envOf(sts).RABBITMQ_NODENAME).toBe("rabbit@$(POD_NAME).mq-headless.data.svc.cluster.local");
    expect(at(sts, "spec.template.spec.affinity.podAntiAffinity")).toBeDefined();
    expect(s.object("PodDisruptionBudget", "mq").spec).toMatchObject({ maxUnavailable: 1 });
    const policy = s.object("NetworkPolicy", "mq-netpol");
    const fromMembers = (at(policy, "spec.ingress") as Obj[]).find((r) => JSON.stringify(r.from).includes("app.kubernetes.io/instance"));
    expect(ports(fromMembers, "ports")).toEqual([4369, 25672, 5672]);
    expect((at(policy, "spec.egress") as Obj[]).some((r) => JSON.stringify(r.ports) === JSON.stringify([4369, 25672, 5672].map((port) => ({ port, protocol: "TCP" }))))).toBe(true);
    expect(secretData(s, "api-env").RABBITMQ_URL).toMatch(/^amqp:\/\/orders:[A-Za-z0-9]{32}@mq\.data\.svc\.cluster\.local:5672\/%2F$/);
  });

  it("serves per-queue series on the scraped /metrics when asked (perObjectMetrics), node totals otherwise", async () => {
    const s = await cluster({ replicas: 3, perObjectMetrics: true });
    const text = conf(s);
    expect(text).toMatch(/^prometheus\.tcp\.port = 15692$/m);
    expect(text).toMatch(/^prometheus\.return_per_object_metrics = true$/m);
    // The same endpoint Prometheus scrapes: the per-object series replace the totals on /metrics.
    expect(at(s.object("StatefulSet", "mq"), "spec.template.metadata.annotations")).toMatchObject({ "prometheus.io/scrape": "true", "prometheus.io/port": "15692", "prometheus.io/path": "/metrics" });
    expect(keys(text)).toEqual([
      "listeners.tcp.default",
      "cluster_name",
      "cluster_formation.peer_discovery_backend",
      "cluster_formation.k8s.ordinal_start",
      "cluster_partition_handling",
      "vm_memory_high_watermark.absolute",
      "disk_free_limit.absolute",
      "default_vhost",
      "default_user",
      "default_pass",
      "default_permissions.configure",
      "default_permissions.read",
      "default_permissions.write",
      "loopback_users.guest",
      "log.console",
      "log.console.level",
      "log.file",
      "prometheus.tcp.port",
      "prometheus.return_per_object_metrics",
      "management_agent.disable_metrics_collector",
    ]);
  });

  it("serves the management UI only when asked, and only to rules that name its port", async () => {
    const s = await cluster({ management: true, metrics: false, allowFrom: [{ peer: { kind: "namespace", namespace: "ops", podLabels: { app: "admin" } }, ports: [{ port: 15672 }] }] });
    expect(ports(s.object("Service", "mq"), "spec.ports")).toEqual([5672, 15672]);
    const text = conf(s);
    expect(text).toMatch(/^management\.tcp\.port = 15672$/m);
    expect(text).toMatch(/^default_user_tags\.management = true$/m);
    expect(text).not.toMatch(/prometheus|disable_metrics_collector/);
    expect(secretData(s, "mq-config").enabled_plugins).toBe("[rabbitmq_management].\n");
    expect(ports(s.object("NetworkPolicy", "mq-clients-netpol"), "spec.ingress.0.ports")).toEqual([15672]);
    expect(enabledPlugins({ prometheus: false, management: false })).toBe("[].\n");
  });

  it("protects the StatefulSet, the credentials, the cookie and their random values; never the derived config", async () => {
    const s = await synthesize(() => {
      const platform = testPlatform();
      new RabbitMqCluster("mq", { platform, replicas: 3, protect: true });
      new RabbitMqCluster("dev-mq", { platform });
    });
    const opts = (name: string, type?: string) => {
      const r = s.resource(name, type);
      return { protect: r.protect, retainOnDelete: r.retainOnDelete };
    };
    const on = { protect: true, retainOnDelete: true };
    const off = { protect: false, retainOnDelete: false };
    expect(opts("mq-statefulset")).toEqual(on);
    expect(opts("mq-credentials")).toEqual(on);
    expect(opts("mq-erlang-cookie", "Secret")).toEqual(on);
    expect(opts("mq-erlang-cookie", "RandomPassword")).toEqual(on);
    expect(opts("mq-rabbitmq-password")).toEqual(on);
    expect(opts("mq-config")).toEqual(off);
    expect([opts("dev-mq-statefulset"), opts("dev-mq-credentials"), opts("dev-mq-erlang-cookie", "Secret")]).toEqual([off, off, off]);
  });

  it("starts with commands the image has, installing the cookie owner-only", () => {
    const tools = imageEntry(IMAGE)?.tools ?? [];
    expect(scriptCommands(rabbitmqStartScript()).filter((c) => !tools.includes(c))).toEqual([]);
    expect(rabbitmqStartScript()).toMatch(/chmod 0400 "\$HOME\/\.erlang\.cookie"\nexec rabbitmq-server/);
  });
});

describe("rabbitmqConf", () => {
  const base = { nodes: ["rabbit@a.example"], clusterName: "mq", memoryHighWatermarkBytes: 1, diskFreeLimitBytes: 1, vhost: "v", username: "u", password: "p" };
  const pods = [0, 1, 2].map((i) => `rabbit@mq-${i}.mq-headless.ns.svc.cluster.local`);
  it("refuses a value rabbitmq.conf cannot carry", () => {
    expect(() => rabbitmqConf({ ...base, password: "a#b" })).toThrow('rabbitmqConf: default_pass "a#b" holds a character rabbitmq.conf cannot carry');
    expect(() => rabbitmqConf({ ...base, vhost: "a\nb" })).toThrow(/default_vhost/);
    expect(() => rabbitmqConf({ ...base, amqpPort: 70000 })).toThrow(/listeners.tcp.default 70000 is not a port/);
  });
  it("writes only key = value lines and comments", () => {
    for (const peerDiscovery of ["k8s", "classic_config"] as const) {
      const lines = rabbitmqConf({ ...base, nodes: pods, peerDiscovery, prometheusPort: 15692, perObjectMetrics: true, managementPort: 15672 }).split("\n");
      expect(lines.filter((l) => l !== "" && !l.startsWith("#") && !/^[a-z_.0-9]+ = \S+$/.test(l))).toEqual([]);
    }
  });
  it("with k8s peer discovery, asks every node to lead to pod 0", () => {
    expect(k8sSeedNode("rabbit@orders-mq-12.orders-mq-headless.data.svc.cluster.local")).toBe("rabbit@orders-mq-0.orders-mq-headless.data.svc.cluster.local");
    expect(k8sSeedNode("rabbit@mq-3")).toBe("rabbit@mq-0");
    expect(k8sSeedNode("rabbit@mq.example")).toBeUndefined();
    expect(() => rabbitmqConf({ ...base, nodes: ["rabbit@a.example", "rabbit@b.example", "rabbit@c.example"] })).toThrow(/every node must lead to the seed "rabbit@a.example"/);
    expect(() => rabbitmqConf({ ...base, nodes: [pods[1], pods[0], pods[2]] })).toThrow(/every node must lead to the seed/);
  });
  it("lists the nodes with classic_config (what Debian's 3.10 in the real test runs)", () => {
    const text = rabbitmqConf({ ...base, nodes: pods, peerDiscovery: "classic_config" });
    expect(text).toMatch(/^cluster_formation\.peer_discovery_backend = classic_config$/m);
    pods.forEach((n, i) => expect(text).toContain(`cluster_formation.classic_config.nodes.${i + 1} = ${n}\n`));
    expect(text).not.toMatch(/cluster_formation\.k8s/);
    // One node: no peer discovery at all, whichever is asked for.
    expect(rabbitmqConf({ ...base, peerDiscovery: "k8s" })).not.toMatch(/cluster_formation/);
  });
  it("writes per-object metrics only with the Prometheus plugin", () => {
    expect(rabbitmqConf({ ...base, prometheusPort: 15692, perObjectMetrics: true })).toMatch(/^prometheus\.return_per_object_metrics = true$/m);
    expect(rabbitmqConf({ ...base, prometheusPort: 15692, perObjectMetrics: false })).not.toMatch(/return_per_object_metrics/);
    expect(() => rabbitmqConf({ ...base, perObjectMetrics: true })).toThrow("rabbitmqConf: perObjectMetrics needs prometheusPort");
    expect(enabledPlugins({ prometheus: true, management: true, k8sPeerDiscovery: true })).toBe("[rabbitmq_prometheus,rabbitmq_management,rabbitmq_peer_discovery_k8s].\n");
  });
});

describe("RabbitMqCluster validation", () => {
  let platform: ReturnType<typeof testPlatform> | undefined;
  beforeEach(() => (platform = undefined));
  const message = (args: Partial<RabbitMqClusterArgs>) => {
    platform ??= testPlatform();
    try {
      new RabbitMqCluster("mq", { platform, ...args } as RabbitMqClusterArgs);
      return "";
    } catch (e) {
      return (e as Error).message;
    }
  };
  const odd = "expected 1, or an odd number from 3 to 9: quorum queues and pause_minority need a majority of the nodes up (an even count tolerates no more failures than one node fewer)";

  it("asks for 1 or an odd number of nodes", async () => {
    await synthesize(() => {
      expect(message({ replicas: 2 })).toBe(`RabbitMqCluster "mq": replicas is 2; ${odd}`);
      expect(message({ replicas: 4 })).toBe(`RabbitMqCluster "mq": replicas is 4; ${odd}`);
      expect(message({ replicas: 0 })).toBe(`RabbitMqCluster "mq": replicas is 0; ${odd}`);
    });
  });

  it("reports every problem at once, before any resource", async () => {
    const s = await synthesize(() => {
      const lines = message({
        replicas: 3,
        vhost: "my vhost",
        username: "guest",
        storage: false,
        singleNodeReason: "one is plenty",
        resources: { limits: { memory: "256Mi" }, requests: { memory: "128Mi" } },
        image: "rabbitmq:3.11.28-alpine",
        allowFrom: [{ peer: { kind: "namespace", namespace: "ops", podLabels: { app: "admin" } }, ports: [{ port: 15672 }] }],
        disruptionBudget: { maxUnavailable: 2 },
      }).split("\n");
      expect(lines).toEqual([
        'RabbitMqCluster "mq": image is "rabbitmq:3.11.28-alpine"; expected RabbitMQ 3.12 to 4.x (keel\'s rabbitmq.conf uses keys valid from 3.10 to 4.x; the seed asks for 3.12 or later)',
        'RabbitMqCluster "mq": vhost is "my vhost"; expected "/" or 1 to 64 letters, digits, \'.\', \'_\' and \'-\' starting with a letter or digit (it is written into rabbitmq.conf and the URL)',
        'RabbitMqCluster "mq": username is "guest"; expected a user other than "guest" (RabbitMQ\'s default user, which keel confines to localhost)',
        'RabbitMqCluster "mq": resources.limits.memory is "256Mi"; expected at least "512Mi": RabbitMQ blocks publishers above its memory watermark (60% of the limit), which must sit well above what an idle node uses',
        'RabbitMqCluster "mq": storage is false; expected a volume with more than one node: a node restarted on an empty disk keeps its name but has forgotten the cluster, and its peers refuse it',
        'RabbitMqCluster "mq": allowFrom[0].ports[0].port is 15672; expected a port the cluster serves to clients: 5672 (AMQP), and 15672 with management: true',
        'RabbitMqCluster "mq": singleNodeReason is "one is plenty"; expected none with more than one node',
        'RabbitMqCluster "mq": disruptionBudget.maxUnavailable is 2; expected at most 1: with fewer than 2 of the 3 nodes up, the rest pause (pause_minority) and quorum queues stop',
      ]);
    });
    expect(s.resources.filter((r) => r.type.startsWith("kubernetes:") && r.name.startsWith("mq"))).toEqual([]);
  });

  it("asks for RabbitMQ 4.1 or later with more than one node, and metrics for per-object metrics", async () => {
    const cluster41 = 'expected RabbitMQ 4.1 or later with more than one node: its Kubernetes peer discovery lets only pod 0 form the cluster (before 4.1, nodes that boot together can form more than one)';
    await synthesize(() => {
      expect(message({ replicas: 3, image: "rabbitmq:3.13.7-alpine" })).toBe(`RabbitMqCluster "mq": image is "rabbitmq:3.13.7-alpine"; ${cluster41}`);
      expect(message({ replicas: 3, image: "registry.example.com/library/rabbitmq:4.0.9-management-alpine" })).toBe(`RabbitMqCluster "mq": image is "registry.example.com/library/rabbitmq:4.0.9-management-alpine"; ${cluster41}`);
      const image = (args: Partial<RabbitMqClusterArgs>) => resolveRabbitMqArgs("mq", { platform: (platform ??= testPlatform()), ...args }).image;
      expect(image({ replicas: 3, image: "rabbitmq:4.1.8-management-alpine" })).toBe("rabbitmq:4.1.8-management-alpine");
      expect(image({ replicas: 5, image: "rabbitmq:4.2.9" })).toBe("rabbitmq:4.2.9");
      expect(image({ replicas: 3 })).toBe(IMAGE);
      // One node discovers nothing: 3.12 and later.
      expect(image({ image: "rabbitmq:3.13.7-alpine" })).toBe("rabbitmq:3.13.7-alpine");
      expect(image({ image: "rabbitmq:3.12.14" })).toBe("rabbitmq:3.12.14");
      expect(message({ perObjectMetrics: true, metrics: false })).toBe('RabbitMqCluster "mq": perObjectMetrics is true; expected metrics: true (per-queue series are served by rabbitmq_prometheus, which metrics: false leaves off)');
    });
  });

  it("checks the storage against the disk alarm and the shape of the args", async () => {
    await synthesize(() => {
      expect(message({ storage: { size: "1Gi" } })).toBe('RabbitMqCluster "mq": storage.size is "1Gi"; expected at least twice the memory limit "1Gi": publishers are blocked when less than the memory limit is free on the volume (disk_free_limit)');
      expect(message({ replicas: 3, singleNodeReason: undefined, vhost: "orders" })).toBe("");
      expect(message({ mangement: true } as Partial<RabbitMqClusterArgs>)).toMatch(/^RabbitMqCluster "mq": mangement is an unknown key; .*did you mean "management"/);
    });
  });
});
