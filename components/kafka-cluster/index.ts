/**
 * KafkaCluster: Apache Kafka in KRaft mode (no ZooKeeper). Plain StatefulSets by default
 * (combined broker + controller nodes, TLS listener from a cert-manager CA), or, with
 * `strimzi: true` on a platform that has the operator, Strimzi's `Kafka` + `KafkaNodePool` +
 * `KafkaTopic` (kafka.strimzi.io/v1). Replication factor and min.insync.replicas follow the broker count; topics are
 * declared in args; the bootstrap servers are the connection's `KAFKA_BROKERS`.
 */
import * as pulumi from "@pulumi/pulumi";
import type { Connection } from "../core/connection";
import type { NetworkRule } from "../core/network";
import type { ResourcesArgs } from "../core/resources";
import type { Platform, Tier } from "../platform/types";
import { DataStoreComponent, StorageArgs } from "../workload/data-store";
import { KAFKA_PORTS } from "./config";
import { deployKafka } from "./kubernetes";
import { resolveKafkaArgs } from "./resolve";
import { deployStrimzi } from "./strimzi";

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
   * On the aws platform: `false` runs the store in-cluster on EKS, as on kubernetes. The managed
   * counterpart (MSK) is not supported yet, so on aws this must be `false`; elsewhere it is ignored.
   * @default the managed service on aws (not available yet: an error says so)
   */
  readonly managed?: boolean;
  /** @default "data" */
  readonly tier?: Tier;
}

export class KafkaCluster extends DataStoreComponent {
  /** KAFKA_BROKERS (the bootstrap servers). */
  public readonly connection: Connection;
  /** `host:9092` clients bootstrap from. */
  public readonly bootstrapServers: pulumi.Output<string>;

  constructor(name: string, args: KafkaClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    const r = resolveKafkaArgs(name, args);
    super("keel:components:KafkaCluster", name, {}, opts);
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
export type { ResolvedKafka } from "./resolve";
export { STRIMZI_API_VERSION } from "./strimzi";
