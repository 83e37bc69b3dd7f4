import * as pulumi from "@pulumi/pulumi";
import { ApiService, KafkaCluster, KafkaClusterArgs } from "../../../components";
import { PolicyStatement, leastPrivilegeProblems } from "../../../components/aws/iam";
import { defaultInstanceType } from "../../../components/kafka-cluster/resolve";
import { platformProdShape, testAwsSystem, messagesOf } from "../../helpers/aws-system";
import { mskEncryption, mskLogging, mskPrivate } from "../../../policies/aws/data-services";
import { violations } from "../../policies/harness";
import { Synthesized, redact, synthesize, unwrap } from "../../helpers/synth";

type Obj = Record<string, any>;
const input = (s: Synthesized, name: string, type: string) => unwrap(s.resource(name, type).inputs) as Obj;
const state = (s: Synthesized, name: string, type: string) => unwrap(s.resource(name, type).state) as Obj;
const ofType = (s: Synthesized, type: string) => s.resources.filter((r) => r.type.endsWith(`:${type}`));
const resolved = <T>(o: pulumi.Input<T>): Promise<T> => new Promise((resolve) => pulumi.output(o).apply((v) => resolve(v as T)));

const TOPICS: KafkaClusterArgs["topics"] = [{ name: "orders" }, { name: "orders.dlq", partitions: 1, config: { "retention.ms": 1209600000, "cleanup.policy": "delete" } }];

interface Seen {
  env: Obj;
  secretEnv: readonly string[];
  port: number;
  tls?: boolean;
  bootstrap: string;
  password?: string;
  username?: string;
  statements?: PolicyStatement[];
  resolvedStatements?: Obj[];
  onKubernetes: boolean;
}

async function cluster(args: Partial<KafkaClusterArgs> = {}, withClient = false) {
  const seen = {} as Seen;
  const s = await synthesize(async () => {
    const platform = testAwsSystem();
    const kafka = new KafkaCluster("events", { platform, storage: { size: "100Gi" }, topics: TOPICS, ...args });
    if (withClient) new ApiService("api", { platform, image: "ghcr.io/acme/api:1.0.0", connections: [kafka.connection] });
    const c = kafka.connection;
    Object.assign(seen, { secretEnv: c.secretEnv, port: c.port, tls: c.tls, onKubernetes: kafka.aws === undefined });
    seen.env = Object.fromEntries(await Promise.all(Object.entries(c.env).map(async ([k, v]) => [k, await resolved(v as pulumi.Input<string>)])));
    seen.bootstrap = await resolved(kafka.bootstrapServers);
    if (c.password) seen.password = await resolved(c.password);
    if (c.username) seen.username = await resolved(c.username);
    if (c.awsAccess) {
      seen.statements = [...c.awsAccess.statements];
      seen.resolvedStatements = await resolved(c.awsAccess.statements as unknown as pulumi.Input<Obj[]>);
    }
  });
  return { s, seen };
}

