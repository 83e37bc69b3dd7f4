/**
 * PostgresCluster: PostgreSQL with a primary and streaming read replicas (seed 000), tuned
 * configuration generated from typed args, generated credentials, postgres_exporter, and
 * encrypted backups (pg_dump daily + WAL archiving) to S3-compatible storage.
 *
 * ```ts
 * const db = new PostgresCluster("req1-db", { platform, replicas: 1, backup: { storage: files.bucketTarget("backups") } });
 * new ApiService("api", { platform, image, connections: [db.connection] });
 * ```
 */
import * as pulumi from "@pulumi/pulumi";
import type * as k8s from "@pulumi/kubernetes";
import { Connection, ObjectStoreTarget, clusterHost, urlWithPassword } from "../core/connection";
import type { NetworkRule } from "../core/network";
import type { ResourcesArgs } from "../core/resources";
import type { MetricsPushTarget } from "../core/telemetry";
import type { Platform, Tier } from "../platform/types";
import { DataStoreComponent, StorageArgs } from "../workload/data-store";
import type { PostgresClient } from "./capacity";
import { deployPostgres } from "./kubernetes";
import { PostgresAlertRule, ReplicationSlotAlertOptions, WalSpoolAlertOptions, replicationSlotAlertRules, validatePostgresAlertOptions, walSpoolAlertRules } from "./metrics";
import { resolvePostgresArgs } from "./resolve";

export interface PostgresBackupArgs {
  /** Where backups and archived WAL go (e.g. `storage.bucketTarget("backups")`). */
  readonly storage: ObjectStoreTarget;
  /**
   * Image of the steps that run PostgreSQL's tools (the dump and base backup, WAL encryption):
   * pg_dump/pg_basebackup of the server's major version (or newer), gzip, openssl, a POSIX sh.
   * Required when `image` is not an official postgres image. A custom image is a prerequisite you build.
   * @default the official Debian image of the server's version, e.g. "postgres:16.4" for "postgres:16.4-alpine"
   */
  readonly image?: pulumi.Input<string>;
  /**
   * Image of the steps that talk to the object store and the Pushgateway (uploads, retention,
   * metrics): curl >= 7.75 (`--aws-sigv4`) and a POSIX sh with busybox-level tools.
   * @default "curlimages/curl:8.10.1"
   */
  readonly uploadImage?: pulumi.Input<string>;
  /**
   * Most WAL that may wait on the primary's volume to be shipped (segments and their encrypted
   * copies). When full, archive_command refuses: PostgreSQL keeps new segments in pg_wal and
   * retries; the `WalSpoolAlmostFull` rule of `walSpoolAlertRules()` warns before that.
   * @default "1Gi", or a quarter of `storage.size` when smaller
   */
  readonly walSpoolLimit?: string;
  /** Cron schedule, UTC. @default "0 3 * * *" (daily 03:00, seed 003) */
  readonly schedule?: string;
  /** Dumps, base backups and WAL older than this are deleted. @default 30 */
  readonly retentionDays?: number;
  /** Archive WAL continuously (and take base backups) for point-in-time recovery. @default true */
  readonly walArchiving?: boolean;
  /** Key prefix in the bucket. @default the cluster's name */
  readonly prefix?: string;
  /** Push the success time and size, and the WAL spool's state, to a Pushgateway (an ObservabilityStack's `metricsPush`): the BackupTooOld alert watches it. */
  readonly metrics?: MetricsPushTarget;
  /** @default requests 100m/256Mi, limits 1/1Gi */
  readonly resources?: ResourcesArgs;
  /** Scratch space (an emptyDir, requested as ephemeral storage) for the encrypted dump and base backup until they are uploaded. @default "10Gi" */
  readonly scratchSize?: string;
  /** The encryption passphrase (a secret, e.g. from your vault). @default generated; read it from `backupPassphrase` and keep a copy outside the cluster */
  readonly passphrase?: pulumi.Input<string>;
}

