import { ApiService, RabbitMqCluster, RabbitMqClusterArgs, enabledPlugins, rabbitmqConf, rabbitmqStartScript } from "../../../components";
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

describe("RabbitMqCluster on Kubernetes", () => {
  it("one node: hardened StatefulSet on a volume, config and cookie from Secrets, secrets kept secret", async () => {
    const s = await cluster();
    expect(s.objects.map(schemaProblems).filter(Boolean)).toEqual([]);
    expect(integrityProblems(s.objects)).toEqual([]);
    const sts = s.object("StatefulSet", "mq");
    expect(at(sts, "spec.replicas")).toBe(1);
    expect(at(sts, "spec.podManagementPolicy")).toBe("Parallel");
    expect(at(sts, "spec.template.spec.containers.0.image")).toBe("rabbitmq:3.13.7-alpine");
    expect(at(sts, "spec.template.spec.securityContext")).toMatchObject({ runAsNonRoot: true, runAsUser: 100, runAsGroup: 101, fsGroup: 101 });
    expect(at(sts, "spec.template.spec.containers.0.securityContext")).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } });
    expect(at(sts, "spec.template.spec.containers.0.command")).toEqual(["/bin/sh", "-c", rabbitmqStartScript()]);
    expect(at(sts, "spec.volumeClaimTemplates.0.spec.resources.requests.storage")).toBe("8Gi");
    expect(at(sts, "spec.template.spec.containers.0.resources")).toMatchObject({ requests: { cpu: "250m", memory: "512Mi" }, limits: { cpu: "1", memory: "1Gi" } });
    const mounts = Object.fromEntries((at(sts, "spec.template.spec.containers.0.volumeMounts") as Obj[]).map((m) => [m.mountPath, m.name]));
    expect(mounts).toEqual({ "/tmp": "tmp", "/var/lib/rabbitmq": "data", "/etc/rabbitmq": "config", "/etc/rabbitmq-cookie": "cookie", "/var/log/rabbitmq": "log" });
    // Every path the image writes is a volume (the root filesystem is read-only).
    expect(imageEntry("rabbitmq:3.13.7-alpine")?.writablePaths.filter((p) => !mounts[p])).toEqual([]);
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
    expect(at(sts, "spec.template.metadata.annotations")).toMatchObject({ "prometheus.io/scrape": "true", "prometheus.io/port": "15692" });
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

  it("three nodes: every stable name listed, pause_minority, members on epmd/distribution/AMQP, PDB and spread", async () => {
    const s = await cluster({ replicas: 3, vhost: "/", username: "orders" });
    expect(integrityProblems(s.objects)).toEqual([]);
    const text = conf(s);
    const names = [0, 1, 2].map((i) => `rabbit@mq-${i}.mq-headless.data.svc.cluster.local`);
    expect(text).toMatch(/^cluster_formation\.peer_discovery_backend = classic_config$/m);
    names.forEach((n, i) => expect(text).toMatch(new RegExp(`^cluster_formation\\.classic_config\\.nodes\\.${i + 1} = ${n.replace(/\./g, "\\.")}$`, "m")));
    expect(text).toMatch(/^cluster_partition_handling = pause_minority$/m);
    expect(text).toMatch(/^default_vhost = \/$/m);
    const sts = s.object("StatefulSet", "mq");
    expect(at(sts, "spec.replicas")).toBe(3);
    expect(at(sts, "spec.template.spec.affinity.podAntiAffinity")).toBeDefined();
    expect(s.object("PodDisruptionBudget", "mq").spec).toMatchObject({ maxUnavailable: 1 });
    const policy = s.object("NetworkPolicy", "mq-netpol");
    const fromMembers = (at(policy, "spec.ingress") as Obj[]).find((r) => JSON.stringify(r.from).includes("app.kubernetes.io/instance"));
    expect(ports(fromMembers, "ports")).toEqual([4369, 25672, 5672]);
    expect((at(policy, "spec.egress") as Obj[]).some((r) => JSON.stringify(r.ports) === JSON.stringify([4369, 25672, 5672].map((port) => ({ port, protocol: "TCP" }))))).toBe(true);
    expect(secretData(s, "api-env").RABBITMQ_URL).toMatch(/^amqp:\/\/orders:[A-Za-z0-9]{32}@mq\.data\.svc\.cluster\.local:5672\/%2F$/);
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
    const tools = imageEntry("rabbitmq:3.13.7-alpine")?.tools ?? [];
    expect(scriptCommands(rabbitmqStartScript()).filter((c) => !tools.includes(c))).toEqual([]);
    expect(rabbitmqStartScript()).toMatch(/chmod 0400 "\$HOME\/\.erlang\.cookie"\nexec rabbitmq-server/);
  });
});

describe("rabbitmqConf", () => {
  const base = { nodes: ["rabbit@a.example"], clusterName: "mq", memoryHighWatermarkBytes: 1, diskFreeLimitBytes: 1, vhost: "v", username: "u", password: "p" };
  it("refuses a value rabbitmq.conf cannot carry", () => {
    expect(() => rabbitmqConf({ ...base, password: "a#b" })).toThrow('rabbitmqConf: default_pass "a#b" holds a character rabbitmq.conf cannot carry');
    expect(() => rabbitmqConf({ ...base, vhost: "a\nb" })).toThrow(/default_vhost/);
    expect(() => rabbitmqConf({ ...base, amqpPort: 70000 })).toThrow(/listeners.tcp.default 70000 is not a port/);
  });
  it("writes only key = value lines and comments", () => {
    const lines = rabbitmqConf({ ...base, nodes: ["rabbit@a.example", "rabbit@b.example", "rabbit@c.example"], prometheusPort: 15692, managementPort: 15672 }).split("\n");
    expect(lines.filter((l) => l !== "" && !l.startsWith("#") && !/^[a-z_.0-9]+ = \S+$/.test(l))).toEqual([]);
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

  it("checks the storage against the disk alarm and the shape of the args", async () => {
    await synthesize(() => {
      expect(message({ storage: { size: "1Gi" } })).toBe('RabbitMqCluster "mq": storage.size is "1Gi"; expected at least twice the memory limit "1Gi": publishers are blocked when less than the memory limit is free on the volume (disk_free_limit)');
      expect(message({ replicas: 3, singleNodeReason: undefined, vhost: "orders" })).toBe("");
      expect(message({ mangement: true } as Partial<RabbitMqClusterArgs>)).toMatch(/^RabbitMqCluster "mq": mangement is an unknown key; .*did you mean "management"/);
    });
  });
});
