import * as pulumi from "@pulumi/pulumi";
import { KafkaCluster, KubernetesPlatform, KubernetesPlatformArgs, PostgresCluster, RedisStore, SeaweedStorage, peers } from "../../../components";
import { cronProblem } from "../../../components/core/cron";
import { testPlatform } from "../../helpers/platform";
import { synthesize } from "../../helpers/synth";

/** Runs `build` under mocks with a test platform; returns the error message lines (none: []). */
async function lines(build: (platform: KubernetesPlatform) => unknown, platformArgs: Partial<KubernetesPlatformArgs> = {}): Promise<string[]> {
  let result: string[] = [];
  await synthesize(() => {
    const platform = testPlatform(platformArgs);
    try {
      build(platform);
    } catch (err) {
      result = (err as Error).message.split("\n");
    }
  });
  return result;
}

const PG = 'PostgresCluster "db": ';
const K = 'KafkaCluster "events": ';
const store = () => ({ endpoint: "https://s3.example.com", bucket: "backups", accessKeyId: "AKIA", secretAccessKey: pulumi.secret("x"), network: peers.cidr("10.0.0.0/8") });

describe("PostgresCluster: names PostgreSQL reserves or already has", () => {
  it("refuses a role starting with pg_ and the databases initdb creates", async () => {
    expect(await lines((platform) => new PostgresCluster("db", { platform, username: "pg_monitor", database: "template1" }))).toEqual([
      `${PG}database is "template1"; expected a database of your own, not postgres, template0, template1 (initdb creates those; creating it again fails)`,
      `${PG}username is "pg_monitor"; expected a name that does not start with "pg_" (PostgreSQL reserves those role names; creating one fails)`,
    ]);
    expect(await lines((platform) => new PostgresCluster("db", { platform, username: "app", database: "template0" }))).toHaveLength(1);
    expect(await lines((platform) => new PostgresCluster("db", { platform, username: "app_pg", database: "shop" }))).toEqual([]);
  });

  it("refuses PostgreSQL majors keel's configuration does not support", async () => {
    const why = "expected PostgreSQL 13 to 17: keel's postgresql.conf needs 13 (wal_keep_size) and its settings are checked against 16's";
    expect(await lines((platform) => new PostgresCluster("db", { platform, image: "postgres:9.6" }))).toEqual([`${PG}image is "postgres:9.6"; ${why}`]);
    expect(await lines((platform) => new PostgresCluster("db", { platform, image: "docker.io/library/postgres:18.1-alpine" }))).toEqual([`${PG}image is "docker.io/library/postgres:18.1-alpine"; ${why}`]);
    expect(await lines((platform) => new PostgresCluster("db", { platform, image: "postgres:13.16" }))).toEqual([]);
  });
});

describe("PostgresCluster: parameters keel derives", () => {
  it("refuses ssl settings (the tls arg sets them)", async () => {
    expect(await lines((platform) => new PostgresCluster("db", { platform, parameters: { ssl: "on" } }))).toEqual([
      `${PG}parameters.ssl is "on"; expected no value: the tls arg sets it (without tls there is no certificate, and the server would not start)`,
    ]);
  });

  it("refuses max_wal_senders below what the replicas need", async () => {
    expect(await lines((platform) => new PostgresCluster("db", { platform, replicas: 1, parameters: { max_wal_senders: 0 } }))).toEqual([
      `${PG}parameters.max_wal_senders is 0; expected at least 3: the replicas arg (1) needs one per replica, plus one pg_basebackup (a replica's bootstrap or a backup) with its WAL stream (keel sets replicas + 5)`,
    ]);
    expect(await lines((platform) => new PostgresCluster("db", { platform, replicas: 1, parameters: { max_wal_senders: 10 } }))).toEqual([]);
  });

  it("refuses shared_buffers that do not fit in the memory limit", async () => {
    expect(await lines((platform) => new PostgresCluster("db", { platform, parameters: { shared_buffers: "64GB" } }))).toEqual([
      `${PG}parameters.shared_buffers is "64GB"; expected at most 896MB, what resources.limits.memory leaves beside sharedMemory (keel derives a quarter of the limit): above it the buffers alone do not fit and the server is killed for memory`,
    ]);
    expect(await lines((platform) => new PostgresCluster("db", { platform, parameters: { shared_buffers: "512MB" } }))).toEqual([]);
  });
});

