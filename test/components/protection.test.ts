/**
 * Protection is one rule (statefulOptions): with `protect`, every object whose loss loses data or
 * access is protected and kept on delete; without it, nothing is. Derived configuration is never
 * protected, since it is replaced on every change.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { KafkaCluster, KubernetesPlatform, ObservabilityStack, PostgresCluster, RedisStore, SeaweedStorage, StatefulService } from "../../components";
import type { RecordedResource } from "../../offline/runtime";
import { synth } from "../../offline/synth";
import { ROOT } from "./../helpers/cli";
import { synthesize } from "../helpers/synth";

type Obj = Record<string, unknown>;

const kind = (r: RecordedResource) => r.type.split(":").pop() as string;
const isCustom = (r: RecordedResource, k: string) => r.type === "kubernetes:apiextensions.k8s.io:CustomResource" || r.type.endsWith(`:${k}`) ? (r.inputs.kind ?? kind(r)) === k : false;
const metadata = (r: RecordedResource) => (r.inputs.metadata ?? {}) as Obj;
const label = (r: RecordedResource) => `${r.type} ${r.name}`;
const guarded = (r: RecordedResource) => r.protect && r.retainOnDelete;

/** A StatefulSet with volumes (claim templates). */
const holdsVolumes = (r: RecordedResource) => kind(r) === "StatefulSet" && Array.isArray((r.inputs.spec as Obj | undefined)?.volumeClaimTemplates) && ((r.inputs.spec as Obj).volumeClaimTemplates as unknown[]).length > 0;
const isRandom = (r: RecordedResource) => r.type.startsWith("random:");
const isSecret = (r: RecordedResource) => r.type === "kubernetes:core/v1:Secret";
const platformNamespace = (r: RecordedResource) => kind(r) === "Namespace" && r.parent.includes("keel:components:KubernetesPlatform");

/** AWS resources that hold data or the key to it: a database (not a read replica), a cache, a broker cluster, a bucket, a key, a secret. */
const AWS_STATEFUL = ["aws:rds/instance:Instance", "aws:elasticache/replicationGroup:ReplicationGroup", "aws:msk/cluster:Cluster", "aws:s3/bucket:Bucket", "aws:kms/key:Key", "aws:secretsmanager/secret:Secret"];
const holdsAwsData = (r: RecordedResource) => AWS_STATEFUL.includes(r.type) && r.inputs.replicateSourceDb === undefined;

/** What must be protected, by the rule: volumes, managed data, generated values, and the Secrets built from generated values. */
function stateful(resources: readonly RecordedResource[]): RecordedResource[] {
  const randoms = new Set(resources.filter(isRandom).map((r) => r.urn));
  return resources.filter((r) => holdsVolumes(r) || holdsAwsData(r) || isRandom(r) || (isSecret(r) && r.dependencies.some((d) => randoms.has(d)) && !DERIVED.test(r.name)));
}

/** Configuration rebuilt from args (and from protected values): replaced on change, so never protected. */
const DERIVED = /-(env|secret-files|s3-config|alertmanager-secret)$/;

const operators = { certManager: true, prometheusOperator: false, strimzi: false };

function everything(protect: boolean, platform: KubernetesPlatform, strimzi = false) {
  const files = new SeaweedStorage("files", { platform, buckets: ["backups", "uploads"], protect });
  files.clientConnection({ name: "api", buckets: ["uploads"], actions: ["Read", "Write"] });
  const obs = new ObservabilityStack("obs", { platform, alertmanager: { slack: { webhookUrl: "https://hooks.slack.com/services/T0/B0/x", channel: "#alerts" } }, protect });
  new PostgresCluster("db", { platform, database: "app", username: "app", replicas: 1, backup: { storage: files.bucketTarget("backups"), metrics: obs.metricsPush }, protect });
  new RedisStore("cache", { platform, persistence: "aof", singleNodeReason: "a test store: one node is all this test needs", protect });
  new KafkaCluster("events", { platform, brokers: 3, strimzi, topics: [{ name: "orders" }], protect });
  new StatefulService("mq", {
    platform,
    image: "rabbitmq:3.13.7-management-alpine",
    ports: [{ name: "amqp", port: 5672 }],
    volumes: [{ name: "data", mountPath: "/var/lib/rabbitmq", size: "1Gi" }],
    secretEnv: { RABBITMQ_DEFAULT_PASS: "given-by-the-user" },
    protect,
  });
}

