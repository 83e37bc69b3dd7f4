/**
 * SeaweedStorage: S3-compatible object storage (SeaweedFS) with masters (1 dev / 3 prod for
 * Raft), volume servers, a filer and the S3 gateway; replication placement and volume slots
 * checked against the servers, racks and volumes; generated S3 identities in Secrets (admin,
 * read-only, a writer per bucket, and one per client scoped to its buckets); buckets created;
 * the filer's metadata saved on a schedule; erasure coding maintenance for prod; metrics.
 *
 * ```ts
 * const files = new SeaweedStorage("req1-files", { platform, buckets: ["files", "backups"] });
 * new ApiService("api", { platform, image, connections: [files.bucketConnection("files", "readwrite")] }); // SEAWEEDFS_URL, S3_*
 * new PostgresCluster("db", { platform, backup: { storage: files.bucketTarget("backups"), image } });
 * ```
 */
import * as pulumi from "@pulumi/pulumi";
import { Connection, ObjectStoreTarget } from "../core/connection";
import type { NetworkRule } from "../core/network";
import type { ResourcesArgs } from "../core/resources";
import type { Platform, Tier } from "../platform/types";
import { DataStoreComponent, StorageArgs } from "../workload/data-store";
import { S3Action, SEAWEED_PORTS } from "./config";
import { SeaweedClientArgs, SeaweedCredentials } from "./identities";
import { SeaweedDeployment, deploySeaweed } from "./kubernetes";
import { ResolvedSeaweed, resolveSeaweedArgs } from "./resolve";

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
   * On the aws platform: `false` runs the store in-cluster on EKS, as on kubernetes. The managed
   * counterpart (S3) is not supported yet, so on aws this must be `false`; elsewhere it is ignored.
   * @default the managed service on aws (not available yet: an error says so)
   */
  readonly managed?: boolean;
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

/** `bucketConnection` access: "read" = Read, List; "readwrite" = Read, Write, List, Tagging (Write includes delete). */
export type SeaweedBucketAccess = "read" | "readwrite";

const ACCESS: Readonly<Record<SeaweedBucketAccess, readonly S3Action[]>> = { read: ["Read", "List"], readwrite: ["Read", "Write", "List", "Tagging"] };

export class SeaweedStorage extends DataStoreComponent {
  /**
   * The admin identity (every bucket, creating and deleting buckets): for operators and tools.
   * Give services `clientConnection` / `bucketConnection` instead. Env: SEAWEEDFS_URL,
   * S3_ENDPOINT, S3_REGION, S3_FORCE_PATH_STYLE, AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (secret).
   */
  public readonly connection: Connection;
  /** The same with the read-only identity (Read and List on every bucket, backups included). */
  public readonly readOnlyConnection: Connection;
  /** `http://<name>-s3.<namespace>.svc.cluster.local:8333` */
  public readonly s3Url: pulumi.Output<string>;
  private readonly deployment: SeaweedDeployment;
  private readonly storeName: string;
  private readonly resolved: ResolvedSeaweed;
  private readonly connectionWith: (c: SeaweedCredentials) => Connection;

  constructor(name: string, args: SeaweedStorageArgs, opts?: pulumi.ComponentResourceOptions) {
    const r = resolveSeaweedArgs(name, args);
    super("keel:components:SeaweedStorage", name, {}, opts);
    const d = deploySeaweed(this, r);
    this.deployment = d;
    this.storeName = name;
    this.resolved = r;
    this.attachClients(d.clients);
    this.s3Url = d.s3Url;
    this.connectionWith = (c: SeaweedCredentials): Connection => ({
      kind: "s3",
      host: d.s3Url.apply((u) => new URL(u).hostname),
      port: SEAWEED_PORTS.s3,
      username: c.accessKeyId,
      password: c.secretAccessKey,
      passwordSecret: { name: c.secretName, namespace: r.namespace, key: "secret-access-key" },
      url: d.s3Url,
      env: { SEAWEEDFS_URL: d.s3Url, S3_ENDPOINT: d.s3Url, S3_REGION: "us-east-1", S3_FORCE_PATH_STYLE: "true", AWS_ACCESS_KEY_ID: c.accessKeyId, AWS_SECRET_ACCESS_KEY: c.secretAccessKey },
      secretEnv: ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"],
      endpoint: d.clients,
    });
    this.connection = this.connectionWith(d.admin);
    this.readOnlyConnection = this.connectionWith(d.readOnly);
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
    const writer = this.deployment.identities.writer(bucket);
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
    return this.connectionWith(this.deployment.identities.client(client, "clientConnection"));
  }

  /** `clientConnection` for one bucket: identity `<bucket>-read` or `<bucket>-readwrite`. */
  bucketConnection(bucket: string, access: SeaweedBucketAccess): Connection {
    if (!Object.keys(ACCESS).includes(access)) {
      throw new Error(`SeaweedStorage "${this.storeName}": bucketConnection("${bucket}") access is ${JSON.stringify(access)}; expected "read" or "readwrite"`);
    }
    return this.connectionWith(this.deployment.identities.client({ name: `${bucket}-${access}`, buckets: [bucket], actions: ACCESS[access] }, `bucketConnection("${bucket}")`));
  }
}

export { copiesOf, filerFlags, masterFlags, masterToml, placementProblem, s3Config, s3Flags, scopedActions, toArgs, volumeFlags, volumeSlots, SEAWEED_PORTS, GRPC_OFFSET, S3_CLIENT_ACTIONS } from "./config";
export type { Flags as SeaweedFlags, S3Action, S3Identity, Topology as SeaweedTopology } from "./config";
export type { SeaweedClientArgs } from "./identities";
export { bucketScript, filerMetaBackupScript, filerMetaRestoreScript } from "./scripts";
export { resolveSeaweedArgs } from "./resolve";
export type { ResolvedSeaweed, SeaweedRole } from "./resolve";