describe("PostgresCluster: backups that cannot work", () => {
  it("refuses a schedule that never fires", async () => {
    expect(await lines((platform) => new PostgresCluster("db", { platform, backup: { storage: store(), schedule: "0 3 30 2 *" } }))).toEqual([
      `${PG}backup.schedule is "0 3 30 2 *"; expected a schedule that fires: no month it lists (FEB) has the day of month it lists (30), so the job would never run (UTC)`,
    ]);
    expect(cronProblem("0 3 31 4,6,9,11 *")).toBe("expected a schedule that fires: no month it lists (APR, JUN, SEP, NOV) has the day of month it lists (31), so the job would never run");
    expect(await lines((platform) => new SeaweedStorage("files", { platform, filer: { metadataBackup: { schedule: "0 * 31 feb *" } } }))).toEqual([
      'SeaweedStorage "files": filer.metadataBackup.schedule is "0 * 31 feb *"; expected a schedule that fires: no month it lists (FEB) has the day of month it lists (31), so the job would never run (UTC)',
    ]);
    expect(cronProblem("0 3 29 2 *")).toBeUndefined(); // leap years
    expect(cronProblem("0 3 30 2 MON")).toBeUndefined(); // day of month OR day of week
    expect(cronProblem("0 3 31 */2 *")).toBeUndefined();
  });

  it("refuses a scratch volume a dump cannot fit in", async () => {
    expect(await lines((platform) => new PostgresCluster("db", { platform, storage: { size: "100Gi" }, backup: { storage: store(), scratchSize: "1Mi" } }))).toEqual([
      `${PG}backup.scratchSize is "1Mi"; expected at least a tenth of storage.size ("100Gi"): the scratch holds the gzipped base backup of the whole data directory and the dump until they are uploaded (a half-full volume compressed five times is that much)`,
    ]);
    expect(await lines((platform) => new PostgresCluster("db", { platform, storage: { size: "100Gi" }, backup: { storage: store(), scratchSize: "10Gi" } }))).toEqual([]);
  });
});

describe("Data stores: never open to the internet; TLS Secret names", () => {
  const why = "expected a private range (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 100.64.0.0/10, fc00::/7): a data store is never opened to public addresses; put a service in front of it";

  it("refuses allowFrom public addresses", async () => {
    expect(await lines((platform) => new PostgresCluster("db", { platform, allowFrom: [{ peer: peers.internet() }] }))).toEqual([`${PG}allowFrom[0].peer.cidr is "0.0.0.0/0"; ${why}`]);
    expect(await lines((platform) => new KafkaCluster("events", { platform, allowFrom: [{ peer: peers.cidr("8.8.8.0/24") }] }))).toEqual([`${K}allowFrom[0].peer.cidr is "8.8.8.0/24"; ${why}`]);
    expect(await lines((platform) => new RedisStore("cache", { platform, persistence: "none", allowFrom: [{ peer: peers.cidr("::/0") }] }))).toEqual([`RedisStore "cache": allowFrom[0].peer.cidr is "::/0"; ${why}`]);
    expect(await lines((platform) => new PostgresCluster("db", { platform, allowFrom: [{ peer: peers.cidr("10.1.0.0/16") }, { peer: peers.cidr("fd00::/64") }] }))).toEqual([]);
  });

  it("refuses TLS Secret names Kubernetes would refuse", async () => {
    expect(await lines((platform) => new PostgresCluster("db", { platform, tls: { secretName: "Bad Name" } }))).toEqual([
      `${PG}tls.secretName is "Bad Name"; expected a Secret name (lowercase letters, digits, '-' and '.', at most 253 characters)`,
    ]);
    expect(await lines((platform) => new KafkaCluster("events", { platform, tls: { secretName: "Bad Name!" } }))).toEqual([
      `${K}tls.secretName is "Bad Name!"; expected a Secret name (lowercase letters, digits, '-' and '.', at most 253 characters)`,
    ]);
  });
});

