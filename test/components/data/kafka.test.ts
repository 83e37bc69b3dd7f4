import { ApiService, KafkaCluster, KafkaClusterArgs, STRIMZI_API_VERSION, serverProperties } from "../../../components";
import { integrityProblems } from "../../helpers/integrity";
import { testPlatform } from "../../helpers/platform";
import { schemaProblems } from "../../helpers/schema";
import { at, synthesize } from "../../helpers/synth";

type Obj = Record<string, unknown>;
type Kind = "int" | "short" | "bool" | "string" | "list" | "class" | "password";

/** Kafka's documented broker configs (kafka.apache.org/documentation/#brokerconfigs) and their types. */
const BROKER_CONFIGS: Record<string, Kind> = {
  "process.roles": "list",
  "node.id": "int",
  "controller.quorum.voters": "list",
  "controller.listener.names": "list",
  listeners: "list",
  "advertised.listeners": "list",
  "listener.security.protocol.map": "list",
  "inter.broker.listener.name": "string",
  "log.dirs": "string",
  "num.partitions": "int",
  "default.replication.factor": "int",
  "min.insync.replicas": "int",
  "offsets.topic.replication.factor": "short",
  "transaction.state.log.replication.factor": "short",
  "transaction.state.log.min.isr": "int",
  "auto.create.topics.enable": "bool",
  "unclean.leader.election.enable": "bool",
  "log.retention.hours": "int",
  "group.initial.rebalance.delay.ms": "int",
  "ssl.keystore.type": "string",
  "ssl.keystore.location": "string",
  "ssl.keystore.password": "password",
  "ssl.truststore.type": "string",
  "ssl.truststore.location": "string",
  "ssl.truststore.password": "password",
  "ssl.client.auth": "string",
  "ssl.endpoint.identification.algorithm": "string",
};
const ENUMS: Record<string, string[]> = { "ssl.client.auth": ["required", "requested", "none"], "ssl.keystore.type": ["JKS", "PKCS12", "PEM"], "ssl.truststore.type": ["JKS", "PKCS12", "PEM"] };

function typeProblems(props: Record<string, string>): string[] {
  const problems: string[] = [];
  for (const [key, value] of Object.entries(props)) {
    const kind = BROKER_CONFIGS[key];
    const placeholder = /^\$\{[A-Z_]+\}$/.test(value);
    if (!kind) problems.push(`${key} is not a documented broker config`);
    else if ((kind === "int" || kind === "short") && !placeholder && !/^\d+$/.test(value)) problems.push(`${key}=${value} is not an integer`);
    else if (kind === "short" && Number(value) > 32767) problems.push(`${key}=${value} is not a short`);
    else if (kind === "bool" && !["true", "false"].includes(value)) problems.push(`${key}=${value} is not a boolean`);
    else if (kind === "password" && !placeholder) problems.push(`${key} holds a literal password`);
    if (ENUMS[key] && !ENUMS[key].includes(value)) problems.push(`${key}=${value} is not one of ${ENUMS[key].join(", ")}`);
  }
  return problems;
}

describe("server.properties", () => {
  const props = serverProperties({ brokers: 3, hostOf: (i) => `k-${i}.k-headless.data.svc.cluster.local`, replicationFactor: 3, minInsyncReplicas: 2, defaultPartitions: 3, retentionHours: 168, tls: true, logDir: "/var/lib/kafka/data/logs", tlsDir: "/etc/kafka/tls" });
  it("uses documented keys with values of the documented types", () => {
    expect(typeProblems(props)).toEqual([]);
  });
  it("is KRaft with listeners 9092 (plain) and 9093 (TLS) and quorum voters for every node", () => {
    expect(props["process.roles"]).toBe("broker,controller");
    expect(props["controller.quorum.voters"]).toBe("0@k-0.k-headless.data.svc.cluster.local:9094,1@k-1.k-headless.data.svc.cluster.local:9094,2@k-2.k-headless.data.svc.cluster.local:9094");
    expect(props.listeners).toBe("PLAINTEXT://:9092,SSL://:9093,CONTROLLER://:9094");
    expect(props["listener.security.protocol.map"]).toBe("PLAINTEXT:PLAINTEXT,SSL:SSL,CONTROLLER:PLAINTEXT");
    expect(Object.keys(props).some((k) => k.startsWith("zookeeper"))).toBe(false);
  });
});

