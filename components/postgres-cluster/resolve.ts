/** Validation and defaults for PostgresCluster: pure, every problem at once, before any resource. */
import { S3_BUCKET_CHARSET, S3_BUCKET_SYNTAX } from "../core/s3-bucket";
import { checkArgShape } from "../core/arg-shape";
import type * as pulumi from "@pulumi/pulumi";
import type { ObjectStoreTarget } from "../core/connection";
import type { AwsPlatformShape } from "../platform/aws-shape";
import type { AwsPlatformContext, Platform } from "../platform/types";
import { cronProblem, isCronSchedule } from "../core/cron";
import { Validator } from "../core/errors";
import { dnsSubdomainProblem, urlProblem } from "../core/kubernetes-syntax";
import { internetPeerProblems } from "../platform/cluster-facts";
import { checkPeerPlatforms, foreignPeerProblem } from "../workload/network-access";
import { parseMemory } from "../core/quantities";
import type { NetworkRule } from "../core/network";
import { ResolvedResources, TMP_WRITE, checkEphemeralStorage, resolveResources } from "../core/resources";
import type { MetricsPushTarget } from "../core/telemetry";
import { DataStoreBase, ResolvedStorage, checkCount, checkImage, checkRules, resolveDataStoreBase, resolveStorage, serverWrites } from "../workload/data-store";
import { ConnectionBudget, connectionBudget, isClientCidr, reservedConnections, resolveSharedMemory, resolveSlotWalLimit } from "./capacity";
import { validatePostgresSettings } from "./config";
import { ResolvedPostgresAws, resolvePostgresAws } from "./rds-settings";
import type { PostgresClusterArgs } from "./index";

export const POSTGRES_DEFAULTS = {
  image: "postgres:16.4-alpine",
  /** The alpine image's postgres user. */
  uid: 70,
  exporterImage: "quay.io/prometheuscommunity/postgres-exporter:v0.15.0",
  resources: { requests: { cpu: "250m", memory: "512Mi" }, limits: { cpu: "1", memory: "1Gi" } },
  storage: "10Gi",
  maxConnections: 100,
  walKeepSize: "1GB",
  backup: {
    /** The upload steps' image: curl >= 7.75 (--aws-sigv4) on busybox. Public; the dump steps use the official Debian postgres image of the server's version. */
    uploadImage: "curlimages/curl:8.10.1",
    /** The users the default images were built with: postgres in the Debian postgres image, curl_user in curlimages/curl. */
    toolsUser: { uid: 999, gid: 999 },
    uploadUser: { uid: 100, gid: 101 },
    schedule: "0 3 * * *",
    retentionDays: 30,
    scratchSize: "10Gi",
    /** The WAL spool's bound: at most this, or a quarter of the volume when that is smaller. */
    walSpoolLimit: "1Gi",
    resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "1", memory: "1Gi" } },
  },
  replicationUser: "replicator",
  metricsUser: "metrics",
  /** The sizeLimit of the servers' and tools' socket directory (/var/run/postgresql): a socket, its lock and a pid file. */
  runDirSize: "1Mi",
} as const;


/** Settings keel derives or depends on; `parameters` may not change them. */
const MANAGED_PARAMETERS = [
  ...["listen_addresses", "port", "hba_file", "config_file", "data_directory", "wal_level", "archive_mode", "archive_command", "hot_standby", "password_encryption"],
  // Set per replica by its bootstrap.
  ...["primary_slot_name", "primary_conninfo"],
];
/** Settings with an arg of their own, which keel checks. */
const ARG_PARAMETERS: Readonly<Record<string, string>> = { max_connections: "maxConnections", wal_keep_size: "walKeepSize", max_slot_wal_keep_size: "maxSlotWalKeepSize" };
const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;
const RESERVED_ROLES = ["postgres", "replicator", "metrics", "public"];
/** Databases every cluster has from initdb: keel's init script would fail creating one of them. */
const EXISTING_DATABASES = ["postgres", "template0", "template1"];
/** PostgreSQL majors keel's generated configuration runs on: wal_keep_size needs 13; settings are checked against 16's list, which 17 keeps. */
export const POSTGRES_MAJORS = { min: 13, max: 17 } as const;