describe("KafkaCluster on aws: MSK with SASL/SCRAM (the default)", () => {
  let prod: { s: Synthesized; seen: Seen };
  beforeAll(async () => {
    prod = await cluster({ replicationFactor: 3, protect: true, tls: false }, true);
  });

  it("prod: brokers across the data subnets, EBS from storage.size, encrypted at rest (KMS) and TLS-only in transit, private, SCRAM only, logs and monitoring", () => {
    const { s } = prod;
    const shape = platformProdShape();
    const c = input(s, "events", "msk/cluster:Cluster");
    expect(c).toMatchObject({
      clusterName: "shop-events",
      kafkaVersion: "3.8.x",
      numberOfBrokerNodes: 3,
      brokerNodeGroupInfo: {
        instanceType: "kafka.m7g.large",
        clientSubnets: shape.vpc.dataSubnetIds,
        securityGroups: [s.resource("events-sg", "SecurityGroup").id],
        storageInfo: { ebsStorageInfo: { volumeSize: 100 } },
        connectivityInfo: { publicAccess: { type: "DISABLED" } },
      },
      encryptionInfo: { encryptionAtRestKmsKeyArn: state(s, "events-key", "Key").arn, encryptionInTransit: { clientBroker: "TLS", inCluster: true } },
      clientAuthentication: { sasl: { scram: true }, unauthenticated: false },
      configurationInfo: { arn: state(s, "events-config", "Configuration").arn, revision: 1 },
      loggingInfo: { brokerLogs: { cloudwatchLogs: { enabled: true, logGroup: "/aws/msk/shop/shop-events" } } },
      enhancedMonitoring: "PER_BROKER",
      openMonitoring: { prometheus: { jmxExporter: { enabledInBroker: true }, nodeExporter: { enabledInBroker: true } } },
      tags: { "keel.dev/system": "shop", "keel.dev/component": "events", Name: "events" },
    });
    expect(c.clientAuthentication.sasl.iam).toBeUndefined();
    // The pack's MSK policies pass on what is recorded.
    for (const policy of [mskEncryption, mskLogging, mskPrivate]) expect(violations(policy, "aws:msk/cluster:Cluster", c)).toEqual([]);
    expect(input(s, "events-broker-logs", "LogGroup")).toMatchObject({ name: "/aws/msk/shop/shop-events", retentionInDays: 30 });
    expect(s.resource("events", "msk/cluster:Cluster").dependencies).toContain(s.resource("events-broker-logs", "LogGroup").urn);
    const sg = input(s, "events-sg", "SecurityGroup");
    expect(sg.ingress).toEqual([{ description: "events clients", protocol: "tcp", fromPort: 9096, toPort: 9096, securityGroups: [shape.nodeSecurityGroupId] }]);
    for (const [name, type] of [["events", "msk/cluster:Cluster"], ["events-key", "Key"], ["events-scram", "Secret"], ["events-scram-password", "RandomPassword"], ["events-topic-orders", "Topic"]]) {
      expect(s.options(name, type)).toMatchObject({ protect: true, retainOnDelete: true });
    }
    expect(ofType(s, "StatefulSet")).toEqual([]);
    expect(ofType(s, "Job")).toEqual([]);
  });

  it("the configuration carries the in-cluster brokers' replication, partition and retention settings", () => {
    const { s } = prod;
    const conf = input(s, "events-config", "Configuration");
    expect(conf.name).toBe("shop-events-kafka-3-8");
    expect(conf.kafkaVersions).toEqual(["3.8.x"]);
    expect(String(conf.serverProperties).trim().split("\n")).toEqual([
      "auto.create.topics.enable=false",
      "default.replication.factor=3",
      "min.insync.replicas=2",
      "num.partitions=3",
      "offsets.topic.replication.factor=3",
      "transaction.state.log.replication.factor=3",
      "transaction.state.log.min.isr=2",
      "unclean.leader.election.enable=false",
      "log.retention.hours=168",
      "group.initial.rebalance.delay.ms=3000",
    ]);
  });

  it("declared topics are MSK topics with their partitions, replication factor and configs", () => {
    const { s } = prod;
    expect(input(s, "events-topic-orders", "Topic")).toEqual({ name: "orders", clusterArn: state(s, "events", "msk/cluster:Cluster").arn, partitionCount: 3, replicationFactor: 3 });
    const dlq = input(s, "events-topic-orders-dlq", "Topic");
    expect(dlq).toMatchObject({ name: "orders.dlq", partitionCount: 1, replicationFactor: 3 });
    expect(JSON.parse(dlq.configs)).toEqual({ "retention.ms": "1209600000", "cleanup.policy": "delete" });
  });

  it("SCRAM: a secret named AmazonMSK_… encrypted with the cluster's customer-managed key, its JSON credentials secret, associated with the cluster", () => {
    const { s, seen } = prod;
    const secret = input(s, "events-scram", "Secret");
    expect(secret.name).toBe("AmazonMSK_shop-events-scram");
    expect(secret.kmsKeyId).toBe(state(s, "events-key", "Key").arn);
    const version = s.resource("events-scram-version", "SecretVersion");
    expect(redact(version.inputs)).toMatchObject({ secretString: "[secret]" });
    expect(JSON.parse(String((unwrap(version.inputs) as Obj).secretString))).toEqual({ username: "events", password: seen.password });
    expect(input(s, "events-scram-association", "SingleScramSecretAssociation")).toEqual({ clusterArn: state(s, "events", "msk/cluster:Cluster").arn, secretArn: state(s, "events-scram", "Secret").arn });
    expect(s.resource("events-scram-association", "SingleScramSecretAssociation").dependencies).toContain(version.urn);
  });

  it("the connection: KAFKA_BROKERS from the mock's SASL/SCRAM bootstrap brokers (host:9096 list), SASL_SSL, the password a secret", () => {
    const { s, seen } = prod;
    const brokers = state(s, "events", "msk/cluster:Cluster").bootstrapBrokersSaslScram;
    expect(seen.bootstrap).toBe(brokers);
    const hosts = seen.bootstrap.split(",");
    expect(hosts).toHaveLength(3);
    for (const h of hosts) expect(h).toMatch(/^b-\d\.shop-events\.[a-z0-9]+\.c2\.kafka\.eu-west-1\.amazonaws\.com:9096$/);
    expect(seen.env).toEqual({ KAFKA_BROKERS: brokers, KAFKA_SECURITY_PROTOCOL: "SASL_SSL", KAFKA_SASL_MECHANISM: "SCRAM-SHA-512", KAFKA_USERNAME: "events", KAFKA_PASSWORD: seen.password });
    expect(seen.secretEnv).toEqual(["KAFKA_PASSWORD"]);
    expect(seen).toMatchObject({ port: 9096, tls: true, username: "events" });
    expect(seen.statements).toBeUndefined();
    const envSecret = s.resources.find((r) => r.type === "kubernetes:core/v1:Secret" && r.name === "api-env");
    expect(Object.keys(unwrap((envSecret!.inputs as Obj).stringData) as Obj)).toEqual(["KAFKA_PASSWORD"]);
    // The client's egress reaches the data subnets (the endpoint's address moves on failover) on 9096 only.
    const egress = (s.object("NetworkPolicy", "api-netpol").spec as Obj).egress as Obj[];
    expect(egress).toContainEqual({ to: platformProdShape().vpc.dataSubnetCidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: [{ port: 9096, protocol: "TCP" }] });
  });

  it("nothing secret in what is written: the SCRAM password appears nowhere", () => {
    const { s, seen } = prod;
    expect(seen.password).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(s.written()).not.toContain(seen.password!);
  });
});