const deploy = (args: Partial<KafkaClusterArgs> = {}, operators = {}) =>
  synthesize(() => {
    const platform = testPlatform({ operators });
    const events = new KafkaCluster("events", { platform, brokers: 3, topics: [{ name: "orders", partitions: 6, config: { "retention.ms": 604800000 } }], ...args });
    new ApiService("api", { platform, image: "ghcr.io/acme/api:1.0.0", connections: [events.connection] });
  });

describe("KafkaCluster as StatefulSets", () => {
  it("runs 3 KRaft nodes with replication factor 3 and min.insync.replicas 2, schema-valid", async () => {
    const s = await deploy();
    expect(s.objects.map(schemaProblems).filter(Boolean)).toEqual([]);
    expect(integrityProblems(s.objects)).toEqual([]);
    expect(at(s.object("StatefulSet", "events"), "spec.replicas")).toBe(3);
    const conf = String((s.all("ConfigMap").find((c) => (c.data as Obj)?.["server.properties"])?.data as Obj)["server.properties"]);
    expect(conf).toMatch(/^default\.replication\.factor=3$/m);
    expect(conf).toMatch(/^min\.insync\.replicas=2$/m);
    expect(s.object("PodDisruptionBudget", "events").spec).toMatchObject({ maxUnavailable: 1 });
    expect(s.all("Certificate").map((c) => c.metadata.name).sort()).toEqual(["events-ca", "events-tls"]);
    expect(at(s.object("Certificate", "events-tls"), "spec.keystores.pkcs12.create")).toBe(true);
  });

  it("runs the exporter as its image's own user (nobody), the broker as the Kafka image's appuser", async () => {
    const containers = at(await deploy().then((s) => s.object("StatefulSet", "events")), "spec.template.spec.containers") as { name: string; securityContext?: { runAsUser?: number } }[];
    const exporter = containers.find((c) => c.name === "exporter");
    expect(exporter?.securityContext?.runAsUser).toBe(65534);
    expect(containers.find((c) => c.name === "kafka")?.securityContext?.runAsUser ?? 1000).toBe(1000);
  });
  it("creates the declared topics and passes KAFKA_BROKERS to the API, with network access both ways", async () => {
    const s = await deploy();
    const script = String((s.all("ConfigMap").find((c) => c.metadata.name.startsWith("events-topics"))?.data as Obj)["create-topics.sh"]);
    expect(script).toContain("--create --if-not-exists --topic orders --partitions 6 --replication-factor 3 --config retention.ms=604800000");
    expect(s.all("ConfigMap").find((c) => c.metadata.name.startsWith("api-env"))?.data).toMatchObject({ KAFKA_BROKERS: "events.data.svc.cluster.local:9092" });
    expect(at(s.object("NetworkPolicy", "events-clients-from-api"), "spec.ingress.0.ports")).toEqual([{ port: 9092, protocol: "TCP" }, { port: 9093, protocol: "TCP" }]);
  });
});