describe("protect: every stateful child, by one rule", () => {
  it("protects and keeps every StatefulSet with volumes, generated value, credential Secret, namespace and the CA certificate", async () => {
    const s = await synthesize(() => {
      const platform = new KubernetesPlatform("shop", { system: "shop", operators, createIssuer: { type: "self-signed-ca" }, protect: true });
      everything(true, platform);
    });
    const must = stateful(s.resources);
    // The rule finds what the issue names (not a vacuous list).
    const names = must.map((r) => r.name);
    for (const expected of ["obs-prometheus-statefulset", "obs-loki-statefulset", "obs-tempo-statefulset", "obs-grafana-admin", "db-primary-statefulset", "db-replica-statefulset", "db-credentials", "db-backup", "db-superuser-password", "db-backup-passphrase-password", "cache-statefulset", "cache-credentials", "events-statefulset", "events-cluster-id", "events-credentials", "files-volume-statefulset", "files-master-statefulset", "files-s3-api", "mq-statefulset"]) {
      expect(names).toContainEqual(expect.stringMatching(new RegExp(`^${expected}`)));
    }
    expect(must.filter((r) => !guarded(r)).map(label)).toEqual([]);
    // Grafana's admin Secret holds only its generated password: protected too.
    expect(s.resources.filter((r) => isSecret(r) && r.name.startsWith("obs-grafana-secret")).map(guarded)).toEqual([true]);
    // The platform: every tier namespace (deleting one deletes everything in it), and the CA whose Secret signs every certificate.
    const namespaces = s.resources.filter(platformNamespace);
    expect(namespaces.length).toBeGreaterThan(0);
    expect(namespaces.filter((r) => !guarded(r)).map(label)).toEqual([]);
    const certificates = s.resources.filter((r) => r.inputs.kind === "Certificate" && metadata(r).name === "shop-ca");
    expect(certificates.map(guarded)).toEqual([true]);
    // Every CA, also the data stores' own (their keys sign what clients trust).
    const cas = s.resources.filter((r) => r.inputs.kind === "Certificate" && (r.inputs.spec as Obj | undefined)?.isCA === true);
    expect(cas.map((r) => metadata(r).name)).toEqual(expect.arrayContaining(["shop-ca", "events-ca"]));
    expect(cas.filter((r) => !guarded(r)).map(label)).toEqual([]);
  });

  it("never protects configuration that is replaced on every change", async () => {
    const s = await synthesize(() => {
      const platform = new KubernetesPlatform("shop", { system: "shop", operators, protect: true });
      everything(true, platform);
    });
    const derived = s.resources.filter((r) => DERIVED.test(r.name) || kind(r) === "ConfigMap");
    expect(derived.map((r) => r.name)).toEqual(expect.arrayContaining(["obs-alertmanager-secret", "files-s3-config", "mq-env"]));
    expect(derived.filter((r) => r.protect || r.retainOnDelete).map(label)).toEqual([]);
    // Stateless workloads are not protected either.
    expect(s.resources.filter((r) => ["Deployment", "DaemonSet", "Service", "NetworkPolicy"].includes(kind(r)) && (r.protect || r.retainOnDelete)).map(label)).toEqual([]);
  });

  it("protects the operators' objects that own volumes, topics and data", async () => {
    const s = await synthesize(() => {
      const platform = new KubernetesPlatform("shop", { system: "shop", operators: { certManager: true, prometheusOperator: true, strimzi: true }, protect: true });
      everything(true, platform, true);
    });
    const crs = (k: string) => s.resources.filter((r) => isCustom(r, k));
    for (const k of ["Kafka", "KafkaNodePool", "KafkaTopic", "Prometheus"]) {
      expect([k, crs(k).length > 0 && crs(k).every(guarded)]).toEqual([k, true]);
    }
    expect(stateful(s.resources).filter((r) => !guarded(r)).map(label)).toEqual([]);
  });

  it("protects nothing without protect", async () => {
    const s = await synthesize(() => {
      const platform = new KubernetesPlatform("shop", { system: "shop", operators, createIssuer: { type: "self-signed-ca" } });
      everything(false, platform);
    });
    expect(stateful(s.resources).length).toBeGreaterThan(20);
    expect(s.resources.filter((r) => r.protect || r.retainOnDelete).map(label)).toEqual([]);
  });
});

describe("the req1 blueprint", () => {
  const run = async (stack: string) => (await synth({ stack, dir: ROOT, out: fs.mkdtempSync(path.join(os.tmpdir(), `keel-protect-${stack}-`)) })).run.resources;

  it("protects every stateful resource in prod: the observability stack's too, not only the data stores (RDS, ElastiCache and S3 on aws)", async () => {
    const resources = await run("prod");
    const must = stateful(resources);
    expect(must.map((r) => r.name)).toEqual(
      expect.arrayContaining(["req1-obs-prometheus-statefulset", "req1-obs-loki-statefulset", "req1-obs-tempo-statefulset", "req1-obs-grafana-admin", "req1-db", "req1-db-key", "req1-redis", "req1-redis-auth-token-password", "req1-files-req1-files"]),
    );
    expect(must.filter((r) => !guarded(r)).map(label)).toEqual([]);
    const namespaces = resources.filter(platformNamespace);
    expect(namespaces.length).toBeGreaterThan(0);
    expect(namespaces.filter((r) => !guarded(r)).map(label)).toEqual([]);
  });
  // dev protects nothing: protection-dev.test.ts (the engine evaluates a program once per test file).
});
