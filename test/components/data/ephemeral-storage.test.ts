/**
 * Ephemeral storage of the data components' containers: keel's 64Mi/256Mi for logs plus the
 * sizeLimits of the disk-backed emptyDir volumes each container is charged for, as recorded.
 */
import { KafkaCluster, PostgresCluster, PostgresClusterArgs, RedisStore } from "../../../components";
import { schemaProblems } from "../../helpers/schema";
import { backupStore, testPlatform } from "../../helpers/platform";
import { at, synthesize } from "../../helpers/synth";

type Obj = Record<string, unknown>;
const store = backupStore;
/** `name: requests / limits` of every container of a pod spec, init containers first. */
const ephemeral = (pod: unknown) =>
  [...((at(pod, "initContainers") as Obj[] | undefined) ?? []), ...(at(pod, "containers") as Obj[])].map(
    (c) => `${String(c.name)}: ${String(at(c, "resources.requests.ephemeral-storage"))} / ${String(at(c, "resources.limits.ephemeral-storage"))}`,
  );

/** Builds a PostgresCluster; returns the error lines (none when valid) and what got registered. */
async function postgres(args: Partial<PostgresClusterArgs>) {
  let error: string[] = [];
  const s = await synthesize(() => {
    try {
      new PostgresCluster("db", { platform: testPlatform({ storageClass: "standard" }), backup: { storage: store() }, ...args });
    } catch (e) {
      error = (e as Error).message.split("\n");
    }
  });
  return { s, error };
}

describe("ephemeral storage of PostgresCluster", () => {
  it("charges the backup's scratch volume to the upload container (it outlives the dump), so the scheduler reserves it", async () => {
    const { s, error } = await postgres({});
    expect(error).toEqual([]);
    const job = at(s.object("CronJob", "db-backup"), "spec.jobTemplate.spec.template.spec");
    // dump: 64Mi/256Mi + tools-run 1Mi; upload: + scratch 10Gi + tmp 64Mi.
    expect(ephemeral(job)).toEqual(["dump: 65Mi / 257Mi", "upload: 10368Mi / 10560Mi"]);
    const primary = at(s.object("StatefulSet", "db-primary"), "spec.template.spec");
    // postgres: tmp 64Mi + its socket directory 1Mi (the data and the WAL spool are on the volume); /dev/shm is memory.
    expect(ephemeral(primary)).toEqual(["postgres: 129Mi / 321Mi", "exporter: 64Mi / 256Mi", "wal-encrypt: 65Mi / 257Mi", "wal-upload: 64Mi / 256Mi"]);
    expect(at(primary, "volumes")).toContainEqual({ name: "run", emptyDir: { sizeLimit: "1Mi" } });
  });

  it("follows backup.scratchSize, a data emptyDir without storage, and the restore Job's scratch", async () => {
    const { s } = await postgres({ storage: false, backup: { storage: store(), walArchiving: false, scratchSize: "2Gi" } });
    expect(ephemeral(at(s.object("CronJob", "db-backup"), "spec.jobTemplate.spec.template.spec"))).toEqual(["dump: 65Mi / 257Mi", "upload: 2176Mi / 2368Mi"]);
    const primary = at(s.object("StatefulSet", "db-primary"), "spec.template.spec");
    expect(at(primary, "volumes")).toContainEqual({ name: "data", emptyDir: { sizeLimit: "2Gi" } });
    expect(ephemeral(primary)).toEqual(["postgres: 2177Mi / 2369Mi", "exporter: 64Mi / 256Mi"]);
    const restore = s.all("ConfigMap").find((c) => (c.data as Obj | undefined)?.["restore-job.yaml"]);
    expect(String((restore?.data as Obj)["restore-job.yaml"])).toMatch(/name: restore\n(.*\n)*?\s+resources:\n\s+requests:\n(.*\n)*?\s+ephemeral-storage: 2176Mi/);
  });

  it("takes the user's ephemeral storage, and refuses a limit below the scratch volume before any resource", async () => {
    const ok = await postgres({ backup: { storage: store(), resources: { requests: { ephemeralStorage: "11Gi" }, limits: { ephemeralStorage: "12Gi" } } } });
    expect(ephemeral(at(ok.s.object("CronJob", "db-backup"), "spec.jobTemplate.spec.template.spec"))).toEqual(["dump: 11Gi / 12Gi", "upload: 11Gi / 12Gi"]);
    const { s, error } = await postgres({ backup: { storage: store(), resources: { limits: { ephemeralStorage: "8Gi" } } } });
    expect(error).toEqual([
      'PostgresCluster "db": backup.resources.limits.ephemeralStorage is "8Gi"; expected at least "10304Mi", the sizeLimits of the disk-backed emptyDir volumes the container writes (tmp "64Mi", scratch "10Gi"), with room for its logs on top: the kubelet evicts the pod once its ephemeral storage passes the limit',
    ]);
    expect(s.resources.filter((r) => r.urn.includes("PostgresCluster"))).toEqual([]);
  });

  it("refuses a server limit below its data emptyDir", async () => {
    const { error } = await postgres({ storage: false, backup: undefined, resources: { limits: { ephemeralStorage: "1Gi" } } });
    expect(error).toEqual([
      'PostgresCluster "db": resources.limits.ephemeralStorage is "1Gi"; expected at least "2113Mi", the sizeLimits of the disk-backed emptyDir volumes the container writes (tmp "64Mi", run "1Mi", data "2Gi"), with room for its logs on top: the kubelet evicts the pod once its ephemeral storage passes the limit',
    ]);
  });
});

describe("ephemeral storage of RedisStore and KafkaCluster", () => {
  it("sizes a cache's data emptyDir and charges it to the redis container", async () => {
    const s = await synthesize(() => new RedisStore("cache", { platform: testPlatform(), persistence: "none" }));
    const pod = at(s.object("StatefulSet", "cache"), "spec.template.spec");
    expect(at(pod, "volumes")).toContainEqual({ name: "data", emptyDir: { sizeLimit: "2Gi" } });
    expect(ephemeral(pod)).toEqual(["redis: 2176Mi / 2368Mi", "exporter: 64Mi / 256Mi"]);
  });

  it("asks Strimzi for ephemeral storage on every container it runs, a sized emptyDir included", async () => {
    const s = await synthesize(() => new KafkaCluster("events", { platform: testPlatform({ operators: { strimzi: true } }), brokers: 1, strimzi: true, storage: false }));
    expect(s.objects.map(schemaProblems).filter(Boolean)).toEqual([]);
    const pool = at(s.object("KafkaNodePool", "nodes"), "spec");
    expect(at(pool, "storage")).toEqual({ type: "ephemeral", sizeLimit: "2Gi" });
    expect(at(pool, "resources")).toEqual({ requests: { cpu: "250m", memory: "1Gi", "ephemeral-storage": "2112Mi" }, limits: { cpu: "2", memory: "2Gi", "ephemeral-storage": "2304Mi" } });
    const kafka = at(s.object("Kafka", "events"), "spec");
    const operator = { requests: { cpu: "100m", memory: "256Mi", "ephemeral-storage": "64Mi" }, limits: { cpu: "500m", memory: "512Mi", "ephemeral-storage": "256Mi" } };
    expect(at(kafka, "entityOperator")).toEqual({ topicOperator: { resources: operator }, userOperator: { resources: operator } });
    expect(at(kafka, "kafkaExporter.resources")).toEqual({ requests: { cpu: "50m", memory: "32Mi", "ephemeral-storage": "64Mi" }, limits: { cpu: "200m", memory: "128Mi", "ephemeral-storage": "256Mi" } });
  });
});
