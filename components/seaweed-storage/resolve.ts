/** Validation and defaults for SeaweedStorage: pure, every problem at once, before any resource. */
import { checkArgShape } from "../core/arg-shape";
import type * as pulumi from "@pulumi/pulumi";
import { cronProblem } from "../core/cron";
import { Validator } from "../core/errors";
import { checkPeerPlatforms } from "../workload/network-access";
import type { NetworkRule } from "../core/network";
import { ResolvedResources, ResourcesArgs, TMP_WRITE, checkEphemeralStorage, resolveResources } from "../core/resources";
import { DataStoreBase, ResolvedStorage, checkCount, checkImage, checkRules, resolveDataStoreBase, resolveStorage } from "../workload/data-store";
import { S3_BUCKET_CHARSET, S3_BUCKET_SYNTAX, isS3BucketSyntax, s3BucketRuleProblem } from "../core/s3-bucket";
import type { Platform } from "../platform/types";
import { copiesOf, placementProblem, volumeSlots } from "./config";
import type { SeaweedAwsArgs, SeaweedMetadataBackupArgs, SeaweedStorageArgs } from "./index";
import { bucketEnvName, s3BucketName } from "./s3-access";

export const SEAWEED_DEFAULTS = {
  image: "chrislusf/seaweedfs:3.80",
  uid: 1000,
  resources: {
    master: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "512Mi" } },
    volume: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "1", memory: "1Gi" } },
    filer: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "1", memory: "1Gi" } },
    s3: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "1", memory: "512Mi" } },
  },
  storage: { master: "1Gi", volume: "20Gi", filer: "5Gi" },
  volumeSizeLimitMB: 1024,
  volumeGrowth: 2,
  metadataBackup: { schedule: "40 * * * *", keep: 48 },
  erasureCoding: { quietFor: "1h", fullPercent: 95, sleepMinutes: 17 },
  aws: { noncurrentVersionDays: 30, abortIncompleteUploadDays: 7 },
} as const;

/** S3 on the aws platform (a managed store). */
export interface ResolvedSeaweedAws {
  readonly region: string;
  readonly accountId: string;
  /** The physical bucket name of each declared bucket. */
  readonly bucketNames: Readonly<Record<string, string>>;
  readonly noncurrentVersionDays: number;
  /** Days after which each bucket's objects expire; a bucket not listed keeps them. */
  readonly expireAfterDays: Readonly<Record<string, number>>;
}

export type SeaweedRole = "master" | "volume" | "filer" | "s3";

export interface ResolvedSeaweed extends DataStoreBase {
  readonly image: pulumi.Input<string>;
  readonly masters: number;
  readonly volumeServers: number;
  readonly racks: number;
  readonly replication: string;
  readonly filers: number;
  readonly gateways: number;
  readonly buckets: readonly string[];
  readonly storage: Readonly<Record<"master" | "volume" | "filer", ResolvedStorage>>;
  readonly resources: Readonly<Record<SeaweedRole, ResolvedResources>>;
  readonly volumeSizeLimitMB: number;
  readonly volumeGrowth: number;
  /** The filer's metadata saved on a schedule to a volume of its own; undefined: off. */
  readonly metadataBackup?: { readonly schedule: string; readonly keep: number; readonly storage: ResolvedStorage };
  readonly erasureCoding?: { readonly quietFor: string; readonly fullPercent: number; readonly sleepMinutes: number };
  readonly metrics: boolean;
  readonly allowFrom: readonly NetworkRule[];
  readonly protect: boolean;
  /** S3 buckets instead of SeaweedFS, when the store is managed (aws platform). */
  readonly aws?: ResolvedSeaweedAws;
}

