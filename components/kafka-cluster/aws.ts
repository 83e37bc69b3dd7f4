/**
 * KafkaCluster on the aws platform: an Amazon MSK provisioned cluster in the platform's data
 * subnets (the same number of brokers in each), EBS volumes of `storage.size`, encrypted at rest
 * (a customer-managed KMS key) and TLS-only in transit (clients and between brokers), clients
 * authenticated with SASL/SCRAM (a generated password in Secrets Manager, the default) or IAM,
 * broker logs in a CloudWatch log group keel creates with a retention, and a configuration from
 * the same typed settings as the in-cluster server.properties (config.ts). Declared topics are
 * MSK topics (`aws.msk.Topic`, MSK's topic API): no Kafka admin client, no Job, no credentials in
 * the cluster. Clients get the same KAFKA_BROKERS as in the cluster, plus what SASL_SSL needs.
 *
 * docs/data-stores.md, "KafkaCluster on aws (MSK)", says what does not carry over (image, tls,
 * resources beyond the default broker type, metrics, version).
 */
import * as cloudwatch from "@pulumi/aws/cloudwatch";
import type * as ec2 from "@pulumi/aws/ec2";
import type * as kms from "@pulumi/aws/kms";
import * as msk from "@pulumi/aws/msk";
import * as secretsmanager from "@pulumi/aws/secretsmanager";
import * as pulumi from "@pulumi/pulumi";
import type { PolicyStatement } from "../aws/iam";
import { ManagedDataContext, awsIdentifier, dataKmsKey, dataSecurityGroup, dataSubnetIds, managedDataContext, managedEndpoint } from "../aws/managed-data";
import { childName } from "../core/naming";
import { propertiesLines } from "../core/quoting";
import type { Platform } from "../platform/types";
import type { ManagedEndpoint } from "../workload/data-store";
import { generatedPassword } from "../workload/data-store";
import { TopicSpec, serverProperties } from "./config";
import type { KafkaAuthentication, ResolvedKafka } from "./resolve";

/** MSK's client ports: SASL/SCRAM over TLS, and IAM over TLS. */
export const MSK_PORTS: Readonly<Record<KafkaAuthentication, number>> = { scram: 9096, iam: 9098 };

/** The broker settings MSK lets a configuration set, taken from the in-cluster server.properties (config.ts). */
const MSK_SERVER_PROPERTIES = [
  "auto.create.topics.enable",
  "default.replication.factor",
  "min.insync.replicas",
  "num.partitions",
  "offsets.topic.replication.factor",
  "transaction.state.log.replication.factor",
  "transaction.state.log.min.isr",
  "unclean.leader.election.enable",
  "log.retention.hours",
  "group.initial.rebalance.delay.ms",
] as const;

/** The MSK configuration's server.properties: the in-cluster brokers' replication, partition and retention settings, nothing about listeners or nodes (MSK owns those). */
export function mskServerProperties(r: Pick<ResolvedKafka, "brokers" | "replicationFactor" | "minInsyncReplicas" | "defaultPartitions" | "retentionHours">): string {
  const all = serverProperties({ ...r, hostOf: () => "", tls: false, logDir: "", tlsDir: "" });
  const picked = Object.fromEntries(MSK_SERVER_PROPERTIES.map((k) => [k, all[k]]));
  return `${propertiesLines(picked).join("\n")}\n`;
}

/** An MSK ARN of another resource type of the same cluster: `arn:…:kafka:…:topic/<cluster>/<uuid>/<rest>`. */
export function mskResourceArn(clusterArn: pulumi.Input<string>, kind: "topic" | "group" | "transactional-id", rest: string): pulumi.Output<string> {
  return pulumi.output(clusterArn).apply((arn) => `${arn.replace(/:cluster\//, `:${kind}/`)}/${rest}`);
}

