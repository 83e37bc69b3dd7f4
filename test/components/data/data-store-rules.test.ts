import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { KafkaCluster, KubernetesPlatform, ObservabilityStack, PostgresCluster, RedisStore, SeaweedStorage, StatefulService } from "../../../components";
import { ROOT, keel } from "../../helpers/cli";
import { testPlatform } from "../../helpers/platform";
import { synthesize } from "../../helpers/synth";

/** Runs `build` under mocks with a test platform; returns the error message lines (none: []). */
async function lines(build: (platform: KubernetesPlatform) => unknown): Promise<string[]> {
  let result: string[] = [];
  await synthesize(() => {
    const platform = testPlatform();
    try {
      build(platform);
    } catch (err) {
      result = (err as Error).message.split("\n");
    }
  });
  return result;
}

const mq = { image: "rabbitmq:3.13.7-alpine", ports: [{ name: "amqp", port: 5672 }] };

describe("KafkaCluster rules", () => {
  it("refuses an even number of KRaft nodes and a floating Strimzi version", async () => {
    expect(await lines((platform) => new KafkaCluster("events", { platform, brokers: 4, version: "latest" }))).toEqual([
      'KafkaCluster "events": brokers is 4; expected an odd number (1, 3, 5, ...): every node is also a KRaft controller, and an even quorum tolerates no more failures than one node fewer',
      'KafkaCluster "events": version is "latest"; expected a pinned version; "latest" changes under a running workload',
    ]);
    expect(await lines((platform) => new KafkaCluster("events", { platform, version: "4.1" }))).toEqual(['KafkaCluster "events": version is "4.1"; expected a Kafka version such as "4.1.0"']);
    expect(await lines((platform) => new KafkaCluster("events", { platform, brokers: 3 }))).toEqual([]);
  });

  it("refuses an image tagged latest, as every data store does", async () => {
    expect(await lines((platform) => new KafkaCluster("events", { platform, image: "apache/kafka:latest" }))).toEqual([
      'KafkaCluster "events": image is "apache/kafka:latest"; expected a pinned tag or digest; "latest" changes under a running Deployment',
    ]);
    expect(await lines((platform) => new RedisStore("cache", { platform, persistence: "none", image: "redis:" }))).toEqual([
      'RedisStore "cache": image is "redis:"; expected a tag after \':\' (an empty tag is not a tag)',
    ]);
  });
});

describe("SeaweedStorage rules", () => {
  it("names the volume size limit against the PVC", async () => {
    const result = await lines((platform) => new SeaweedStorage("files", { platform, volumeSizeLimitMB: 20480, storage: { volume: { size: "20Gi" } } }));
    expect(result).toEqual(['SeaweedStorage "files": volumeSizeLimitMB is 20480; expected less than storage.volume.size (20Gi = 20480 MB): a volume lives whole on one volume server\'s PVC']);
  });

  it("checks the metadata backup schedule's fields and ranges", async () => {
    expect(await lines((platform) => new SeaweedStorage("files", { platform, filer: { metadataBackup: { schedule: "40 */25 * * *" } } }))).toEqual([
      'SeaweedStorage "files": filer.metadataBackup.schedule is "40 */25 * * *"; expected a valid cron expression: the hour field "*/25" has the step "/25"; a step is an integer from 1 to 24 (UTC)',
    ]);
    expect(await lines((platform) => new SeaweedStorage("files", { platform, filer: { metadataBackup: { schedule: "@hourly" } } }))).toEqual([]);
  });
});

describe("PostgresCluster rules", () => {
  const store = () => ({ endpoint: "https://s3.example.com", bucket: "backups", accessKeyId: "AKIA", secretAccessKey: pulumi.secret("x"), network: { kind: "cidr" as const, cidr: "0.0.0.0/0" } });

  it("checks the backup schedule's ranges and the endpoint URL", async () => {
    expect(await lines((platform) => new PostgresCluster("db", { platform, backup: { storage: { ...store(), endpoint: "https://key:secret@s3.example.com" }, schedule: "0 3 31 2 8" } }))).toEqual([
      'PostgresCluster "db": backup.schedule is "0 3 31 2 8"; expected a valid cron expression: the day of week field "8" is outside 0-7 or SUN-SAT (UTC)',
      'PostgresCluster "db": backup.storage.endpoint is "https://key:secret@s3.example.com"; expected no user or password in the URL (give credentials as a secret)',
    ]);
    expect(await lines((platform) => new PostgresCluster("db", { platform, backup: { storage: { ...store(), endpoint: "s3.example.com" } } }))).toEqual([
      'PostgresCluster "db": backup.storage.endpoint is "s3.example.com"; expected an absolute http:// or https:// URL',
    ]);
  });

  it("refuses backup storage on another platform", async () => {
    const result = await lines((platform) => {
      const other = new KubernetesPlatform("eu", { system: "eu", namespaces: { data: "eu-data", storage: "eu-storage", monitoring: "eu-monitoring" } });
      const files = new SeaweedStorage("files", { platform: other, buckets: ["backups"] });
      return new PostgresCluster("db", { platform, backup: { storage: files.bucketTarget("backups") } });
    });
    expect(result).toEqual([
      'PostgresCluster "db": backup.storage.network is on platform "eu"; expected a peer on platform "shop", where this component runs (its Service names and NetworkPolicies do not reach across platforms)',
    ]);
  });
});