export function resolveSeaweedArgs(name: string, args: SeaweedStorageArgs): ResolvedSeaweed {
  const v = new Validator("SeaweedStorage", name);
  checkArgShape(v, "SeaweedStorageArgs", args, () => resolveSeaweedArgs(name, args)); // unknown keys and wrong shapes, before anything reads them
  v.throwIfInvalid();
  const base = resolveDataStoreBase(v, name, args, "storage", false, [{ kind: "StatefulSet", role: "master" }, { kind: "StatefulSet", role: "volume" }, { kind: "StatefulSet", role: "filer" }, { kind: "Deployment", role: "s3" }, { kind: "CronJob", role: "filer-backup" }, { kind: "Job", role: "buckets" }]);
  const image = args.image ?? SEAWEED_DEFAULTS.image;
  checkImage(v, "image", image);
  const masters = args.masters ?? 1;
  v.require([1, 3, 5].includes(masters), "masters", masters, "expected 1, 3 or 5 (masters elect a leader by Raft: an odd count, 3 to survive a lost master)");
  const volumeServers = args.volumeServers ?? 1;
  checkCount(v, "volumeServers", volumeServers, 1, 100);
  const racks = args.racks ?? 1;
  if (checkCount(v, "racks", racks, 1, 10) && Number.isInteger(volumeServers)) {
    v.require(volumeServers % racks === 0, "racks", racks, `expected a divisor of volumeServers (${volumeServers}), so every rack has as many servers`);
  }
  const replication = args.replication ?? "000";
  const problem = placementProblem(replication, volumeServers, racks);
  if (problem) v.require(false, "replication", replication, problem);
  const filers = args.filer?.replicas ?? 1;
  checkCount(v, "filer.replicas", filers, 1, 1, " (the filer keeps its metadata in LevelDB on its own volume, saved by filer.metadataBackup; a second filer would need a shared store)");
  const gateways = args.s3?.replicas ?? 1;
  checkCount(v, "s3.replicas", gateways, 1, 20);
  const buckets = [...(args.buckets ?? [])];
  for (const b of buckets) v.require(isS3BucketSyntax(b), "buckets", b, S3_BUCKET_SYNTAX);
  for (const b of buckets) if (typeof b === "string" && S3_BUCKET_CHARSET.test(b)) v.require(s3BucketRuleProblem(b) === undefined, "buckets", b, s3BucketRuleProblem(b) ?? ""); // S3's reserved forms
  v.require(new Set(buckets).size === buckets.length, "buckets", buckets, "expected each bucket once");
  for (const role of ["master", "volume", "filer"] as const) {
    const given = (args.storage as Record<string, unknown> | undefined)?.[role];
    v.require(given !== false, `storage.${role}`, given, "expected a volume size such as { size: \"20Gi\" } (SeaweedFS keeps its data and metadata on PersistentVolumeClaims only)");
  }
  const storage = {
    master: resolveStorage(v, "storage.master", args.storage?.master, SEAWEED_DEFAULTS.storage.master, base.target.storageClasses) as ResolvedStorage,
    volume: resolveStorage(v, "storage.volume", args.storage?.volume, SEAWEED_DEFAULTS.storage.volume, base.target.storageClasses) as ResolvedStorage,
    filer: resolveStorage(v, "storage.filer", args.storage?.filer, SEAWEED_DEFAULTS.storage.filer, base.target.storageClasses) as ResolvedStorage,
  };
  const resourcesOf = (role: SeaweedRole, r: ResourcesArgs | undefined) => {
    const resolved = resolveResources(v, `resources.${role}`, r, SEAWEED_DEFAULTS.resources[role]);
    // Every SeaweedFS container (servers, bucket and filer-backup Jobs) writes /tmp; data is on volumes.
    checkEphemeralStorage(v, resolved, [TMP_WRITE]);
    return resolved;
  };
  const resources = {
    master: resourcesOf("master", args.resources?.master),
    volume: resourcesOf("volume", args.resources?.volume),
    filer: resourcesOf("filer", args.resources?.filer),
    s3: resourcesOf("s3", args.resources?.s3),
  };
  const volumeSizeLimitMB = args.volumeSizeLimitMB ?? SEAWEED_DEFAULTS.volumeSizeLimitMB;
  const limitOk = checkCount(v, "volumeSizeLimitMB", volumeSizeLimitMB, 64, 30000);
  const volumeGrowth = args.volumeGrowth ?? SEAWEED_DEFAULTS.volumeGrowth;
  const growthOk = checkCount(v, "volumeGrowth", volumeGrowth, 1, 100);
  const volumeBytes = storage.volume?.bytes ?? 0;
  const fitsVolume = base.managed || !limitOk || volumeBytes === 0 || v.require(volumeSizeLimitMB * 2 ** 20 < volumeBytes, "volumeSizeLimitMB", volumeSizeLimitMB, `expected less than storage.volume.size (${storage.volume.size} = ${Math.floor(volumeBytes / 2 ** 20)} MB): a volume lives whole on one volume server's PVC`);
  // The volume capacity concerns SeaweedFS' volumes, which a managed store (S3) does not have.
  if (!base.managed && fitsVolume && limitOk && growthOk && !problem && volumeBytes > 0 && Number.isInteger(volumeServers) && volumeServers >= 1) checkCapacity(v, { volumeServers, replication, buckets: buckets.length, volume: storage.volume, volumeSizeLimitMB, volumeGrowth });
  const metadataBackup = resolveMetadataBackup(v, args.filer?.metadataBackup, storage.filer);
  let erasureCoding: ResolvedSeaweed["erasureCoding"];
  if (args.erasureCoding) {
    const ec = { ...SEAWEED_DEFAULTS.erasureCoding, ...(args.erasureCoding === true ? {} : args.erasureCoding) };
    v.require(/^\d+[smh]$/.test(ec.quietFor), "erasureCoding.quietFor", ec.quietFor, "expected a Go duration such as \"1h\"");
    checkCount(v, "erasureCoding.fullPercent", ec.fullPercent, 50, 100);
    checkCount(v, "erasureCoding.sleepMinutes", ec.sleepMinutes, 1, 1440);
    erasureCoding = ec;
    // 10 data + 4 parity shards spread over the volume servers; fewer than 4 cannot lose one and rebuild.
    v.require(volumeServers >= 4, "erasureCoding", args.erasureCoding, `expected no erasure coding with ${volumeServers} volume servers (EC shards need at least 4 to survive a lost server)`);
  }
  checkRules(v, "allowFrom", args.allowFrom);
  checkPeerPlatforms(v, { name: args.platform.name, kubernetes: base.target }, { allowFrom: args.allowFrom });
  const aws = base.managed ? resolveSeaweedAws(v, name, base.system, args.platform, buckets, args.aws) : undefined;
  if (!base.managed && args.aws !== undefined) {
    v.require(
      false,
      "aws",
      args.aws,
      args.platform.kind === "aws"
        ? "expected no aws settings with managed: false (the store runs in the cluster); they configure the S3 buckets a SeaweedStorage is on the aws platform by default"
        : `expected the aws platform: these settings configure S3 buckets, which platform kind "${args.platform.kind}" does not have (the store runs in the cluster there)`,
    );
  }
  v.throwIfInvalid();
  return { ...base, image, masters, volumeServers, racks, replication, filers, gateways, buckets, storage, resources, volumeSizeLimitMB, volumeGrowth, metadataBackup, erasureCoding, metrics: args.metrics ?? true, allowFrom: args.allowFrom ?? [], protect: args.protect ?? false, ...(aws ? { aws } : {}) };
}

