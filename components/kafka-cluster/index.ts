/**
 * KafkaCluster: Apache Kafka in KRaft mode (no ZooKeeper). Plain StatefulSets by default
 * (combined broker + controller nodes, TLS listener from a cert-manager CA), or, with
 * `strimzi: true` on a platform that has the operator, Strimzi's `Kafka` + `KafkaNodePool` +
 * `KafkaTopic` (kafka.strimzi.io/v1). Replication factor and min.insync.replicas follow the broker count; topics are
 * declared in args; the bootstrap servers are the connection's `KAFKA_BROKERS`. On the aws platform
 * it is Amazon MSK (aws.ts) unless `managed: false`: the same KAFKA_BROKERS, with SASL_SSL.
 */
import * as pulumi from "@pulumi/pulumi";
import type { Connection } from "../core/connection";
import type { NetworkRule } from "../core/network";
import type { ResourcesArgs } from "../core/resources";
import type { Platform, Tier } from "../platform/types";
import { DataStoreComponent, StorageArgs } from "../workload/data-store";
import { KafkaAwsResources, deployMsk } from "./aws";
import { KAFKA_PORTS } from "./config";
import { deployKafka } from "./kubernetes";
import { resolveKafkaArgs } from "./resolve";
import { deployStrimzi } from "./strimzi";

/** Amazon MSK settings (the aws platform, unless `managed: false`). docs/data-stores.md, "KafkaCluster on aws (MSK)". */
export interface KafkaAwsArgs {
  /** The broker type, `kafka.<family>.<size>`. @default the smallest kafka.m7g type with the memory and vCPUs of `resources`' limits */
  readonly instanceType?: string;
  /** How clients log in: SASL/SCRAM-SHA-512 with a generated password (port 9096), or IAM with each client's own role (port 9098). @default "scram" */
  readonly authentication?: "scram" | "iam";
  /** MSK's Kafka version (3.6 or later with topics). Not checked against the versions AWS offers. @default "3.8.x" */
  readonly kafkaVersion?: string;
  /** Days the broker logs are kept in CloudWatch (one of CloudWatch's periods). @default 30 */
  readonly logRetentionDays?: number;
  /** Security groups for pods admitted instead of the cluster's nodes (every pod). @default the cluster's node security group */
  readonly clientSecurityGroupIds?: readonly pulumi.Input<string>[];
}

export interface KafkaTopicArgs {
  readonly name: string;
  /** @default the cluster's defaultPartitions */
  readonly partitions?: number;
  /** @default the cluster's replicationFactor */
  readonly replicationFactor?: number;
  /** Topic configs, e.g. `{ "retention.ms": 604800000, "cleanup.policy": "compact" }`. */
  readonly config?: Readonly<Record<string, string | number>>;
}

export interface KafkaClusterArgs {
  readonly platform: Platform;
  /** KRaft nodes (each broker and controller). 3 in prod. @default 1 */
  readonly brokers?: number;
  /** @default min(3, brokers) */
  readonly replicationFactor?: number;
  /** @default replicationFactor - 1 (at least 1): 2 with 3 brokers */
  readonly minInsyncReplicas?: number;
  /** @default 3 */
  readonly defaultPartitions?: number;
  /** @default 168 (7 days) */
  readonly retentionHours?: number;
  readonly topics?: readonly KafkaTopicArgs[];
  /** @default "apache/kafka:3.9.0" (plain StatefulSets) */
  readonly image?: pulumi.Input<string>;
  /** Kafka version Strimzi runs. @default "4.1.0" */
  readonly version?: string;
  /** Use Strimzi's custom resources instead of StatefulSets (the platform must have `operators.strimzi`). @default false */
  readonly strimzi?: boolean;
  /** TLS listener on 9093: certificates from a cert-manager CA keel creates, or `{ secretName }` (keystore.p12/truststore.p12); `false` for none. @default cert-manager */
  readonly tls?: { readonly secretName?: string } | false;
  /** @default requests 250m/1Gi, limits 2/2Gi (heap: half the memory limit) */
  readonly resources?: ResourcesArgs;
  /** @default { size: "20Gi" } */
  readonly storage?: StorageArgs | false;
  /** kafka_exporter (plain) or Strimzi's metrics reporter and Kafka Exporter. @default true */
  readonly metrics?: boolean;
  readonly allowFrom?: readonly NetworkRule[];
  /**
   * Protect every stateful child (prod): the broker StatefulSet, the credentials Secret, the keystore password and the cluster id; with Strimzi, the `Kafka`, its `KafkaNodePool` and every `KafkaTopic`. Each gets Pulumi's `protect` and `retainOnDelete`
   * (`pulumi destroy`, a deletion or a replacement fails instead of losing data or access).
   * Volumes are always retained. @default false
   */
  readonly protect?: boolean;
  /**
   * On the aws platform: an Amazon MSK cluster (true), or `false` to run Kafka in-cluster on EKS,
   * as on kubernetes. Elsewhere only `false` (or nothing) is accepted.
   * @default true on aws
   */
  readonly managed?: boolean;
  /** MSK settings; only for a managed cluster (aws platform without `managed: false`). */
  readonly aws?: KafkaAwsArgs;
  /** @default "data" */
  readonly tier?: Tier;
}