describe("KafkaCluster on aws: MSK with IAM", () => {
  let iam: { s: Synthesized; seen: Seen };
  beforeAll(async () => {
    iam = await cluster({ aws: { authentication: "iam", instanceType: "kafka.m7g.xlarge", kafkaVersion: "3.9.x", logRetentionDays: 90 }, brokers: 6 });
  });

  it("IAM only, on 9098, bootstrap from the mock's IAM brokers; no SCRAM secret, no password", () => {
    const { s, seen } = iam;
    const c = input(s, "events", "msk/cluster:Cluster");
    expect(c).toMatchObject({ numberOfBrokerNodes: 6, kafkaVersion: "3.9.x", clientAuthentication: { sasl: { iam: true }, unauthenticated: false }, brokerNodeGroupInfo: { instanceType: "kafka.m7g.xlarge" } });
    expect(input(s, "events-sg", "SecurityGroup").ingress[0]).toMatchObject({ fromPort: 9098, toPort: 9098 });
    expect(input(s, "events-broker-logs", "LogGroup").retentionInDays).toBe(90);
    expect(ofType(s, "Secret").filter((r) => r.type.startsWith("aws:"))).toEqual([]);
    expect(seen.bootstrap).toBe(state(s, "events", "msk/cluster:Cluster").bootstrapBrokersSaslIam);
    for (const h of seen.bootstrap.split(",")) expect(h).toMatch(/^b-\d\.shop-events\.[a-z0-9]+\.c2\.kafka\.eu-west-1\.amazonaws\.com:9098$/);
    expect(seen.env).toEqual({ KAFKA_BROKERS: seen.bootstrap, KAFKA_SECURITY_PROTOCOL: "SASL_SSL", KAFKA_SASL_MECHANISM: "AWS_MSK_IAM" });
    expect(seen.secretEnv).toEqual([]);
    expect(seen.password).toBeUndefined();
    expect(seen.port).toBe(9098);
    // Not protected without protect.
    for (const [name, type] of [["events", "msk/cluster:Cluster"], ["events-key", "Key"], ["events-topic-orders", "Topic"]]) expect(s.options(name, type)).not.toHaveProperty("protect");
  });

  it("clients' IAM statements: the cluster, the declared topics, the cluster's groups; each one least privilege, no '*' resource", () => {
    const { s, seen } = iam;
    const arn = String(state(s, "events", "msk/cluster:Cluster").arn);
    const [, , , region, account, rest] = arn.split(":");
    const [, clusterName, uuid] = rest.split("/");
    expect(clusterName).toBe("shop-events");
    const base = `arn:aws:kafka:${region}:${account}`;
    expect(seen.resolvedStatements).toEqual([
      { Sid: "ConnectToCluster", Effect: "Allow", Action: ["kafka-cluster:Connect", "kafka-cluster:DescribeCluster"], Resource: arn },
      { Sid: "ReadWriteTopics", Effect: "Allow", Action: ["kafka-cluster:DescribeTopic", "kafka-cluster:ReadData", "kafka-cluster:WriteData"], Resource: [`${base}:topic/shop-events/${uuid}/orders`, `${base}:topic/shop-events/${uuid}/orders.dlq`] },
      { Sid: "ConsumerGroups", Effect: "Allow", Action: ["kafka-cluster:DescribeGroup", "kafka-cluster:AlterGroup"], Resource: `${base}:group/shop-events/${uuid}/*` },
    ]);
    for (const statement of seen.resolvedStatements!) {
      expect(leastPrivilegeProblems({ Version: "2012-10-17", Statement: [statement as PolicyStatement] })).toEqual([]);
      expect([statement.Resource].flat()).not.toContain("*");
    }
  });
});