const MAX_DAYS = 36500;

/**
 * The S3 side of a managed store: its buckets' physical names (unique in every account and
 * region: see s3BucketName) and lifecycle. The account comes from `aws.accountId`, else from the
 * platform's IAM OIDC provider ARN (the cluster's account) when it is known before deployment.
 */
function resolveSeaweedAws(v: Validator, name: string, system: string, platform: Platform, buckets: readonly string[], args: SeaweedAwsArgs | undefined): ResolvedSeaweedAws | undefined {
  if (platform.kind !== "aws") return undefined;
  const region = platform.aws.region;
  v.require(buckets.length > 0, "buckets", buckets, "expected at least one bucket on the aws platform (the store is a set of S3 buckets; or set managed: false to run SeaweedFS in the cluster)");
  const noncurrentVersionDays = args?.noncurrentVersionDays ?? SEAWEED_DEFAULTS.aws.noncurrentVersionDays;
  checkCount(v, "aws.noncurrentVersionDays", noncurrentVersionDays, 1, MAX_DAYS, " (days S3 keeps an overwritten or deleted object's previous version)");
  const expireAfterDays: Record<string, number> = {};
  const expire = args?.expireAfterDays;
  if (typeof expire === "number") {
    if (checkCount(v, "aws.expireAfterDays", expire, 1, MAX_DAYS)) for (const b of buckets) expireAfterDays[b] = expire;
  } else if (expire !== undefined) {
    for (const [bucket, days] of Object.entries(expire)) {
      const known = v.require(buckets.includes(bucket), "aws.expireAfterDays", bucket, `expected a bucket declared in buckets (${buckets.map((b) => JSON.stringify(b)).join(", ") || "none"})`);
      if (checkCount(v, `aws.expireAfterDays.${bucket}`, days, 1, MAX_DAYS) && known) expireAfterDays[bucket] = days;
    }
  }
  let accountId = args?.accountId;
  if (accountId !== undefined) v.require(typeof accountId === "string" && /^\d{12}$/.test(accountId), "aws.accountId", accountId, "expected the AWS account id the buckets are created in (12 digits)");
  else {
    const arn = platform.aws.shape?.oidc.providerArn;
    accountId = typeof arn === "string" ? /^arn:[\w-]+:iam::(\d{12}):/.exec(arn)?.[1] : undefined;
    v.require(
      accountId !== undefined,
      "aws.accountId",
      undefined,
      "expected the AWS account id the buckets are created in (12 digits): S3 bucket names are global, so keel names them <system>-<store>-<bucket>-<account>-<region>, and the platform's OIDC provider ARN, where keel reads the account otherwise, is not known before deployment",
    );
  }
  const bucketNames: Record<string, string> = {};
  if (typeof accountId === "string" && /^\d{12}$/.test(accountId)) {
    const byPhysical = new Map<string, string>();
    for (const b of buckets) {
      const physical = s3BucketName(system, name, b, accountId, region);
      const other = byPhysical.get(physical);
      if (other !== undefined) v.require(false, "buckets", b, `expected buckets whose S3 names differ: "${other}" and "${b}" both become "${physical}" (rename one)`);
      byPhysical.set(physical, b);
      bucketNames[b] = physical;
    }
  }
  const byVariable = new Map<string, string>();
  for (const b of buckets) {
    const variable = bucketEnvName(b);
    const other = byVariable.get(variable);
    if (other !== undefined) v.require(false, "buckets", b, `expected buckets whose variables differ: "${other}" and "${b}" both give ${variable} (rename one)`);
    byVariable.set(variable, b);
  }
  return { region, accountId: accountId ?? "", bucketNames, noncurrentVersionDays, expireAfterDays };
}

