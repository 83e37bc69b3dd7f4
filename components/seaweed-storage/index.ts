/**
 * SeaweedStorage: S3-compatible object storage (SeaweedFS) with masters (1 dev / 3 prod for
 * Raft), volume servers, a filer and the S3 gateway; replication placement checked against the
 * servers and racks; generated S3 identities (admin, read-only, a writer per bucket) in Secrets;
 * buckets created; erasure coding maintenance for prod; metrics.
 *
 * ```ts
 * const files = new SeaweedStorage("req1-files", { platform, buckets: ["files", "backups"] });
 * new ApiService("api", { platform, image, connections: [files.connection] }); // SEAWEEDFS_URL, S3_*
 * new PostgresCluster("db", { platform, backup: { storage: files.bucketTarget("backups"), image } });
 * ```
 */
import * as pulumi from "@pulumi/pulumi";
import { Connection, ObjectStoreTarget } from "../core/connection";
import type { NetworkRule } from "../core/network";
import type { ResourcesArgs } from "../core/resources";
import type { Platform, Tier } from "../platform/types";
import { DataStoreComponent, StorageArgs } from "../workload/data-store";
import { SEAWEED_PORTS } from "./config";
import { SeaweedCredentials, SeaweedDeployment, deploySeaweed } from "./kubernetes";
import { resolveSeaweedArgs } from "./resolve";

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
  /** @default { replicas: 1 } (LevelDB metadata on the filer's volume) */
  readonly filer?: { readonly replicas?: number };
  /** The S3 gateway (stateless). @default { replicas: 1 } */
  readonly s3?: { readonly replicas?: number };
  /** Buckets created by a Job; each gets a writer identity (`bucketTarget`). */
  readonly buckets?: readonly string[];
  /** Volumes per role. @default master 1Gi, volume 20Gi, filer 5Gi */
  readonly storage?: { readonly master?: StorageArgs; readonly volume?: StorageArgs; readonly filer?: StorageArgs };
  readonly resources?: { readonly master?: ResourcesArgs; readonly volume?: ResourcesArgs; readonly filer?: ResourcesArgs; readonly s3?: ResourcesArgs };
  /** Size at which a volume is full (and may be erasure-coded). @default 1024 */
  readonly volumeSizeLimitMB?: number;
  /** Erasure-code full volumes in the master's maintenance loop (prod, 4+ volume servers). @default off */
  readonly erasureCoding?: boolean | { readonly quietFor?: string; readonly fullPercent?: number; readonly sleepMinutes?: number };
  /** Prometheus metrics on 9327. @default true */
  readonly metrics?: boolean;
  /** Who may use the S3 API (besides `connections` of ApiServices). */
  readonly allowFrom?: readonly NetworkRule[];
  /** Protect the StatefulSets (prod). Volumes are always retained. @default false */
  readonly protect?: boolean;
  /** @default "storage" */
  readonly tier?: Tier;
}

export class SeaweedStorage extends DataStoreComponent {
  /** SEAWEEDFS_URL, S3_ENDPOINT, S3_REGION and the admin identity's AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (secret). */
  public readonly connection: Connection;
  /** The same with the read-only identity. */
  public readonly readOnlyConnection: Connection;
  /** `http://<name>-s3.<namespace>.svc.cluster.local:8333` */
  public readonly s3Url: pulumi.Output<string>;
  private readonly deployment: SeaweedDeployment;
  private readonly storeName: string;

  constructor(name: string, args: SeaweedStorageArgs, opts?: pulumi.ComponentResourceOptions) {
    const r = resolveSeaweedArgs(name, args);
    super("keel:components:SeaweedStorage", name, {}, opts);
    const d = deploySeaweed(this, r);
    this.deployment = d;
    this.storeName = name;
    this.attachClients(d.clients);
    this.s3Url = d.s3Url;
    const connectionWith = (c: SeaweedCredentials): Connection => ({
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
    this.connection = connectionWith(d.admin);
    this.readOnlyConnection = connectionWith(d.readOnly);
    this.registerOutputs({ s3Url: this.s3Url });
  }

  /** A bucket declared in `buckets`, with its own writer identity: for backups (PostgresCluster `backup.storage`). */
  bucketTarget(bucket: string): ObjectStoreTarget {
    const writer = this.deployment.bucketWriters[bucket];
    if (!writer) {
      throw new Error(`SeaweedStorage "${this.storeName}": bucketTarget("${bucket}") names a bucket not in buckets; expected one of ${Object.keys(this.deployment.bucketWriters).map((b) => JSON.stringify(b)).join(", ") || "(none: add it to buckets)"}`);
    }
    return { endpoint: this.s3Url, bucket, region: "us-east-1", accessKeyId: writer.accessKeyId, secretAccessKey: writer.secretAccessKey, network: this, ports: [{ port: SEAWEED_PORTS.s3 }] };
  }

}

export { bucketScript, filerFlags, masterFlags, masterToml, placementProblem, s3Config, s3Flags, toArgs, volumeFlags, SEAWEED_PORTS, GRPC_OFFSET } from "./config";
export type { S3Identity } from "./config";
export { resolveSeaweedArgs } from "./resolve";