/** The major version of a postgres image tag (`postgres:16.4-alpine` -> 16, `bitnami/postgresql:15.8.0` -> 15); undefined for other images or tags without a version. */
function postgresImageMajor(image: unknown): number | undefined {
  if (typeof image !== "string") return undefined;
  const m = /^(?:.*\/)?(postgres|postgresql):(\d+)(?:[.-][^@]*)?(?:@.*)?$/.exec(image);
  return m ? Number(m[2]) : undefined;
}

/** PostgreSQL's value of a memory setting (a number in 8kB pages, or with a unit) in bytes; NaN when it is not one. */
function pgMemoryBytes(value: string | number | boolean, unitBytes: number): number {
  if (typeof value === "number") return value * unitBytes;
  const m = typeof value === "string" ? /^\s*(\d+(?:\.\d+)?)\s*(B|kB|MB|GB|TB)?\s*$/.exec(value) : null;
  if (!m) return NaN;
  const factor = m[2] ? 1024 ** ["B", "kB", "MB", "GB", "TB"].indexOf(m[2]) : unitBytes;
  return Number(m[1]) * factor;
}

/** PostgreSQL's bool parsing, for settings given as booleans, numbers or words. */
function pgBool(value: string | number | boolean): boolean | undefined {
  if (typeof value === "boolean") return value;
  const t = String(value).trim().toLowerCase();
  if (["on", "true", "yes", "1", "t", "y"].includes(t)) return true;
  if (["off", "false", "no", "0", "f", "n", "of"].includes(t)) return false;
  return undefined;
}

export interface ResolvedBackup {
  readonly storage: ObjectStoreTarget;
  /** Dump, base backup and WAL encryption: PostgreSQL's tools, gzip, openssl. */
  readonly image: pulumi.Input<string>;
  /** Uploads, retention, metrics: curl. */
  readonly uploadImage: pulumi.Input<string>;
  /** The user each image runs as: the default images' own users; undefined (the pod's postgres user, 70) for a custom image. */
  readonly imageUser?: { readonly uid: number; readonly gid: number };
  readonly uploadUser?: { readonly uid: number; readonly gid: number };
  readonly walSpoolLimit: string;
  readonly walSpoolLimitBytes: number;
  readonly schedule: string;
  readonly retentionDays: number;
  readonly walArchiving: boolean;
  readonly prefix: string;
  readonly metrics?: MetricsPushTarget;
  readonly resources: ResolvedResources;
  readonly scratchSize: string;
  readonly passphrase?: pulumi.Input<string>;
  /** A target with `aws` (in-cluster on EKS): the platform whose OIDC provider the backup's IAM roles trust (IRSA). Undefined: static keys. */
  readonly irsa?: { readonly platform: AwsPlatformContext; readonly shape: AwsPlatformShape };
}

export interface ResolvedPostgres extends DataStoreBase {
  readonly image: pulumi.Input<string>;
  readonly exporterImage: string;
  readonly database: string;
  readonly username: string;
  readonly replicas: number;
  readonly resources: ResolvedResources;
  readonly storage?: ResolvedStorage;
  readonly maxConnections: number;
  /** max_connections against the clients' pools and keel's own connections. */
  readonly connections: ConnectionBudget;
  readonly walKeepSize: string;
  readonly maxSlotWalKeepSize: string;
  /** The memory-backed /dev/shm (counted against the memory limit). */
  readonly sharedMemory: { readonly size: string; readonly bytes: number };
  readonly parameters: Readonly<Record<string, string | number | boolean>>;
  readonly clientCidrs: readonly string[];
  readonly backup?: ResolvedBackup;
  readonly metrics: boolean;
  readonly allowFrom: readonly NetworkRule[];
  readonly protect: boolean;
  /** TCP only over TLS: a certificate from a namespace-local cert-manager CA, or an existing `kubernetes.io/tls` Secret. */
  readonly tls: false | { readonly secretName?: string };
  /** On RDS (`managed`): the instance, storage, windows and retention (rds-settings.ts). */
  readonly aws?: ResolvedPostgresAws;
}

