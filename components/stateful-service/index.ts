/**
 * StatefulService: a generic stateful container (RabbitMQ, Qdrant, Keycloak, Mailpit, ...):
 * one image with per-replica volumes, a headless and a ClusterIP Service, probes (TCP on the
 * first port unless given), resources, env and secrets, a deny-by-default NetworkPolicy, a PDB
 * and anti-affinity when replicated, and a connection for its clients.
 *
 * ```ts
 * const mq = new StatefulService("mq", {
 *   platform, image: "rabbitmq:3.13.7-management-alpine", ports: [{ name: "amqp", port: 5672 }, { name: "http", port: 15672 }],
 *   volumes: [{ name: "data", mountPath: "/var/lib/rabbitmq", size: "8Gi" }],
 *   clientEnv: { RABBITMQ_URL: "amqp://{host}:{port}" },
 * });
 * ```
 */
import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Connection, ConnectionUse } from "../core/connection";
import type { EnvArgs } from "../core/env";
import type { NetworkRule } from "../core/network";
import type { ProbesArgs } from "../core/probes";
import type { ResourcesArgs } from "../core/resources";
import type { SecurityArgs } from "../core/security";
import type { Platform, Tier } from "../platform/types";
import type { DisruptionBudgetArgs } from "../workload/disruption";
import { DataStoreComponent } from "../workload/data-store";
import { deployStatefulService } from "./kubernetes";
import { resolveStatefulServiceArgs } from "./resolve";

export interface StatefulServicePort {
  /** A DNS-1123 port name, e.g. "amqp". */
  readonly name: string;
  readonly port: number;
}

export interface StatefulVolume {
  /** A DNS-1123 name, e.g. "data". */
  readonly name: string;
  /** Absolute path in the container. */
  readonly mountPath: string;
  /** e.g. "10Gi". */
  readonly size: string;
  /** @default the platform's storage class */
  readonly storageClass?: string;
}

export interface StatefulServiceArgs extends EnvArgs {
  readonly platform: Platform;
  /** Pinned image reference (tag or digest). */
  readonly image: pulumi.Input<string>;
  /** Ports it serves; clients get the first one in the connection. At least one. */
  readonly ports: readonly StatefulServicePort[];
  readonly command?: readonly string[];
  readonly args?: readonly string[];
  /** @default 1 */
  readonly replicas?: number;
  /** A PersistentVolumeClaim per replica for each (retained when the StatefulSet goes). @default none */
  readonly volumes?: readonly StatefulVolume[];
  /** @default TCP on the first port: startup (5 s x 60), liveness (every 15 s), readiness (every 5 s) */
  readonly probes?: ProbesArgs;
  /** @default requests 100m/128Mi, limits 500m/256Mi */
  readonly resources?: ResourcesArgs;
  /** @default non-root 10001, read-only root filesystem, no capabilities */
  readonly security?: SecurityArgs;
  /** Data stores it uses (e.g. Keycloak's database): env and network access, as for ApiService. */
  readonly connections?: readonly (Connection | ConnectionUse)[];
  /** Prometheus metrics endpoint. @default none */
  readonly metrics?: { readonly port: number; readonly path?: string };
  /** Who may connect (besides services that use its `connection`). */
  readonly allowFrom?: readonly NetworkRule[];
  /** What it may reach besides DNS and its connections. */
  readonly allowTo?: readonly NetworkRule[];
  /** Env its clients get, with `{host}` and `{port}` (the first port) filled in, e.g. `{ QDRANT_URL: "http://{host}:{port}" }`. */
  readonly clientEnv?: Readonly<Record<string, string>>;
  /** Why a single replica is fine in prod (becomes the replicas-minimum exemption). */
  readonly singleReplicaReason?: string;
  /** @default maxUnavailable 1 when 2 or more replicas */
  readonly disruptionBudget?: DisruptionBudgetArgs | false;
  /**
   * Protect every stateful child (prod): the StatefulSet. Each gets Pulumi's `protect` and `retainOnDelete`
   * (`pulumi destroy`, a deletion or a replacement fails instead of losing data or access).
   * Volumes are always retained. @default false
   */
  readonly protect?: boolean;
  /** @default "data" */
  readonly tier?: Tier;
  /** `app.kubernetes.io/component`. @default "stateful" */
  readonly component?: string;
  /** Seconds between SIGTERM and SIGKILL. @default 60 */
  readonly terminationGracePeriodSeconds?: number;
}

export class StatefulService extends DataStoreComponent {
  /** `{host}`:first port, with `clientEnv` for consumers. */
  public readonly connection: Connection;
  /** `<name>.<namespace>.svc.cluster.local` */
  public readonly host: pulumi.Output<string>;
  public readonly kubernetes: { readonly statefulSet: k8s.apps.v1.StatefulSet; readonly service: k8s.core.v1.Service };

  constructor(name: string, args: StatefulServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    const r = resolveStatefulServiceArgs(name, args);
    super("keel:components:StatefulService", name, {}, opts);
    const d = deployStatefulService(this, r);
    this.attachClients(d.clients);
    this.kubernetes = { statefulSet: d.workload.workload as k8s.apps.v1.StatefulSet, service: d.workload.service };
    this.host = pulumi.interpolate`${d.workload.service.metadata.name}.${r.namespace}.svc.cluster.local`;
    const port = r.ports[0].port;
    const fill = (template: string) => this.host.apply((h) => template.replace(/\{host\}/g, h).replace(/\{port\}/g, String(port)));
    this.connection = {
      kind: "service",
      host: this.host,
      port,
      url: pulumi.interpolate`${this.host}:${port}`,
      env: Object.fromEntries(Object.entries(r.clientEnv).map(([k, t]) => [k, fill(t)])),
      secretEnv: [],
      endpoint: d.clients,
    };
    this.registerOutputs({ host: this.host });
  }

}

export { resolveStatefulServiceArgs } from "./resolve";
export type { ResolvedStatefulService } from "./resolve";