/**
 * What a client's role needs to produce and consume with IAM authentication, one statement per
 * kind of resource: connect to this cluster, read and write the declared topics (no others: keel
 * turns auto-creation off), and use consumer groups of this cluster. Group names are the
 * clients' own choice, so that statement names every group of this cluster (`group/<cluster>/<uuid>/*`), no other.
 */
export function mskClientStatements(clusterArn: pulumi.Input<string>, topics: readonly TopicSpec[]): PolicyStatement[] {
  return [
    { Sid: "ConnectToCluster", Effect: "Allow", Action: ["kafka-cluster:Connect", "kafka-cluster:DescribeCluster"], Resource: clusterArn },
    ...(topics.length > 0
      ? [{ Sid: "ReadWriteTopics", Effect: "Allow" as const, Action: ["kafka-cluster:DescribeTopic", "kafka-cluster:ReadData", "kafka-cluster:WriteData"], Resource: topics.map((t) => mskResourceArn(clusterArn, "topic", t.name)) }]
      : []),
    { Sid: "ConsumerGroups", Effect: "Allow", Action: ["kafka-cluster:DescribeGroup", "kafka-cluster:AlterGroup"], Resource: mskResourceArn(clusterArn, "group", "*") },
  ];
}

/** A KafkaCluster's MSK resources (`KafkaCluster.aws`). */
export interface KafkaAwsResources {
  readonly cluster: msk.Cluster;
  readonly configuration: msk.Configuration;
  readonly securityGroup: ec2.SecurityGroup;
  readonly kmsKey: kms.Key;
  readonly logGroup: cloudwatch.LogGroup;
  readonly topics: readonly msk.Topic[];
  /** SASL/SCRAM: the Secrets Manager secret MSK reads the credentials from. */
  readonly scramSecret?: secretsmanager.Secret;
}

export interface MskDeployment extends KafkaAwsResources {
  readonly ctx: ManagedDataContext;
  readonly port: number;
  /** `host:port,host:port,…` for the cluster's authentication. */
  readonly bootstrap: pulumi.Output<string>;
  readonly username?: pulumi.Output<string>;
  readonly password?: pulumi.Output<string>;
  readonly endpoint: ManagedEndpoint;
  /** IAM authentication: what each client's role needs. */
  readonly clientStatements?: readonly PolicyStatement[];
}