function resolveMetadataBackup(v: Validator, args: SeaweedMetadataBackupArgs | false | undefined, filer: ResolvedStorage | undefined): ResolvedSeaweed["metadataBackup"] {
  if (args === false) return undefined;
  const schedule = args?.schedule ?? SEAWEED_DEFAULTS.metadataBackup.schedule;
  const cron = cronProblem(schedule);
  if (cron) v.require(false, "filer.metadataBackup.schedule", schedule, `${cron} (UTC)`);
  const keep = args?.keep ?? SEAWEED_DEFAULTS.metadataBackup.keep;
  checkCount(v, "filer.metadataBackup.keep", keep, 1, 1000);
  const storage = resolveStorage(v, "filer.metadataBackup.storage", args?.storage, filer?.size ?? SEAWEED_DEFAULTS.storage.filer) as ResolvedStorage;
  return { schedule, keep, storage };
}

/**
 * Every collection (one per bucket, and the filer's own for its logs) gets `volumeGrowth` volumes
 * with their copies at its first write: the volume servers must have that many slots, or uploads
 * fail with "no free volumes" (SeaweedFS' default of 7 volumes of 30 GB per collection fills a
 * small disk at once).
 */
function checkCapacity(v: Validator, c: { volumeServers: number; replication: string; buckets: number; volume: ResolvedStorage; volumeSizeLimitMB: number; volumeGrowth: number }): void {
  const slots = volumeSlots(c.volume.bytes, c.volumeSizeLimitMB) * c.volumeServers;
  const copies = copiesOf(c.replication);
  const needed = (c.buckets + 1) * c.volumeGrowth * copies;
  const servers = `${c.volumeServers} volume server${c.volumeServers === 1 ? "" : "s"}`;
  v.require(
    needed <= slots,
    "storage.volume.size",
    c.volume.size,
    `expected room for ${needed} volumes of ${c.volumeSizeLimitMB} MB (${c.buckets + 1} collections: ${c.buckets} bucket${c.buckets === 1 ? "" : "s"} and the filer's own, x volumeGrowth ${c.volumeGrowth} x ${copies} cop${copies === 1 ? "y" : "ies"}); ${servers} of ${c.volume.size} hold${c.volumeServers === 1 ? "s" : ""} ${slots} (90% of the size / volumeSizeLimitMB, less one per server); raise storage.volume.size or volumeServers, or lower volumeSizeLimitMB or volumeGrowth`,
  );
}
