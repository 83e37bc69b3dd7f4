/**
 * RabbitMqCluster: RabbitMQ as one node (dev; 3.12+) or a cluster of an odd number of nodes
 * (prod; 4.1+) that form one cluster around pod 0 (RabbitMQ 4.1's Kubernetes peer discovery:
 * only the seed may form a cluster, no Kubernetes API access) and reach each other by their
 * stable names over the StatefulSet's headless Service, pause_minority, a generated user,
 * password, vhost and Erlang cookie, memory and disk alarms sized from the container, Prometheus
 * metrics (rabbitmq_prometheus, per queue on request), the management UI only on request, PDB,
 * spread and NetworkPolicies.
 *
 * ```ts
 * const mq = new RabbitMqCluster("orders-mq", { platform, replicas: 3, vhost: "orders" });
 * new ApiService("api", { platform, image, connections: [mq.connection] }); // RABBITMQ_URL, ...
 * ```
 */
import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Connection, urlWithPassword } from "../core/connection";
import type { NetworkRule } from "../core/network";
import type { ResourcesArgs } from "../core/resources";
import type { Platform, Tier } from "../platform/types";
import { DataStoreComponent, StorageArgs } from "../workload/data-store";
import type { DisruptionBudgetArgs } from "../workload/disruption";
import { RABBITMQ_PORTS } from "./config";
import { deployRabbitMq } from "./kubernetes";
import { resolveRabbitMqArgs } from "./resolve";

export interface RabbitMqClusterArgs {
  readonly platform: Platform;
  /**
   * Nodes: 1, or an odd number from 3 to 9 (quorum queues and pause_minority need a majority up;
   * an even count tolerates no more failures than one node fewer). @default 1
   */
  readonly replicas?: number;
  /**
   * A pinned official image: RabbitMQ 3.12 to 4.x for one node, 4.1 or later for a cluster (its
   * Kubernetes peer discovery lets only pod 0 form the cluster; with 3.13/4.0, nodes booting
   * together can form two). An image whose tag shows no version is taken as it is: with more
   * than one node it must be 4.1+ (older nodes refuse the generated file). @default "rabbitmq:4.1.8-alpine"
   */
  readonly image?: pulumi.Input<string>;
  /** The vhost clients use ("/" or a name of letters, digits, '.', '_', '-'). @default the component's name */
  readonly vhost?: string;
  /** The user clients log in as (its password is generated). @default the component's name */
  readonly username?: string;
  /**
   * Per node. The memory alarm (vm_memory_high_watermark) is 60% of the memory limit, the disk alarm
   * (disk_free_limit) the memory limit. @default requests 250m/512Mi, limits 1/1Gi
   */
  readonly resources?: ResourcesArgs;
  /** A volume per node at /var/lib/rabbitmq; `false` (one node only): an emptyDir, lost with the pod. @default { size: "8Gi" } */
  readonly storage?: StorageArgs | false;
  /** rabbitmq_prometheus on 15692, scraped by the platform's Prometheus. @default true */
  readonly metrics?: boolean;
  /**
   * Per-queue series on the scraped endpoint (`/metrics` on 15692), e.g.
   * `rabbitmq_queue_messages_ready{vhost="orders",queue="ordering"}` for an HPA's external metric
   * (`prometheus.return_per_object_metrics`). Off by default because of cardinality: every queue
   * then brings two dozen series or more, and so does every connection, channel and channel-queue
   * and channel-exchange pair (the node totals are replaced, not kept beside them): Prometheus'
   * memory and each scrape grow with queues and clients. A queue's series come from the node that
   * hosts its leader (sum by vhost and queue).
   * Needs `metrics`. @default false
   */
  readonly perObjectMetrics?: boolean;
  /**
   * rabbitmq_management (HTTP API and UI) on 15672: an administration surface, so off unless asked
   * for; reachable only by `allowFrom` rules that name port 15672. The generated user gets the
   * `management` tag (its own vhost in the UI, not the cluster's administration). @default false
   */
  readonly management?: boolean;
  /** Who may connect (besides services that use its `connection`): AMQP 5672, or 15672 when named with management on. */
  readonly allowFrom?: readonly NetworkRule[];
  /** Why one node is enough in prod (becomes the replicas-minimum exemption); without it, prod's policy asks for more. */
  readonly singleNodeReason?: string;
  /** With 3 or more nodes; must leave a majority up. @default maxUnavailable 1 */
  readonly disruptionBudget?: DisruptionBudgetArgs | false;
  /**
   * Protect every stateful child (prod): the StatefulSet, the credentials and Erlang cookie Secrets
   * and their random values. Each gets Pulumi's `protect` and `retainOnDelete` (`pulumi destroy`, a
   * deletion or a replacement fails instead of losing data or access). Volumes are always retained. @default false
   */
  readonly protect?: boolean;
  /** @default "data" */
  readonly tier?: Tier;
  /** Seconds between SIGTERM and SIGKILL (RabbitMQ closes connections and flushes queues). @default 60 */
  readonly terminationGracePeriodSeconds?: number;
}