const OFFICIAL_IMAGE = /^(?:docker\.io\/)?(?:library\/)?postgres:(\d+(?:\.\d+)?)(?:-[a-z0-9.]+)?$/;

/**
 * The official Debian image of an official postgres server image's version (`postgres:16.4-alpine` ->
 * `postgres:16.4`): the same pg_dump/pg_basebackup, plus gzip and openssl (ssl-cert depends on it),
 * which the alpine variant lacks. Undefined for any other image.
 */
export function toolsImageFor(serverImage: pulumi.Input<string>): string | undefined {
  const m = typeof serverImage === "string" ? OFFICIAL_IMAGE.exec(serverImage) : null;
  return m ? `postgres:${m[1]}` : undefined;
}

/** A CronJob schedule: 5 fields (minute hour day month weekday) or a macro (core/cron.ts). */
export { isCronSchedule };

export function resolvePostgresArgs(name: string, args: PostgresClusterArgs): ResolvedPostgres {
  const v = new Validator("PostgresCluster", name);
  checkArgShape(v, "PostgresClusterArgs", args, () => resolvePostgresArgs(name, args)); // unknown keys and wrong shapes, before anything reads them
  v.throwIfInvalid();
  const base = resolveDataStoreBase(v, name, args, "data", false, [{ kind: "StatefulSet", role: "primary" }, { kind: "StatefulSet", role: "replica" }, { kind: "CronJob", role: "backup" }]);
  const image = args.image ?? POSTGRES_DEFAULTS.image;
  checkImage(v, "image", image);
  const database = args.database ?? name.replace(/-/g, "_");
  const username = args.username ?? database;
  if (v.require(IDENTIFIER.test(database), "database", database, "expected a lowercase identifier (letters, digits, '_', at most 63 characters)")) {
    v.require(!EXISTING_DATABASES.includes(database), "database", database, `expected a database of your own, not ${EXISTING_DATABASES.join(", ")} (initdb creates those; creating it again fails)`);
  }
  if (v.require(IDENTIFIER.test(username) && !RESERVED_ROLES.includes(username), "username", username, `expected a lowercase identifier other than ${RESERVED_ROLES.join(", ")}`)) {
    v.require(!username.startsWith("pg_"), "username", username, "expected a name that does not start with \"pg_\" (PostgreSQL reserves those role names; creating one fails)");
  }
  const major = postgresImageMajor(image);
  if (major !== undefined) {
    v.require(major >= POSTGRES_MAJORS.min && major <= POSTGRES_MAJORS.max, "image", image, `expected PostgreSQL ${POSTGRES_MAJORS.min} to ${POSTGRES_MAJORS.max}: keel's postgresql.conf needs 13 (wal_keep_size) and its settings are checked against 16's`);
  }
  const replicas = args.replicas ?? 0;
  checkCount(v, "replicas", replicas, 0, 15);
  const resources = resolveResources(v, "resources", args.resources, POSTGRES_DEFAULTS.resources);
  v.require(resources.limitMemoryBytes === 0 || resources.limitMemoryBytes >= 256 * 1024 * 1024, "resources.limits.memory", resources.limits.memory, "expected at least \"256Mi\" (shared_buffers and work_mem are sized from it)");
  const storage = resolveStorage(v, "storage", args.storage, POSTGRES_DEFAULTS.storage, base.target.storageClasses);
  checkEphemeralStorage(v, resources, serverWrites(storage, [{ volume: "run", sizeLimit: POSTGRES_DEFAULTS.runDirSize }]));
  if (!storage && replicas > 0) {
    v.require(false, "replicas", replicas, "expected 0 when storage is false (a replica without a volume would copy the whole primary again at every restart); give the cluster storage");
  }
  if (args.maxConnections !== undefined) checkCount(v, "maxConnections", args.maxConnections, 10, 5000);
  const walKeepSize = args.walKeepSize ?? POSTGRES_DEFAULTS.walKeepSize;
  v.require(/^\d+(MB|GB)$/.test(walKeepSize), "walKeepSize", walKeepSize, "expected a size in MB or GB such as \"1GB\"");
  const maxSlotWalKeepSize = resolveSlotWalLimit(v, args.maxSlotWalKeepSize, walKeepSize, storage ? storage.bytes : undefined);
  const sharedMemory = resolveSharedMemory(v, args.sharedMemory, resources.limitMemoryBytes);
  const parameters = args.parameters ?? {};
  validatePostgresSettings(v, parameters); // names from PostgreSQL 16's list, values by type (config.ts)
  for (const [key, value] of Object.entries(parameters)) {
    v.require(/^[a-z_][a-z0-9_.]*$/.test(key), "parameters", key, "expected a PostgreSQL setting name such as \"random_page_cost\"");
    v.require(!MANAGED_PARAMETERS.includes(key), `parameters.${key}`, value, `expected no value: keel manages ${key} (it is what makes replication, backups and access work)`);
    if (Object.hasOwn(ARG_PARAMETERS, key)) v.require(false, `parameters.${key}`, value, `expected no value: set it with the ${ARG_PARAMETERS[key]} arg (keel checks it against the rest)`);
    v.require(["string", "number", "boolean"].includes(typeof value), `parameters.${key}`, value, "expected a string, number or boolean");
  }
  checkDerivedParameters(v, parameters, { tls: !!args.tls, replicas, memoryLimitBytes: resources.limitMemoryBytes, sharedMemoryBytes: sharedMemory.bytes });
  // pg_hba.conf admits the platform's pod network (its distribution's, else every private range); NetworkPolicies narrow it.
  const clientCidrs = args.clientCidrs ?? base.target.podCidrs;
  v.require(Array.isArray(clientCidrs) && clientCidrs.length > 0, "clientCidrs", clientCidrs, "expected at least one CIDR (the pod network), e.g. the platform's podCidrs");
  for (const [i, cidr] of (Array.isArray(clientCidrs) ? clientCidrs : []).entries()) {
    v.require(isClientCidr(cidr), `clientCidrs[${i}]`, cidr, "expected an IPv4 or IPv6 CIDR with a prefix of at least 1, such as \"10.0.0.0/8\", \"100.64.0.0/10\" or \"fc00::/7\"");
  }
  checkRules(v, "allowFrom", args.allowFrom);
  for (const [field, value, allowed] of internetPeerProblems("allowFrom", args.allowFrom)) v.require(false, field, value, allowed);
  checkPeerPlatforms(v, { name: args.platform.name, kubernetes: base.target }, { allowFrom: args.allowFrom });

  let backup: ResolvedBackup | undefined;
  if (args.backup) {
    const b = args.backup;
    const toolsImage = b.image ?? toolsImageFor(image);
    if (toolsImage === undefined) {
      v.require(false, "backup.image", b.image, "expected an image with pg_dump/pg_basebackup of the server's major version, gzip and openssl: keel picks the public one (\"postgres:<version>\") only for an official postgres image (docs/postgres.md, \"Images\")");
    } else checkImage(v, "backup.image", toolsImage);
    const uploadImage = b.uploadImage ?? POSTGRES_DEFAULTS.backup.uploadImage;
    checkImage(v, "backup.uploadImage", uploadImage);
    const schedule = b.schedule ?? POSTGRES_DEFAULTS.backup.schedule;
    const cron = cronProblem(schedule);
    if (cron) v.require(false, "backup.schedule", schedule, `${cron} (UTC)`);
    const endpoint = b.storage?.endpoint;
    if (typeof endpoint === "string") {
      const problem = urlProblem(endpoint, { schemes: ["http", "https"] });
      if (problem) v.require(false, "backup.storage.endpoint", endpoint, problem);
    }
    const foreign = foreignPeerProblem(b.storage?.network, { name: args.platform.name, dns: base.target.dns, provider: base.target.provider });
    if (foreign) v.fail(`backup.storage.network ${foreign}`);
    const irsa = base.managed ? undefined : resolveBackupCredentials(v, args.platform, b.storage);
    const retentionDays = b.retentionDays ?? POSTGRES_DEFAULTS.backup.retentionDays;
    checkCount(v, "backup.retentionDays", retentionDays, 1, 3650);
    const walArchiving = b.walArchiving ?? true;
    if (walArchiving && !storage) v.require(false, "backup.walArchiving", walArchiving, "expected false when storage is false (archived WAL waits on the data volume until it is shipped)");
    const prefix = b.prefix ?? name;
    v.require(/^[a-z0-9][-a-z0-9_./]*[a-z0-9]$/.test(prefix) && !prefix.includes(".."), "backup.prefix", prefix, "expected a key prefix of lowercase letters, digits, '-', '_', '.', '/'");
    if (b.storage === undefined) {
      // RDS keeps its own automated backups; in the cluster keel uploads them somewhere.
      if (!base.managed) v.require(false, "backup.storage", undefined, "expected where the backups go, such as files.bucketTarget(\"backups\") (only RDS, which keeps its own automated backups, goes without)");
    } else v.require(typeof b.storage.bucket === "string" && S3_BUCKET_CHARSET.test(b.storage.bucket), "backup.storage.bucket", b.storage.bucket, S3_BUCKET_SYNTAX);
    const scratchSize = b.scratchSize ?? POSTGRES_DEFAULTS.backup.scratchSize;
    const scratch = resolveStorage(v, "backup.scratch", { size: scratchSize }, scratchSize);
    // The scratch holds the gzipped base backup of the whole data directory and the dump until they are uploaded.
    // In the cluster only: RDS takes its backups without a scratch volume.
    if (!base.managed && scratch && scratch.bytes > 0 && storage && storage.bytes > 0) {
      v.require(scratch.bytes >= storage.bytes / 10, "backup.scratchSize", scratchSize, `expected at least a tenth of storage.size (${JSON.stringify(storage.size)}): the scratch holds the gzipped base backup of the whole data directory and the dump until they are uploaded (a half-full volume compressed five times is that much)`);
    }
    const spool = resolveWalSpoolLimit(v, b.walSpoolLimit, storage?.bytes);
    backup = {
      storage: b.storage as ObjectStoreTarget,
      image: toolsImage ?? "",
      uploadImage,
      imageUser: b.image === undefined ? POSTGRES_DEFAULTS.backup.toolsUser : undefined,
      uploadUser: b.uploadImage === undefined ? POSTGRES_DEFAULTS.backup.uploadUser : undefined,
      walSpoolLimit: spool.size,
      walSpoolLimitBytes: spool.bytes,
      schedule,
      retentionDays,
      walArchiving,
      prefix,
      metrics: b.metrics,
      resources: resolveResources(v, "backup.resources", b.resources, POSTGRES_DEFAULTS.backup.resources),
      scratchSize,
      passphrase: b.passphrase,
      ...(irsa ? { irsa } : {}),
    };
    // The upload and restore containers write the scratch volume (backup-kubernetes.ts, restore-kubernetes.ts).
    if (scratch && scratch.bytes > 0) checkEphemeralStorage(v, backup.resources, [TMP_WRITE, { volume: "scratch", sizeLimit: scratchSize }]);
  }
  const metrics = args.metrics ?? true;
  const reserved = reservedConnections({ parameters, metrics, backup: backup !== undefined, replicas });
  const connections = connectionBudget(v, args.maxConnections, POSTGRES_DEFAULTS.maxConnections, args.expectedClients, reserved);
  v.require(typeof (args.protect ?? false) === "boolean", "protect", args.protect, "expected true or false");
  const tls: ResolvedPostgres["tls"] = !args.tls ? false : args.tls === true ? {} : { secretName: args.tls.secretName };
  if (tls && tls.secretName !== undefined && dnsSubdomainProblem(tls.secretName)) v.require(false, "tls.secretName", tls.secretName, "expected a Secret name (lowercase letters, digits, '-' and '.', at most 253 characters)");
  // On RDS tls does not apply (RDS serves TLS itself and rds.force_ssl requires it): no certificate to issue.
  if (tls && !tls.secretName && !base.target.operators.certManager && !base.managed) {
    v.require(false, "tls", args.tls, "expected { secretName } of a kubernetes.io/tls Secret, or cert-manager on the platform (operators.certManager) to issue the certificate");
  }
  const aws = resolvePostgresAws(v, {
    aws: args.aws,
    platformKind: args.platform.kind,
    managed: base.managed,
    major,
    image,
    resources,
    storageArg: args.storage,
    storage,
    backup: args.backup,
    parameters,
    protect: args.protect === true,
  });
  v.throwIfInvalid();
  return {
    ...base,
    ...(aws ? { aws } : {}),
    image,
    exporterImage: POSTGRES_DEFAULTS.exporterImage,
    database,
    username,
    replicas,
    resources,
    storage,
    maxConnections: connections.maxConnections,
    connections,
    walKeepSize,
    maxSlotWalKeepSize,
    sharedMemory,
    parameters,
    clientCidrs,
    backup,
    metrics,
    allowFrom: args.allowFrom ?? [],
    protect: args.protect ?? false,
    tls,
  };
}