describe("KafkaCluster on aws: defaults, managed: false and validation", () => {
  it("brokers default to one per data subnet; the broker type follows resources", async () => {
    const { s } = await cluster({ topics: [], resources: { limits: { cpu: "3", memory: "12Gi" } } });
    expect(input(s, "events", "msk/cluster:Cluster")).toMatchObject({ numberOfBrokerNodes: platformProdShape().vpc.dataSubnetIds.length, brokerNodeGroupInfo: { instanceType: "kafka.m7g.xlarge" } });
    expect(ofType(s, "Topic")).toEqual([]);
    expect(defaultInstanceType({ limitMemoryBytes: 2 * 1024 ** 3, limitMillicores: 2000 })).toBe("kafka.m7g.large");
    expect(defaultInstanceType({ limitMemoryBytes: 20 * 1024 ** 3, limitMillicores: 2000 })).toBe("kafka.m7g.2xlarge");
    expect(defaultInstanceType({ limitMemoryBytes: 1024 ** 4, limitMillicores: 2000 })).toBeUndefined();
  });

  it("managed: false keeps the in-cluster StatefulSet on EKS", async () => {
    const { s, seen } = await cluster({ managed: false, brokers: 3, tls: false });
    expect(s.all("StatefulSet").map((o) => o.metadata.name)).toEqual(["events"]);
    expect(ofType(s, "msk/cluster:Cluster")).toEqual([]);
    expect(seen.onKubernetes).toBe(true);
    expect(Object.keys(seen.env)).toEqual(["KAFKA_BROKERS"]);
  });

  const cases: Record<string, [Partial<KafkaClusterArgs>, boolean?]> = {
    brokers2: [{ brokers: 2 }],
    instanceType: [{ aws: { instanceType: "m7g.large" } }],
    authentication: [{ aws: { authentication: "tls" as never } }],
    version: [{ aws: { kafkaVersion: "3.5.1" } }],
    versionFormat: [{ aws: { kafkaVersion: "latest" } }],
    noStorage: [{ storage: false }],
    tooBig: [{ storage: { size: "20Ti" } }],
    strimzi: [{ strimzi: true }],
    logs: [{ aws: { logRetentionDays: 2 } }],
    onKubernetes: [{ aws: { authentication: "iam" } }, true],
    unmanaged: [{ managed: false, aws: { authentication: "iam" } }],
    inClusterOnly: [{ tls: false, image: "apache/kafka:3.9.0", metrics: false, brokers: 3 }],
  };
  let messages: Record<string, string> = {};
  beforeAll(async () => {
    messages = await messagesOf(cases, (key, platform, args) => new KafkaCluster(`k-${key.toLowerCase()}`, { platform, topics: [{ name: "orders" }], ...args } as KafkaClusterArgs));
  });

  it("rejects inputs MSK cannot take, with exact messages", () => {
    expect(messages.brokers2).toBe('KafkaCluster "k-brokers2": brokers is 2; expected a multiple of 3 on MSK (3, 6, 9, 12, 15): MSK places the same number of brokers in each of the platform\'s 3 data subnets');
    expect(messages.instanceType).toBe('KafkaCluster "k-instancetype": aws.instanceType is "m7g.large"; expected an MSK broker type such as "kafka.m7g.large" (kafka.<family>.<size>)');
    expect(messages.authentication).toBe('KafkaCluster "k-authentication": aws.authentication is "tls"; expected "scram" (SASL/SCRAM-SHA-512 with a generated password) or "iam" (SASL with each client\'s IAM role)');
    expect(messages.version).toBe('KafkaCluster "k-version": aws.kafkaVersion is "3.5.1"; expected 3.6.0 or later with topics: keel creates them through MSK\'s topic API (aws.msk.Topic), which needs Kafka 3.6');
    expect(messages.versionFormat).toBe('KafkaCluster "k-versionformat": aws.kafkaVersion is "latest"; expected an MSK Kafka version such as "3.8.x", "3.7.x.kraft" or "3.6.0"');
    expect(messages.noStorage).toBe('KafkaCluster "k-nostorage": storage is false; expected a volume size such as { size: "100Gi" } (or nothing): MSK brokers always keep their logs on EBS volumes');
    expect(messages.tooBig).toBe('KafkaCluster "k-toobig": storage.size is "20Ti"; expected at most 16384Gi: MSK\'s largest broker volume');
    expect(messages.strimzi).toContain('KafkaCluster "k-strimzi": strimzi is true; expected false or nothing: on the aws platform the cluster is Amazon MSK (set managed: false to run Strimzi on EKS)');
    expect(messages.logs).toMatch(/^KafkaCluster "k-logs": aws\.logRetentionDays is 2; expected one of CloudWatch's retention periods in days: 1, 3, 5, /);
  });

  it("rejects aws settings where the cluster runs in Kubernetes", () => {
    expect(messages.onKubernetes).toBe(
      'KafkaCluster "k-onkubernetes": aws is {"authentication":"iam"}; expected no aws settings: the cluster runs in Kubernetes (the kubernetes platform); they configure Amazon MSK, which a KafkaCluster is on the aws platform unless managed: false',
    );
    expect(messages.unmanaged).toBe(
      'KafkaCluster "k-unmanaged": aws is {"authentication":"iam"}; expected no aws settings: the cluster runs in Kubernetes (managed: false); they configure Amazon MSK, which a KafkaCluster is on the aws platform unless managed: false',
    );
  });

  it("accepts what only the in-cluster brokers use (the same blueprint on both platforms): tls: false, image, metrics", () => {
    expect(messages.inClusterOnly).toBe("");
  });
});