export class RabbitMqCluster extends DataStoreComponent {
  /** RABBITMQ_URL (secret), RABBITMQ_HOST, RABBITMQ_PORT, RABBITMQ_USERNAME, RABBITMQ_PASSWORD (secret), RABBITMQ_VHOST. */
  public readonly connection: Connection;
  /** Every node's name, `rabbit@<pod>.<name>-headless.<namespace>.svc.cluster.local`. */
  public readonly nodeNames: pulumi.Output<string[]>;
  public readonly kubernetes: {
    readonly statefulSet: k8s.apps.v1.StatefulSet;
    readonly service: k8s.core.v1.Service;
    readonly credentials: k8s.core.v1.Secret;
    readonly erlangCookie: k8s.core.v1.Secret;
  };

  constructor(name: string, args: RabbitMqClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    const r = resolveRabbitMqArgs(name, args);
    super("keel:components:RabbitMqCluster", name, {}, opts);
    const d = deployRabbitMq(this, r);
    this.attachClients(d.clients);
    this.nodeNames = d.nodeNames;
    this.kubernetes = { statefulSet: d.nodes.workload as k8s.apps.v1.StatefulSet, service: d.nodes.service, credentials: d.credentials, erlangCookie: d.cookie };
    const url = urlWithPassword("amqp", r.username, d.password, d.host, RABBITMQ_PORTS.amqp, `/${encodeURIComponent(r.vhost)}`);
    this.connection = {
      kind: "rabbitmq",
      host: d.host,
      port: RABBITMQ_PORTS.amqp,
      username: pulumi.output(r.username),
      password: d.password,
      passwordSecret: { name: d.credentials.metadata.name, namespace: r.namespace, key: "password" },
      url,
      env: {
        RABBITMQ_URL: url,
        RABBITMQ_HOST: d.host,
        RABBITMQ_PORT: String(RABBITMQ_PORTS.amqp),
        RABBITMQ_USERNAME: r.username,
        RABBITMQ_PASSWORD: d.password,
        RABBITMQ_VHOST: r.vhost,
      },
      secretEnv: ["RABBITMQ_URL", "RABBITMQ_PASSWORD"],
      endpoint: d.clients,
    };
    this.registerOutputs({ host: d.host, url, nodeNames: d.nodeNames });
  }
}

export { RABBITMQ_PORTS, enabledPlugins, k8sSeedNode, rabbitmqConf, rabbitmqNodeName, rabbitmqStartScript } from "./config";
export type { RabbitMqPeerDiscovery, RabbitMqSettings } from "./config";
export { resolveRabbitMqArgs } from "./resolve";
export type { ResolvedRabbitMq } from "./resolve";