const MI = 1024 * 1024;

/**
 * How the in-cluster backup authenticates to its object store: static keys (both accessKeyId and
 * secretAccessKey), or `aws`: an S3 bucket written through IAM roles for the backup's
 * ServiceAccounts (IRSA), which needs the aws platform attached to an AwsPlatform (the roles trust
 * its cluster's IAM OIDC provider). Not both. Returns the platform for `aws`.
 */
function resolveBackupCredentials(v: Validator, platform: Platform, storage: ObjectStoreTarget | undefined): ResolvedBackup["irsa"] {
  if (typeof storage !== "object" || storage === null) return undefined;
  const keys = storage.accessKeyId !== undefined || storage.secretAccessKey !== undefined;
  if (storage.aws === undefined) {
    const or = "or aws (an S3 bucket on AWS, written through IAM roles for the backup's ServiceAccounts)";
    v.require(storage.accessKeyId !== undefined, "backup.storage.accessKeyId", storage.accessKeyId, `expected the access key of the bucket's writer (with secretAccessKey), ${or}`);
    v.require(storage.secretAccessKey !== undefined, "backup.storage.secretAccessKey", storage.secretAccessKey, `expected the secret key of the bucket's writer (with accessKeyId), ${or}`);
    return undefined;
  }
  if (keys) v.fail("backup.storage has both aws and static keys (accessKeyId, secretAccessKey); expected one of them: with aws the backup writes through IAM roles for its ServiceAccounts (IRSA) and no key is stored");
  const statements: unknown = storage.aws.statements;
  v.require(Array.isArray(statements) && statements.length > 0, "backup.storage.aws.statements", statements, "expected the IAM statements the backup's roles get (at least one: the bucket's object and list permissions)");
  if (platform.kind !== "aws") {
    v.fail(`backup.storage.aws is set on platform kind "${platform.kind}"; expected the aws platform: IAM roles for service accounts (IRSA) need EKS; give the bucket's accessKeyId and secretAccessKey instead`);
    return undefined;
  }
  if (platform.aws.shape === undefined) {
    v.fail(`backup.storage.aws is set on aws platform "${platform.name}" without its AwsPlatform; expected an aws platform attached to an AwsPlatform (fromStackReference, aws.system() or fromExisting): the backup's IAM roles trust the cluster's IAM OIDC provider`);
    return undefined;
  }
  return { platform, shape: platform.aws.shape };
}

