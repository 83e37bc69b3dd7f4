/**
 * SeaweedStorage: S3-compatible object storage (SeaweedFS) with masters (1 dev / 3 prod for
 * Raft), volume servers, a filer and the S3 gateway; replication placement and volume slots
 * checked against the servers, racks and volumes; generated S3 identities in Secrets (admin,
 * read-only, a writer per bucket, and one per client scoped to its buckets); buckets created;
 * the filer's metadata saved on a schedule; erasure coding maintenance for prod; metrics.
 *
 * On the aws platform the store is a set of Amazon S3 buckets (unless `managed: false`): the
 * same connections and targets, reached with IAM roles for service accounts instead of keys
 * (aws.ts, docs/data-stores.md "SeaweedStorage on aws (S3)").
 *
 * ```ts
 * const files = new SeaweedStorage("req1-files", { platform, buckets: ["files", "backups"] });
 * new ApiService("api", { platform, image, connections: [files.bucketConnection("files", "readwrite")] }); // SEAWEEDFS_URL, S3_*
 * new PostgresCluster("db", { platform, backup: { storage: files.bucketTarget("backups"), image } });
 * ```
 */
import type * as kms from "@pulumi/aws/kms";
import type * as s3 from "@pulumi/aws/s3";
import * as pulumi from "@pulumi/pulumi";
import { Connection, ObjectStoreTarget } from "../core/connection";
import type { NetworkRule } from "../core/network";
import type { ResourcesArgs } from "../core/resources";
import type { Platform, Tier } from "../platform/types";
import { DataStoreComponent, StorageArgs } from "../workload/data-store";
import { S3Deployment, deployS3 } from "./aws";
import { S3Action, SEAWEED_PORTS } from "./config";
import { SeaweedClientArgs, SeaweedCredentials } from "./identities";
import { SeaweedDeployment, deploySeaweed } from "./kubernetes";
import { ResolvedSeaweed, resolveSeaweedArgs } from "./resolve";
import { bucketEnvName } from "./s3-access";

export interface SeaweedStorageArgs {
  readonly platform: Platform;
  /** @default "chrislusf/seaweedfs:3.80" */
  readonly image?: pulumi.Input<string>;
  /** Masters: 1, 3 or 5 (Raft). @default 1 */
  readonly masters?: number;
  /** @default 1 */
  readonly volumeServers?: number;
  /** Racks the volume servers are spread over (by ordinal); must divide volumeServers. @default 1 */
  readonly racks?: number;
  /**
   * Replication placement `xyz`: copies in other data centers, other racks, other servers of the
   * same rack. Checked against volumeServers and racks. @default "000"
   */
  readonly replication?: string;
  /** @default { replicas: 1, metadataBackup: { schedule: "40 * * * *", keep: 48 } } (LevelDB metadata on the filer's volume) */
  readonly filer?: {
    readonly replicas?: number;
    /** Save the filer's metadata (`fs.meta.save`) on a schedule to a volume of its own; `false`: never. */
    readonly metadataBackup?: SeaweedMetadataBackupArgs | false;
  };
  /** The S3 gateway (stateless). @default { replicas: 1 } */
  readonly s3?: { readonly replicas?: number };
  /** Buckets created by a Job; each gets a writer identity (`bucketTarget`) and a collection of volumes. */
  readonly buckets?: readonly string[];
  /** Volumes per role. @default master 1Gi, volume 20Gi, filer 5Gi */
  readonly storage?: { readonly master?: StorageArgs; readonly volume?: StorageArgs; readonly filer?: StorageArgs };
  readonly resources?: { readonly master?: ResourcesArgs; readonly volume?: ResourcesArgs; readonly filer?: ResourcesArgs; readonly s3?: ResourcesArgs };
  /** Size at which a volume is full (and may be erasure-coded). @default 1024 */
  readonly volumeSizeLimitMB?: number;
  /**
   * Volumes the master creates at once for a collection (a bucket, or the filer's own) that has no
   * writable one; each has its copies (`replication`). More allow more parallel writes, and take
   * more volume slots: (buckets + 1) x volumeGrowth x copies must fit on the volume servers.
   * @default 2 (SeaweedFS' own 7 fills a small disk at once)
   */
  readonly volumeGrowth?: number;
  /** Erasure-code full volumes in the master's maintenance loop (prod, 4+ volume servers). @default off */
  readonly erasureCoding?: boolean | { readonly quietFor?: string; readonly fullPercent?: number; readonly sleepMinutes?: number };
  /** Prometheus metrics on 9327. @default true */
  readonly metrics?: boolean;
  /** Who may use the S3 API (besides `connections` of ApiServices). */
  readonly allowFrom?: readonly NetworkRule[];
  /**
   * Protect every stateful child (prod): the StatefulSets with volumes (masters, volume servers, filer), the filer metadata backup, each S3 identity's Secret and generated keys. Each gets Pulumi's `protect` and `retainOnDelete`
   * (`pulumi destroy`, a deletion or a replacement fails instead of losing data or access).
   * Volumes are always retained. @default false
   */
  readonly protect?: boolean;
  /**
   * On the aws platform: `false` runs the store in-cluster on EKS (SeaweedFS), as on kubernetes;
   * otherwise its buckets are S3 buckets (`aws`). On the managed store the in-cluster settings
   * (image, masters, volumeServers, racks, replication, filer, s3, storage, resources,
   * volumeSizeLimitMB, volumeGrowth, erasureCoding, metrics) do not apply: they are checked as on
   * kubernetes, except the volume capacity, so the same args still work with `managed: false`.
   * `true` on the kubernetes platform is an error.
   * @default true on aws, false elsewhere
   */
  readonly managed?: boolean;
  /** S3 settings, on the aws platform only (a managed store). */
  readonly aws?: SeaweedAwsArgs;
  /** @default "storage" */
  readonly tier?: Tier;
}

