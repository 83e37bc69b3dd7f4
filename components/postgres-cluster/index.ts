/**
 * PostgresCluster: PostgreSQL with a primary and streaming read replicas (seed 000), tuned
 * configuration generated from typed args, generated credentials, postgres_exporter, and
 * encrypted backups (pg_dump daily + WAL archiving) to S3-compatible storage.
 *
 * On the aws platform it is Amazon RDS for PostgreSQL (aws.ts) unless `managed: false`: the same
 * args, the same `connection` shape (docs/postgres.md, "On aws (RDS)").
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
import { RDS_PORT, deployRds, rdsUrlTemplate } from "./aws";
import { fromSecretsManager } from "../core/env";
import type { EnvValue } from "../core/env";
import { managedEndpoint } from "../aws/managed-data";
import type * as ec2 from "@pulumi/aws/ec2";
import type * as kms from "@pulumi/aws/kms";
import type * as rds from "@pulumi/aws/rds";
import { PostgresAlertRule, ReplicationSlotAlertOptions, WalSpoolAlertOptions, replicationSlotAlertRules, validatePostgresAlertOptions, walSpoolAlertRules } from "./metrics";
import { resolvePostgresArgs } from "./resolve";

export interface PostgresBackupArgs {
  /**
   * Where backups and archived WAL go (e.g. `storage.bucketTarget("backups")`): required in the
   * cluster. RDS keeps its own automated backups (`retentionDays`, the window from `schedule`), so
   * a managed cluster on aws may leave it out. An S3 bucket on AWS (a managed SeaweedStorage's
   * `bucketTarget`) is written through IAM roles for the backup's ServiceAccounts, never static keys.
   */
  readonly storage?: ObjectStoreTarget;
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

/**
 * RDS settings (the aws platform, `managed` unset or true). Refused on other platforms and with
 * `managed: false`. The common args map onto RDS as docs/postgres.md ("On aws (RDS)") says.
 */
export interface PostgresAwsArgs {
  /**
   * The RDS instance class of the primary and the replicas, `db.<family>.<size>`.
   * @default the smallest of db.t4g.micro/small/medium, then db.m7g/db.r7g by vCPUs (m7g first), whose memory and vCPUs hold `resources.limits`
   */
  readonly instanceClass?: string;
  /** Storage autoscaling's ceiling (`maxAllocatedStorage`), e.g. "200Gi"; at least 10% above the allocated size. @default twice the allocated size (`storage.size`, at least 20Gi) */
  readonly maxStorageSize?: string;
  /** A synchronous standby in another availability zone (failover in a minute or two). @default true */
  readonly multiAz?: boolean;
  /** Days Performance Insights keeps its data: 7 (free), a multiple of 31 up to 713, or 731. @default 7 */
  readonly performanceInsightsRetentionDays?: number;
  /** Weekly maintenance window, UTC, `ddd:hh24:mi-ddd:hh24:mi`, not overlapping the backup window. @default Sunday, an hour after the backup window ends, 30 minutes (e.g. "sun:04:30-sun:05:00") */
  readonly maintenanceWindow?: string;
  /** Days CloudWatch keeps the exported PostgreSQL and upgrade logs (one of CloudWatch's periods). @default 30, or 90 when `protect` */
  readonly logRetentionDays?: number;
  /** Admit these security groups (security groups for pods) instead of the cluster's nodes. @default the cluster's node security group */
  readonly clientSecurityGroupIds?: readonly pulumi.Input<string>[];
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
   * On the aws platform: `false` runs the store in-cluster on EKS, as on kubernetes; otherwise it is
   * Amazon RDS for PostgreSQL. Args that only matter in-cluster (image beyond its major version,
   * resources beyond picking the default class, walKeepSize's pods, sharedMemory, metrics,
   * clientCidrs, tls, backup's storage, images and encryption) are accepted and do not apply on RDS.
   * `true` is refused on other platforms.
   * @default RDS on aws; in-cluster elsewhere
   */
  readonly managed?: boolean;
  /** RDS settings (aws platform only). @default see PostgresAwsArgs */
  readonly aws?: PostgresAwsArgs;
  /** @default "data" */
  readonly tier?: Tier;
}

export interface PostgresKubernetesResources {
  readonly primary: k8s.apps.v1.StatefulSet;
  readonly replica?: k8s.apps.v1.StatefulSet;
  readonly credentials: k8s.core.v1.Secret;
  readonly backup?: k8s.batch.v1.CronJob;
}

/** The RDS resources of a PostgresCluster on the aws platform. */
export interface PostgresAwsResources {
  readonly primary: rds.Instance;
  readonly replicas: readonly rds.Instance[];
  readonly parameterGroup: rds.ParameterGroup;
  readonly subnetGroup: rds.SubnetGroup;
  readonly securityGroup: ec2.SecurityGroup;
  /** Encrypts the storage, Performance Insights and the master user secret. */
  readonly key: kms.Key;
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
  /** The StatefulSets, Secret and backup CronJob (in-cluster; undefined on RDS). */
  public readonly kubernetes?: PostgresKubernetesResources;
  /** The RDS instances, groups and key (aws platform, managed; undefined in-cluster). */
  public readonly aws?: PostgresAwsResources;
  /** The backups' encryption passphrase (secret). Without it no backup can be restored: keep a copy outside the cluster. Undefined on RDS (automated backups, encrypted with the store's KMS key). */
  public readonly backupPassphrase?: pulumi.Output<string>;
  /** The superuser password (secret), for break-glass access. Undefined on RDS: see `masterUserSecretArn`. */
  public readonly superuserPassword?: pulumi.Output<string>;
  /** On RDS: the Secrets Manager secret (JSON `username`, `password`) RDS keeps and rotates the master user's credentials in. */
  public readonly masterUserSecretArn?: pulumi.Output<string>;

  constructor(name: string, args: PostgresClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    const r = resolvePostgresArgs(name, args);
    super("keel:components:PostgresCluster", name, {}, opts);
    if (r.managed) {
      const d = deployRds(this, r, args.platform);
      const endpoint = managedEndpoint(d.ctx, [{ port: RDS_PORT }]);
      this.attachManaged(endpoint, r.allowFrom);
      this.aws = { primary: d.primary, replicas: d.replicas, parameterGroup: d.parameterGroup, subnetGroup: d.subnetGroup, securityGroup: d.securityGroup, key: d.key };
      this.masterUserSecretArn = d.masterUserSecretArn;
      const host = d.primary.address;
      const readOnlyHost = d.replicas[0]?.address;
      const path = `/${r.database}?sslmode=require`;
      // The URL without the password (not a secret); clients get the password through the master secret.
      const url = pulumi.interpolate`postgresql://${r.username}@${host}:${RDS_PORT}${path}`;
      const fromSecret = (h: pulumi.Output<string>) => fromSecretsManager(d.masterUserSecretArn, { template: rdsUrlTemplate(h, r.database), kmsKeyArn: d.key.arn });
      const env: Record<string, EnvValue> = { DATABASE_URL: fromSecret(host) };
      if (readOnlyHost) env.DATABASE_READ_URL = fromSecret(readOnlyHost);
      this.connection = {
        kind: "postgres",
        host,
        port: RDS_PORT,
        readOnlyHost,
        username: pulumi.output(r.username),
        credentials: { secretId: d.masterUserSecretArn, kmsKeyArn: d.key.arn },
        tls: true,
        url,
        env,
        secretEnv: [],
        endpoint,
      };
      this.registerOutputs({ host, readOnlyHost, url });
      return;
    }
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
export type { ResolvedPostgresAws } from "./rds-settings";