/** The spool's bound: at least 4 segments (64Mi), at most half the data volume. */
function resolveWalSpoolLimit(v: Validator, given: string | undefined, volumeBytes: number | undefined): { size: string; bytes: number } {
  const fallback = POSTGRES_DEFAULTS.backup.walSpoolLimit;
  const quarter = volumeBytes ? Math.max(64, Math.floor(volumeBytes / 4 / MI)) : Infinity;
  const size = given ?? (quarter * MI < (parseMemory(fallback) as { value: number }).value ? `${quarter}Mi` : fallback);
  const parsed = parseMemory(size);
  if (!parsed.ok) {
    v.require(false, "backup.walSpoolLimit", size, parsed.reason);
    return { size, bytes: 0 };
  }
  v.require(parsed.value >= 64 * MI, "backup.walSpoolLimit", size, "expected at least \"64Mi\" (four WAL segments)");
  if (volumeBytes) v.require(parsed.value <= volumeBytes / 2, "backup.walSpoolLimit", size, "expected at most half of storage.size (the spool shares the data volume with the database)");
  return { size, bytes: parsed.value };
}

/**
 * `parameters` that keel derives from other args: allowed only when compatible with what keel
 * set them for, and the message names the arg that sets them.
 */
function checkDerivedParameters(v: Validator, parameters: Readonly<Record<string, unknown>>, k: { tls: boolean; replicas: number; memoryLimitBytes: number; sharedMemoryBytes: number }): void {
  for (const key of ["ssl", "ssl_cert_file", "ssl_key_file"]) {
    if (Object.hasOwn(parameters, key)) v.require(false, `parameters.${key}`, parameters[key], `expected no value: the tls arg sets it (${k.tls ? "keel serves TLS with the certificate it mounts" : "without tls there is no certificate, and the server would not start"})`);
  }
  const minSenders = k.replicas + 2;
  for (const key of ["max_wal_senders", "max_replication_slots"]) {
    const value = parameters[key];
    if (value === undefined || (typeof value !== "number" && typeof value !== "string")) continue;
    const n = Number(value);
    if (Number.isFinite(n)) v.require(n >= minSenders, `parameters.${key}`, value, `expected at least ${minSenders}: the replicas arg (${k.replicas}) needs one per replica, plus one pg_basebackup (a replica's bootstrap or a backup) with its WAL stream (keel sets replicas + 5)`);
  }
  const buffers = parameters.shared_buffers;
  if (k.memoryLimitBytes > 0 && (typeof buffers === "string" || typeof buffers === "number")) {
    const bytes = pgMemoryBytes(buffers, 8192);
    const room = k.memoryLimitBytes - k.sharedMemoryBytes;
    if (Number.isFinite(bytes)) v.require(bytes <= room, "parameters.shared_buffers", buffers, `expected at most ${Math.floor(room / 1024 ** 2)}MB, what resources.limits.memory leaves beside sharedMemory (keel derives a quarter of the limit): above it the buffers alone do not fit and the server is killed for memory`);
  }
  const hotStandbyFeedback = parameters.hot_standby_feedback;
  if (hotStandbyFeedback !== undefined && k.replicas > 0 && (typeof hotStandbyFeedback === "string" || typeof hotStandbyFeedback === "number" || typeof hotStandbyFeedback === "boolean") && pgBool(hotStandbyFeedback) === false) {
    v.require(false, "parameters.hot_standby_feedback", hotStandbyFeedback, "expected on with replicas (keel sets it): without it queries on a replica are cancelled when the primary vacuums the rows they read");
  }
}

/** The typed settings PostgreSQL's configuration comes from, in the cluster (postgresql.conf) and on RDS (the parameter group). */
export function serverSettings(r: ResolvedPostgres) {
  return {
    memoryBytes: r.resources.limitMemoryBytes,
    maxConnections: r.maxConnections,
    replicas: r.replicas,
    walKeepSize: r.walKeepSize,
    maxSlotWalKeepSize: r.maxSlotWalKeepSize,
    sharedMemoryBytes: r.sharedMemory.bytes,
    extra: r.parameters,
  };
}