export class KafkaCluster extends DataStoreComponent {
  /** KAFKA_BROKERS (the bootstrap servers). */
  public readonly connection: Connection;
  /** `host:9092` clients bootstrap from (on MSK: `host:9096,host:9096,…`, or 9098 with IAM). */
  public readonly bootstrapServers: pulumi.Output<string>;
  /** The MSK resources (aws, managed). */
  public readonly aws?: KafkaAwsResources;

  constructor(name: string, args: KafkaClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    const r = resolveKafkaArgs(name, args);
    super("keel:components:KafkaCluster", name, {}, opts);
    if (r.managed) {
      const m = deployMsk(this, r, args.platform);
      this.aws = { cluster: m.cluster, configuration: m.configuration, securityGroup: m.securityGroup, kmsKey: m.kmsKey, logGroup: m.logGroup, topics: m.topics, scramSecret: m.scramSecret };
      this.bootstrapServers = m.bootstrap;
      const env: Record<string, pulumi.Input<string>> = { KAFKA_BROKERS: m.bootstrap, KAFKA_SECURITY_PROTOCOL: "SASL_SSL", KAFKA_SASL_MECHANISM: m.password ? "SCRAM-SHA-512" : "AWS_MSK_IAM" };
      const secretEnv: string[] = [];
      if (m.username && m.password) {
        env.KAFKA_USERNAME = m.username;
        env.KAFKA_PASSWORD = m.password;
        secretEnv.push("KAFKA_PASSWORD");
      }
      this.connection = {
        kind: "kafka",
        host: m.bootstrap.apply((b) => b.split(",")[0].split(":")[0]),
        port: m.port,
        username: m.username,
        password: m.password,
        tls: true,
        url: m.bootstrap,
        env,
        secretEnv,
        endpoint: m.endpoint,
        ...(m.clientStatements ? { awsAccess: { statements: m.clientStatements } } : {}),
      };
      this.attachManaged(m.endpoint, r.allowFrom);
      this.registerOutputs({ bootstrapServers: this.bootstrapServers });
      return;
    }
    const d = r.strimzi ? deployStrimzi(this, r) : deployKafka(this, r);
    this.attachClients(d.clients);
    this.bootstrapServers = d.bootstrap;
    this.connection = {
      kind: "kafka",
      host: d.bootstrap.apply((b) => b.split(":")[0]),
      port: KAFKA_PORTS.plain,
      url: d.bootstrap,
      env: { KAFKA_BROKERS: d.bootstrap },
      secretEnv: [],
      endpoint: d.clients,
    };
    this.registerOutputs({ bootstrapServers: this.bootstrapServers });
  }

}

export { KAFKA_PORTS, kafkaStartScript, renderProperties, serverProperties, topicsScript } from "./config";
export type { KafkaSettings, TopicSpec } from "./config";
export { resolveKafkaArgs } from "./resolve";
export type { KafkaAuthentication, ResolvedKafka, ResolvedKafkaAws } from "./resolve";
export { STRIMZI_API_VERSION } from "./strimzi";
export type { KafkaAwsResources } from "./aws";