describe("KafkaCluster with Strimzi", () => {
  it("stays on StatefulSets unless asked, even where the operator is installed", async () => {
    const s = await deploy({}, { strimzi: true });
    expect(s.all("Kafka")).toEqual([]);
    expect(s.object("StatefulSet", "events")).toBeDefined();
  });

  it("emits Kafka, KafkaNodePool and KafkaTopic of the current API, schema-valid, and no StatefulSet", async () => {
    const s = await deploy({ strimzi: true }, { strimzi: true });
    expect(s.objects.map(schemaProblems).filter(Boolean)).toEqual([]);
    const kafka = s.object("Kafka", "events");
    expect(kafka.apiVersion).toBe(STRIMZI_API_VERSION);
    expect(at(kafka, "spec.kafka.listeners")).toEqual([
      { name: "plain", port: 9092, type: "internal", tls: false },
      { name: "tls", port: 9093, type: "internal", tls: true },
    ]);
    expect(at(kafka, "spec.kafka.config")).toMatchObject({ "default.replication.factor": 3, "min.insync.replicas": 2 });
    const pool = s.object("KafkaNodePool", "nodes");
    expect(at(pool, "spec")).toMatchObject({ replicas: 3, roles: ["controller", "broker"] });
    expect(at(pool, "metadata.labels")).toMatchObject({ "strimzi.io/cluster": "events" });
    expect(at(s.object("KafkaTopic", "orders"), "spec")).toEqual({ topicName: "orders", partitions: 6, replicas: 3, config: { "retention.ms": "604800000" } });
    expect(s.all("StatefulSet").filter((o) => o.metadata.name.startsWith("events"))).toEqual([]);
    // The schema check itself catches a listener port Strimzi would reject.
    const broken = JSON.parse(JSON.stringify(kafka)) as typeof kafka;
    ((broken.spec as Obj).kafka as { listeners: Obj[] }).listeners[0].port = 80;
    expect(schemaProblems(broken)).toMatch(/must be >= 9092/);
    expect(s.all("ConfigMap").find((c) => c.metadata.name.startsWith("api-env"))?.data).toMatchObject({ KAFKA_BROKERS: "events-kafka-bootstrap.data.svc.cluster.local:9092" });
    expect(at(kafka, "spec.kafka.template.pod.metadata.annotations")).toEqual({ "prometheus.io/scrape": "true", "prometheus.io/port": "9404", "prometheus.io/path": "/metrics" });
  });

  it("is scraped through a PodMonitor where the Prometheus operator runs", async () => {
    const s = await deploy({ strimzi: true }, { strimzi: true, prometheusOperator: true });
    expect(s.objects.map(schemaProblems).filter(Boolean)).toEqual([]);
    expect(at(s.object("PodMonitor", "events"), "spec")).toEqual({ selector: { matchLabels: { "strimzi.io/cluster": "events", "strimzi.io/kind": "Kafka" } }, podMetricsEndpoints: [{ port: "tcp-prometheus", path: "/metrics", interval: "30s" }] });
    expect(at(s.object("Kafka", "events"), "spec.kafka.template")).toBeUndefined();
  });
});

describe("KafkaCluster validation", () => {
  it("rejects 2 brokers with replication factor 3, before any resource", async () => {
    const s = await synthesize(() => {
      expect(() => new KafkaCluster("events", { platform: testPlatform(), brokers: 2, replicationFactor: 3 })).toThrow(
        'KafkaCluster "events": replicationFactor is 3; expected at most 2, the number of brokers (each replica of a partition lives on a different broker)',
      );
    });
    expect(s.resources.filter((r) => r.type === "keel:components:KafkaCluster")).toEqual([]);
  });
  it("rejects min.insync.replicas above the replication factor, topics that cannot be placed, and Strimzi without the operator", async () => {
    await synthesize(() => {
      const message = (() => {
        try {
          new KafkaCluster("events", { platform: testPlatform(), brokers: 3, minInsyncReplicas: 4, topics: [{ name: "a", replicationFactor: 5 }], strimzi: true });
          return "";
        } catch (e) {
          return (e as Error).message;
        }
      })();
      expect(message.split("\n")).toEqual([
        'KafkaCluster "events": minInsyncReplicas is 4; expected at most replicationFactor (3); otherwise no write with acks=all ever succeeds',
        'KafkaCluster "events": topics[0].replicationFactor is 5; expected at most 3, the number of brokers',
        'KafkaCluster "events": strimzi is true; expected false: the platform does not have the Strimzi operator (set operators.strimzi on the platform)',
      ]);
    });
  });
});