export function deployMsk(parent: pulumi.ComponentResource, r: ResolvedKafka, platform: Platform): MskDeployment {
  const aws = r.aws;
  if (!aws) throw new Error(`KafkaCluster "${r.name}": deployMsk needs resolved aws settings (resolveKafkaArgs sets them for a managed cluster)`);
  // aws.msk.Topic (MSK's topic API) is recent in @pulumi/aws (keel is tested with 7.48): an older copy fails here, before anything is registered.
  if (r.topics.length > 0 && typeof (msk as { Topic?: unknown }).Topic !== "function") {
    throw new Error(`KafkaCluster "${r.name}": topics on MSK need aws.msk.Topic, which this @pulumi/aws does not have; upgrade @pulumi/aws (keel is tested with 7.48)`);
  }
  const ctx = managedDataContext(parent, r, platform, r.protect);
  const clusterName = awsIdentifier(ctx, "", 64);
  const port = MSK_PORTS[aws.authentication];
  const kmsKey = dataKmsKey(ctx, "key", `${r.name}: MSK at-rest encryption and its SCRAM secret (system ${r.system})`);
  const securityGroup = dataSecurityGroup(ctx, "sg", [port], aws.clientSecurityGroupIds);
  // Created first with keel's retention, so MSK writes into a group that expires.
  const logGroupName = childName(r.name, "broker-logs");
  const logGroup = new cloudwatch.LogGroup(logGroupName, { name: `/aws/msk/${r.system}/${clusterName}`, retentionInDays: aws.logRetentionDays, tags: ctx.tags(logGroupName) }, ctx.opts);
  const configurationName = childName(r.name, "config");
  // Named after its Kafka version: a new version is a new configuration, created while the cluster still uses the old one.
  const configuration = new msk.Configuration(
    configurationName,
    { name: awsIdentifier(ctx, `kafka-${aws.kafkaVersion.replace(/\.x$/, "").replace(/\./g, "-")}`, 64), description: `${r.name} (system ${r.system}): keel's broker settings`, kafkaVersions: [aws.kafkaVersion], serverProperties: mskServerProperties(r) },
    ctx.opts,
  );
  const cluster = new msk.Cluster(
    r.name,
    {
      clusterName,
      kafkaVersion: aws.kafkaVersion,
      numberOfBrokerNodes: r.brokers,
      brokerNodeGroupInfo: {
        instanceType: aws.instanceType,
        clientSubnets: dataSubnetIds(ctx),
        securityGroups: [securityGroup.id],
        storageInfo: { ebsStorageInfo: { volumeSize: aws.volumeGiB } },
        connectivityInfo: { publicAccess: { type: "DISABLED" } },
      },
      encryptionInfo: { encryptionAtRestKmsKeyArn: kmsKey.arn, encryptionInTransit: { clientBroker: "TLS", inCluster: true } },
      clientAuthentication: { sasl: aws.authentication === "scram" ? { scram: true } : { iam: true }, unauthenticated: false },
      configurationInfo: { arn: configuration.arn, revision: configuration.latestRevision },
      loggingInfo: { brokerLogs: { cloudwatchLogs: { enabled: true, logGroup: logGroup.name } } },
      enhancedMonitoring: "PER_BROKER",
      openMonitoring: { prometheus: { jmxExporter: { enabledInBroker: true }, nodeExporter: { enabledInBroker: true } } },
      tags: ctx.tags(r.name),
    },
    { ...ctx.statefulOpts, dependsOn: [logGroup] },
  );
  // Deleting a topic deletes its messages: stateful.
  const topics = r.topics.map(
    (t) =>
      new msk.Topic(
        childName(r.name, `topic-${t.name.toLowerCase().replace(/[^a-z0-9-]/g, "-")}`),
        {
          name: t.name,
          clusterArn: cluster.arn,
          partitionCount: t.partitions,
          replicationFactor: t.replicationFactor,
          ...(Object.keys(t.config).length > 0 ? { configs: JSON.stringify(t.config) } : {}),
        },
        ctx.statefulOpts,
      ),
  );
  const endpoint = managedEndpoint(ctx, [{ port }]);
  const base = { ctx, cluster, configuration, securityGroup, kmsKey, logGroup, topics, port, endpoint };
  if (aws.authentication === "iam") {
    return { ...base, bootstrap: cluster.bootstrapBrokersSaslIam, clientStatements: mskClientStatements(cluster.arn, r.topics) };
  }
  // SASL/SCRAM: MSK reads the credentials from a secret named AmazonMSK_…, encrypted with a customer-managed key.
  const username = pulumi.output(r.name);
  const password = generatedPassword(parent, r, "scram");
  const secretName = childName(r.name, "scram");
  const scramSecret = new secretsmanager.Secret(
    secretName,
    { name: `AmazonMSK_${awsIdentifier(ctx, "scram", 180)}`, description: `${r.name}: SASL/SCRAM credentials of MSK cluster ${clusterName}`, kmsKeyId: kmsKey.arn, tags: ctx.tags(secretName) },
    ctx.statefulOpts,
  );
  const version = new secretsmanager.SecretVersion(
    childName(secretName, "version"),
    { secretId: scramSecret.id, secretString: pulumi.secret(pulumi.jsonStringify({ username, password })) },
    ctx.statefulOpts,
  );
  new msk.SingleScramSecretAssociation(childName(secretName, "association"), { clusterArn: cluster.arn, secretArn: scramSecret.arn }, { ...ctx.opts, dependsOn: [version] });
  return { ...base, scramSecret, bootstrap: cluster.bootstrapBrokersSaslScram, username, password };
}