export interface SeaweedMetadataBackupArgs {
  /** Cron schedule in UTC. @default "40 * * * *" (hourly) */
  readonly schedule?: string;
  /** Copies kept on the volume. @default 48 */
  readonly keep?: number;
  /** The backup volume (PVC `<name>-filer-backup`). @default the filer's size */
  readonly storage?: StorageArgs;
}

/** The S3 buckets of a managed store (aws platform). */
export interface SeaweedAwsArgs {
  /** Days S3 keeps the previous version of an overwritten or deleted object. @default 30 */
  readonly noncurrentVersionDays?: number;
  /** Days after which objects are deleted (a delete marker; the version then goes after noncurrentVersionDays): every bucket, or `{ bucket: days }` for some. @default never */
  readonly expireAfterDays?: number | Readonly<Record<string, number>>;
  /**
   * The AWS account the buckets are created in: part of their names (S3 bucket names are global).
   * @default the account of the platform's IAM OIDC provider (the cluster's), when the platform came from a stack reference or fromExisting with plain values
   */
  readonly accountId?: string;
}

/** `bucketConnection` access: "read" = Read, List; "readwrite" = Read, Write, List, Tagging (Write includes delete). */
export type SeaweedBucketAccess = "read" | "readwrite";

const ACCESS: Readonly<Record<SeaweedBucketAccess, readonly S3Action[]>> = { read: ["Read", "List"], readwrite: ["Read", "Write", "List", "Tagging"] };

export class SeaweedStorage extends DataStoreComponent {
  /**
   * The admin identity (every bucket, creating and deleting buckets): for operators and tools.
   * Give services `clientConnection` / `bucketConnection` instead. Env: SEAWEEDFS_URL,
   * S3_ENDPOINT, S3_REGION, S3_FORCE_PATH_STYLE, S3_BUCKET_<NAME> per bucket (its name in the store),
   * AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (secret).
   * On aws (S3): no keys; S3_BUCKET_<NAME> is the bucket's S3 name, and `awsAccess` statements
   * the client's own IAM role holds.
   */
  public readonly connection: Connection;
  /** The same with the read-only identity (Read and List on every bucket, backups included). */
  public readonly readOnlyConnection: Connection;
  /** `http://<name>-s3.<namespace>.svc.cluster.local:8333`; on aws `https://s3.<region>.amazonaws.com`. */
  public readonly s3Url: pulumi.Output<string>;
  /** On aws (a managed store): each declared bucket's S3 bucket, and the KMS key encrypting them. */
  public readonly aws?: { readonly buckets: Readonly<Record<string, s3.Bucket>>; readonly key: kms.Key };
  private readonly deployment?: SeaweedDeployment;
  private readonly s3?: S3Deployment;
  private readonly storeName: string;
  private readonly resolved: ResolvedSeaweed;
  private readonly connectionWith?: (c: SeaweedCredentials, buckets: readonly string[]) => Connection;