describe("Data stores: StorageClasses the cluster does not have", () => {
  it("refuses a component's class outside cluster.storageClasses", async () => {
    const why = `expected one of the cluster's StorageClasses (cluster.storageClasses: "standard"): a claim naming a class that does not exist stays Pending`;
    const platformArgs = { cluster: { storageClasses: ["standard"] } };
    expect(await lines((platform) => new PostgresCluster("db", { platform, storage: { size: "10Gi", storageClass: "fast" } }), platformArgs)).toEqual([`${PG}storage.storageClass is "fast"; ${why}`]);
    expect(await lines((platform) => new RedisStore("cache", { platform, persistence: "rdb", storage: { size: "1Gi", storageClass: "fast" } }), platformArgs)).toEqual([`RedisStore "cache": storage.storageClass is "fast"; ${why}`]);
    expect(await lines((platform) => new SeaweedStorage("files", { platform, storage: { volume: { size: "20Gi", storageClass: "fast" } } }), platformArgs)).toEqual([`SeaweedStorage "files": storage.volume.storageClass is "fast"; ${why}`]);
    expect(await lines((platform) => new KafkaCluster("events", { platform, storage: { size: "20Gi", storageClass: "standard" } }), platformArgs)).toEqual([]);
  });
});

describe("PostgresCluster.alertRules options", () => {
  it("refuses unknown keys with a did-you-mean, and values out of range", () => {
    expect(() => PostgresCluster.alertRules({ bogus: 1 } as never)).toThrow(/^PostgresCluster\.alertRules: options\.bogus is an unknown key; expected one of maxAgeMinutes, fullRatio, silentMinutes, inactiveMinutes, retainedRatio/);
    expect(() => PostgresCluster.alertRules({ fullRatoi: 0.5 } as never)).toThrow(/did you mean "fullRatio"\?/);
    expect(() => PostgresCluster.alertRules({ fullRatio: 2 })).toThrow("PostgresCluster.alertRules: options.fullRatio is 2; expected a ratio above 0 and at most 1, such as 0.8");
    expect(PostgresCluster.alertRules({ fullRatio: 0.9 }).length).toBeGreaterThan(0);
  });
});

describe("KafkaCluster: topic names", () => {
  it("refuses internal topics and names that collide in metrics", async () => {
    expect(await lines((platform) => new KafkaCluster("events", { platform, topics: [{ name: "a.b" }, { name: "a_b" }, { name: "__consumer_offsets" }] }))).toEqual([
      `${K}topics[1].name is "a_b"; expected a name that does not collide with "a.b": Kafka treats '.' and '_' as the same in metric names and refuses the second`,
      `${K}topics[2].name is "__consumer_offsets"; expected a topic of your own: Kafka creates and owns its internal topics (__consumer_offsets, __transaction_state, __share_group_state, __cluster_metadata)`,
    ]);
  });
});

describe("KafkaCluster: topic configs in Kafka's ranges", () => {
  it("refuses retention.ms below -1 and segment.bytes below the running version's minimum", async () => {
    expect(await lines((platform) => new KafkaCluster("events", { platform, topics: [{ name: "orders", config: { "retention.ms": -2, "segment.bytes": 10 } }] }))).toEqual([
      `${K}topics[0].config.retention.ms is -2; expected at least -1 (Kafka 3.9's minimum; -1: keep forever)`,
      `${K}topics[0].config.segment.bytes is 10; expected at least 14 (Kafka 3.9's minimum)`,
    ]);
    // Strimzi runs Kafka 4.1 by default: segment.bytes is at least 1MiB there (KIP-1030).
    expect(await lines((platform) => new KafkaCluster("events", { platform, strimzi: true, topics: [{ name: "orders", config: { "segment.bytes": 1000 } }] }), { operators: { strimzi: true } as never })).toEqual([
      `${K}topics[0].config.segment.bytes is 1000; expected at least 1048576 (Kafka 4.1's minimum)`,
    ]);
  });

  it("refuses a topic replicated less than the cluster's min.insync.replicas", async () => {
    expect(await lines((platform) => new KafkaCluster("events", { platform, brokers: 3, topics: [{ name: "orders", replicationFactor: 1 }] }))).toEqual([
      `${K}topics[0].replicationFactor is 1; expected at least 2, the cluster's min.insync.replicas (or the topic's own config "min.insync.replicas" at most 1): otherwise every write with acks=all fails`,
    ]);
    expect(await lines((platform) => new KafkaCluster("events", { platform, brokers: 3, topics: [{ name: "orders", replicationFactor: 1, config: { "min.insync.replicas": 1 } }] }))).toEqual([]);
  });
});