export interface PostgresClusterArgs {
  readonly platform: Platform;
  /** @default "postgres:16.4-alpine" (runs as its postgres user, uid 70) */
  readonly image?: pulumi.Input<string>;
  /** The application's database. @default the name with '-' as '_' */
  readonly database?: string;
  /** The application's role (owner of the database). @default the database name */
  readonly username?: string;
  /** Streaming read replicas behind the `-ro` Service; 0 for none. @default 0 */
  readonly replicas?: number;
  /** Per member; shared_buffers (25%), effective_cache_size (75%) and work_mem follow the memory limit. @default requests 250m/512Mi, limits 1/1Gi */
  readonly resources?: ResourcesArgs;
  /** A volume per member; `false` for an emptyDir (dev only: data is lost with the pod). @default { size: "10Gi" } */
  readonly storage?: StorageArgs | false;
  /**
   * max_connections of each server. Must hold every expected client's pool at its largest plus
   * what keel reserves (superuser_reserved_connections 3, postgres_exporter 2, backup 1, 1 per
   * replica): `sum(maxPods x poolSize) + reserved`; a smaller value is refused.
   * @default that sum when `expectedClients` is given (at least 100), else 100
   */
  readonly maxConnections?: number;
  /**
   * The workloads that open connection pools: each pod of each may hold `poolSize` connections
   * to the primary (and as many to a replica with DATABASE_READ_URL). Past what max_connections
   * can take, put a pooler such as PgBouncer in front (docs/postgres.md, "Connections").
   * @default none (only maxConnections' own bounds are checked)
   */
  readonly expectedClients?: readonly PostgresClient[];
  /** WAL kept for lagging replicas without a slot (and for pg_basebackup). @default "1GB" */
  readonly walKeepSize?: string;
  /**
   * Most WAL the primary keeps for one replica's replication slot while that replica is away
   * (`max_slot_wal_keep_size`). Past it the slot is invalidated, so a dead replica cannot fill the
   * primary's volume; that replica is copied again at its next start.
   * @default a quarter of storage.size (at least walKeepSize)
   */
  readonly maxSlotWalKeepSize?: string;
  /**
   * Size of the memory-backed /dev/shm (PostgreSQL's dynamic shared memory: parallel query). What
   * PostgreSQL writes there counts against the memory limit; work_mem is derived net of it.
   * @default half of shared_buffers (an eighth of the memory limit), at least 128Mi, at most a quarter of the limit
   */
  readonly sharedMemory?: string;
  /** Extra postgresql.conf settings (settings keel manages are rejected). */
  readonly parameters?: Readonly<Record<string, string | number | boolean>>;
  /** Networks pg_hba.conf admits (IPv4 or IPv6 CIDRs). @default the platform's pod network (`kubernetes.podCidrs`) */
  readonly clientCidrs?: readonly string[];
  /** Scheduled encrypted backups to S3-compatible storage. @default none */
  readonly backup?: PostgresBackupArgs;
  /**
   * Accept TCP connections only over TLS (`hostssl`, TLS 1.2+); URLs get `sslmode=require`.
   * `true`: a certificate from a namespace-local cert-manager CA; or `{ secretName }` of a `kubernetes.io/tls` Secret.
   * @default false
   */
  readonly tls?: boolean | { readonly secretName: string };
  /** postgres_exporter sidecar. @default true */
  readonly metrics?: boolean;
  /** Who may connect (besides `connections` of ApiServices, which open the path themselves). */
  readonly allowFrom?: readonly NetworkRule[];
  /**
   * Protect every stateful child (prod): the primary and replica StatefulSets, the credentials and backup Secrets, the generated passwords and the backup passphrase. Each gets Pulumi's `protect` and `retainOnDelete`
   * (`pulumi destroy`, a deletion or a replacement fails instead of losing data or access).
   * Volumes are always retained. @default false
   */
  readonly protect?: boolean;
  /**
   * On the aws platform: `false` runs the store in-cluster on EKS, as on kubernetes. The managed
   * counterpart (RDS) is not supported yet, so on aws this must be `false`; elsewhere it is ignored.
   * @default the managed service on aws (not available yet: an error says so)
   */
  readonly managed?: boolean;
  /** @default "data" */
  readonly tier?: Tier;
}

export interface PostgresKubernetesResources {
  readonly primary: k8s.apps.v1.StatefulSet;
  readonly replica?: k8s.apps.v1.StatefulSet;
  readonly credentials: k8s.core.v1.Secret;
  readonly backup?: k8s.batch.v1.CronJob;
}