describe("StatefulService rules", () => {
  it("refuses port names that are not IANA service names, and ports, names, volumes and mount paths given twice", async () => {
    const result = await lines((platform) =>
      new StatefulService("mq", {
        platform,
        image: "rabbitmq:3.13.7-alpine",
        ports: [{ name: "amqp", port: 5672 }, { name: "5672", port: 5673 }, { name: "amqp", port: 5672 }, { name: "management-https", port: 15671 }],
        volumes: [{ name: "data", mountPath: "/var/lib/rabbitmq", size: "1Gi" }, { name: "data", mountPath: "/var/lib/rabbitmq/", size: "1Gi" }, { name: "logs", mountPath: "/var/log/../lib", size: "1Gi" }],
      }),
    );
    expect(result).toEqual([
      'StatefulService "mq": ports[1].name is "5672"; expected a port name of at most 15 lowercase letters, digits and \'-\', with at least one letter and no leading, trailing or double \'-\' (an IANA service name)',
      'StatefulService "mq": ports[3].name is "management-https"; expected a port name of at most 15 lowercase letters, digits and \'-\', with at least one letter and no leading, trailing or double \'-\' (an IANA service name)',
      'StatefulService "mq": ports[2].port is 5672; expected a port not already used by ports[0]',
      'StatefulService "mq": ports[2].name is "amqp"; expected a port name not already used by ports[0]',
      'StatefulService "mq": volumes[2].mountPath is "/var/log/../lib"; expected no ".." segment',
      'StatefulService "mq": volumes[1].name is "data"; expected a volume name not already used by volumes[0]',
      'StatefulService "mq": volumes[1].mountPath is "/var/lib/rabbitmq/"; expected a mount path not already used by volumes[0]',
    ]);
  });

  it("refuses an unknown placeholder in clientEnv, listing the known ones", async () => {
    expect(await lines((platform) => new StatefulService("mq", { platform, ...mq, clientEnv: { RABBITMQ_URL: "amqp://{user}@{host}:{port}" } }))).toEqual([
      'StatefulService "mq": clientEnv.RABBITMQ_URL is "amqp://{user}@{host}:{port}"; expected only the placeholders {host} and {port} ({user} is not one)',
    ]);
    expect(await lines((platform) => new StatefulService("mq", { platform, ...mq, clientEnv: { RABBITMQ_URL: "amqp://{host}:{port}" } }))).toEqual([]);
  });
});

describe("ObservabilityStack rules", () => {
  it("refuses a Prometheus retentionSize larger than its volume (Prometheus' GB are GiB)", async () => {
    expect(await lines((platform) => new ObservabilityStack("obs", { platform, prometheus: { storage: "50Gi", retentionSize: "51GB" } }))).toEqual([
      'ObservabilityStack "obs": prometheus.retentionSize is "51GB"; expected at most prometheus.storage ("50Gi"; Prometheus counts "GB" as GiB): with a larger limit the volume fills up before old blocks are deleted',
    ]);
    expect(await lines((platform) => new ObservabilityStack("obs", { platform, prometheus: { storage: "50Gi", retentionSize: "50GB" } }))).toEqual([]);
    expect(await lines((platform) => new ObservabilityStack("obs", { platform, prometheus: { storage: "1Gi" } }))).toEqual([]);
  });

  it("checks a Slack webhook given as an Output once its value is known: keel synth exits 1 with the field message", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "keel-webhook-"));
    try {
      fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"));
      fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: webhook\nruntime:\n  name: nodejs\n  options:\n    typescript: true\nmain: index.ts\n");
      fs.writeFileSync(path.join(dir, "Pulumi.t.yaml"), "config:\n  webhook:url: http://hooks.example.com/secret-path\n");
      fs.writeFileSync(
        path.join(dir, "index.ts"),
        [
          'import * as pulumi from "@pulumi/pulumi";',
          `import { KubernetesPlatform, ObservabilityStack } from ${JSON.stringify(path.join(ROOT, "components"))};`,
          'const platform = new KubernetesPlatform("shop", { system: "shop" });',
          'new ObservabilityStack("obs", { platform, alertmanager: { slack: { webhookUrl: new pulumi.Config().requireSecret("url"), channel: "#alerts" } } });',
        ].join("\n"),
      );
      const run = keel(["synth", "--stack", "t", "--dir", dir, "--out", path.join(dir, "out")]);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('ObservabilityStack "obs": alertmanager.slack.webhookUrl is not an https:// URL; expected the Slack incoming-webhook URL (value not shown: it is a secret)');
      expect(run.stderr + run.stdout).not.toContain("secret-path");
      expect(run.stderr).not.toMatch(/\n\s+at /);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