  constructor(name: string, args: SeaweedStorageArgs, opts?: pulumi.ComponentResourceOptions) {
    const r = resolveSeaweedArgs(name, args);
    super("keel:components:SeaweedStorage", name, {}, opts);
    this.storeName = name;
    this.resolved = r;
    if (r.aws) {
      const m = deployS3(this, r, args.platform);
      this.s3 = m;
      this.aws = { buckets: m.buckets, key: m.key };
      this.attachManaged(m.endpoint, r.allowFrom);
      this.s3Url = pulumi.output(m.url);
      this.connection = m.admin;
      this.readOnlyConnection = m.readOnly;
      this.registerOutputs({ s3Url: this.s3Url, buckets: Object.fromEntries(Object.entries(m.buckets).map(([b, bucket]) => [b, bucket.bucket])) });
      return;
    }
    const d = deploySeaweed(this, r);
    this.deployment = d;
    this.attachClients(d.clients);
    this.s3Url = d.s3Url;
    // S3_BUCKET_<NAME> as on aws (where the S3 name differs from the declared one): clients read their buckets' names the same way on both.
    this.connectionWith = (c: SeaweedCredentials, buckets: readonly string[]): Connection => ({
      kind: "s3",
      host: d.s3Url.apply((u) => new URL(u).hostname),
      port: SEAWEED_PORTS.s3,
      username: c.accessKeyId,
      password: c.secretAccessKey,
      passwordSecret: { name: c.secretName, namespace: r.namespace, key: "secret-access-key" },
      url: d.s3Url,
      env: { SEAWEEDFS_URL: d.s3Url, S3_ENDPOINT: d.s3Url, S3_REGION: "us-east-1", S3_FORCE_PATH_STYLE: "true", ...Object.fromEntries(buckets.map((b) => [bucketEnvName(b), b])), AWS_ACCESS_KEY_ID: c.accessKeyId, AWS_SECRET_ACCESS_KEY: c.secretAccessKey },
      secretEnv: ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"],
      endpoint: d.clients,
    });
    this.connection = this.connectionWith(d.admin, r.buckets);
    this.readOnlyConnection = this.connectionWith(d.readOnly, r.buckets);
    this.registerOutputs({ s3Url: this.s3Url });
  }

  /**
   * A bucket declared in `buckets`, with its own writer identity `<bucket>-writer` (Read, Write,
   * List on that bucket only; Write includes deleting): for backups (PostgresCluster `backup.storage`).
   */
  bucketTarget(bucket: string): ObjectStoreTarget {
    const declared = this.resolved.buckets;
    if (!declared.includes(bucket)) {
      throw new Error(`SeaweedStorage "${this.storeName}": bucketTarget("${bucket}") names a bucket not in buckets; expected one of ${declared.map((b) => JSON.stringify(b)).join(", ") || "(none: add it to buckets)"}`);
    }
    if (this.s3) return this.s3.target(bucket);
    const writer = (this.deployment as SeaweedDeployment).identities.writer(bucket);
    return { endpoint: this.s3Url, bucket, region: "us-east-1", accessKeyId: writer.accessKeyId, secretAccessKey: writer.secretAccessKey, network: this, ports: [{ port: SEAWEED_PORTS.s3 }] };
  }

  /**
   * A connection with an S3 identity of its own, allowed `actions` on `buckets` only (SeaweedFS
   * `Action:bucket`), keys in Secret `<store>-s3-<name>`; same env as `connection`. Call it in the
   * block that creates the store: the gateway's identities file is written right after.
   *
   * ```ts
   * files.clientConnection({ name: "api", buckets: ["files"], actions: ["Read", "Write", "List", "Tagging"] })
   * ```
   */
  clientConnection(client: SeaweedClientArgs): Connection {
    if (this.s3) return this.s3.client(client, "clientConnection");
    return this.inCluster((d) => d.identities.client(client, "clientConnection"), client.buckets);
  }

  /** `clientConnection` for one bucket: identity `<bucket>-read` or `<bucket>-readwrite`. */
  bucketConnection(bucket: string, access: SeaweedBucketAccess): Connection {
    if (!Object.keys(ACCESS).includes(access)) {
      throw new Error(`SeaweedStorage "${this.storeName}": bucketConnection("${bucket}") access is ${JSON.stringify(access)}; expected "read" or "readwrite"`);
    }
    const client = { name: `${bucket}-${access}`, buckets: [bucket], actions: ACCESS[access] };
    if (this.s3) return this.s3.client(client, `bucketConnection("${bucket}")`);
    return this.inCluster((d) => d.identities.client(client, `bucketConnection("${bucket}")`), [bucket]);
  }

  private inCluster(identity: (d: SeaweedDeployment) => SeaweedCredentials, buckets: readonly string[]): Connection {
    const declared = Array.isArray(buckets) ? buckets.filter((b) => this.resolved.buckets.includes(b)) : [];
    return (this.connectionWith as (c: SeaweedCredentials, buckets: readonly string[]) => Connection)(identity(this.deployment as SeaweedDeployment), declared);
  }
}

export { copiesOf, filerFlags, masterFlags, masterToml, placementProblem, s3Config, s3Flags, scopedActions, toArgs, volumeFlags, volumeSlots, SEAWEED_PORTS, GRPC_OFFSET, S3_CLIENT_ACTIONS } from "./config";
export type { Flags as SeaweedFlags, S3Action, S3Identity, Topology as SeaweedTopology } from "./config";
export type { SeaweedClientArgs } from "./identities";
export { bucketScript, filerMetaBackupScript, filerMetaRestoreScript } from "./scripts";
export { resolveSeaweedArgs } from "./resolve";
export type { ResolvedSeaweed, ResolvedSeaweedAws, SeaweedRole } from "./resolve";
export { S3_IAM_ACTIONS, bucketEnvName, s3BucketName, s3Endpoint, s3NetworkEndpoint, s3Statements } from "./s3-access";
export type { S3AwsAction } from "./s3-access";