export class PostgresCluster extends DataStoreComponent {
  /**
   * The alert rules for keel's PostgreSQL metrics (Prometheus rule-file shape, the same as
   * ObservabilityStack's `AlertRule`): the WAL spool (WalShippingBehind, WalSpoolAlmostFull,
   * WalShipperSilent) and the replicas' slots (PostgresReplicaSlotInactive,
   * PostgresReplicaSlotRetainingWal, PostgresReplicaSlotLost). Label-generic: load them once per
   * Prometheus, whatever the number of clusters.
   */
  public static alertRules(o: WalSpoolAlertOptions & ReplicationSlotAlertOptions = {}): PostgresAlertRule[] {
    validatePostgresAlertOptions(o);
    return [...walSpoolAlertRules(o), ...replicationSlotAlertRules(o)];
  }

  /** DATABASE_URL (and DATABASE_READ_URL with replicas) for the application role. */
  public readonly connection: Connection;
  public readonly kubernetes: PostgresKubernetesResources;
  /** The backups' encryption passphrase (secret). Without it no backup can be restored: keep a copy outside the cluster. */
  public readonly backupPassphrase?: pulumi.Output<string>;
  /** The superuser password (secret), for break-glass access. */
  public readonly superuserPassword: pulumi.Output<string>;

  constructor(name: string, args: PostgresClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    const r = resolvePostgresArgs(name, args);
    super("keel:components:PostgresCluster", name, {}, opts);
    const d = deployPostgres(this, r);
    this.attachClients(d.clients);
    this.superuserPassword = d.passwords.superuser;
    this.backupPassphrase = d.passwords.backup;
    this.kubernetes = {
      primary: d.primary.workload as k8s.apps.v1.StatefulSet,
      replica: d.replica?.workload as k8s.apps.v1.StatefulSet | undefined,
      credentials: d.credentials,
      backup: d.backupJob,
    };
    const host = clusterHost(d.primary.service.metadata.name, r.namespace);
    const readOnlyHost = d.replica ? clusterHost(d.replica.service.metadata.name, r.namespace) : undefined;
    const path = `/${r.database}${r.tls ? "?sslmode=require" : ""}`;
    const url = urlWithPassword("postgresql", r.username, d.passwords.app, host, 5432, path);
    const env: Record<string, pulumi.Input<string>> = { DATABASE_URL: url };
    if (readOnlyHost) env.DATABASE_READ_URL = urlWithPassword("postgresql", r.username, d.passwords.app, readOnlyHost, 5432, path);
    this.connection = {
      kind: "postgres",
      host,
      port: 5432,
      readOnlyHost,
      username: pulumi.output(r.username),
      password: d.passwords.app,
      passwordSecret: { name: d.credentials.metadata.name, namespace: r.namespace, key: "app-password" },
      url,
      env,
      secretEnv: Object.keys(env),
      endpoint: d.clients,
    };
    this.registerOutputs({ host, readOnlyHost, url });
  }

}

export { postgresqlConf, postgresqlSettings, pgHbaConf, memorySizing, sharedMemorySize } from "./config";
export type { PostgresSettings, HbaSettings } from "./config";
export { initRolesScript, replicaBootstrapScript, walArchiveScript } from "./scripts";
export { backupDumpScript, backupUploadScript, walEncryptScript, walUploadScript } from "./backup-scripts";
export { pitrPrepareScript, restoreFetchScript, restoreScript, walRestoreCommand } from "./restore-scripts";
export { WAL_SPOOL_BYTES_METRIC, WAL_SPOOL_LIMIT_METRIC, WAL_SPOOL_OLDEST_AGE_METRIC, WAL_SPOOL_SEGMENTS_METRIC, walSpoolAlertRules } from "./metrics";
export { SLOT_ACTIVE_METRIC, SLOT_LIMIT_METRIC, SLOT_LOST_METRIC, SLOT_QUERY, SLOT_RETAINED_METRIC, exporterQueries, replicationSlotAlertRules } from "./metrics";
export type { PostgresAlertRule, ReplicationSlotAlertOptions, WalSpoolAlertOptions } from "./metrics";
export { connectionBudget, isClientCidr } from "./capacity";
export type { ConnectionBudget, PostgresClient, ReservedConnections } from "./capacity";
export { resolvePostgresArgs, isCronSchedule, toolsImageFor } from "./resolve";
export type { ResolvedBackup, ResolvedPostgres } from "./resolve";