describe("KafkaCluster: volumes and versions", () => {
  it("refuses retention.bytes the volume cannot hold, and a tiny volume", async () => {
    expect(await lines((platform) => new KafkaCluster("events", { platform, storage: { size: "10Gi" }, topics: [{ name: "orders", partitions: 6, config: { "retention.bytes": 100 * 1024 ** 3 } }] }))).toEqual([
      `${K}topics[0].config.retention.bytes is 107374182400; expected at most 1789569706: 6 partitions x 1 replicas / 1 brokers of it need more than storage.size ("10Gi") on each broker`,
    ]);
    expect(await lines((platform) => new KafkaCluster("events", { platform, storage: { size: "10Gi" }, topics: [{ name: "a", partitions: 4, config: { "retention.bytes": 2 * 1024 ** 3 } }, { name: "b", partitions: 4, config: { "retention.bytes": 2 * 1024 ** 3 } }] }))).toEqual([
      `${K}storage.size is "10Gi"; expected at least 16Gi: the topics' retention.bytes (partitions x retention.bytes x replicas / brokers) add up to more than the volume`,
    ]);
    expect(await lines((platform) => new KafkaCluster("events", { platform, storage: { size: "1Mi" } }))).toEqual([
      `${K}storage.size is "1Mi"; expected at least 1Gi: Kafka preallocates a 10MiB offset index and a 10MiB time index per partition (__consumer_offsets alone has 50 partitions), and a segment is 1GiB by default`,
    ]);
  });

  it("refuses versions outside the supported range and a version that contradicts the image", async () => {
    const why = "expected a Kafka version from 3.3.0 to 4.x: keel runs combined KRaft nodes (production-ready from 3.3, no ZooKeeper)";
    expect(await lines((platform) => new KafkaCluster("events", { platform, version: "2.8.0" }))).toEqual([`${K}version is "2.8.0"; ${why}`]);
    expect(await lines((platform) => new KafkaCluster("events", { platform, version: "99.0.0" }))).toEqual([`${K}version is "99.0.0"; ${why}`]);
    expect(await lines((platform) => new KafkaCluster("events", { platform, image: "apache/kafka:2.8.1" }))).toEqual([`${K}image is "apache/kafka:2.8.1"; ${why}`]);
    expect(await lines((platform) => new KafkaCluster("events", { platform, version: "3.8.0", image: "apache/kafka:3.9.0" }))).toEqual([
      `${K}version is "3.8.0"; expected the image's version (3.9.0, from "apache/kafka:3.9.0"), or no version: they disagree`,
    ]);
    expect(await lines((platform) => new KafkaCluster("events", { platform, version: "3.9.0", image: "apache/kafka:3.9.0" }))).toEqual([]);
  });
});

describe("StorageClasses the platform lists", () => {
  it("refuse a class outside the list for every kind of data volume, StatefulService volumes too", async () => {
    const { KubernetesPlatform, StatefulService } = await import("../../../components");
    const { runInMockRuntime } = await import("../../../offline/runtime");
    let message = "";
    await runInMockRuntime({ project: "p", stack: "s", config: {}, secretKeys: [], duplicateObjects: "ignore" }, async () => {
      const platform = new KubernetesPlatform("shop", { system: "shop", cluster: { distribution: "kind", storageClasses: ["standard"] } });
      try {
        new StatefulService("mq", { platform, image: "rabbitmq:3.13.7-alpine", ports: [{ name: "amqp", port: 5672 }], volumes: [{ name: "data", mountPath: "/var/lib/rabbitmq", size: "1Gi", storageClass: "fast" }] });
      } catch (e) {
        message = (e as Error).message;
      }
    });
    expect(message).toBe('StatefulService "mq": volumes[0].storageClass is "fast"; expected one of the cluster\'s StorageClasses (cluster.storageClasses: "standard"): a claim naming a class that does not exist stays Pending');
  });
});
