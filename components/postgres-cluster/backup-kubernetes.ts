/**
 * PostgresCluster backups on Kubernetes: the primary's WAL helpers (wal-encrypt on the tools
 * image, wal-upload on the upload image, sharing the spool on the data volume) and the backup
 * CronJob (backup-dump as an init container on the tools image, backup-upload on the upload image,
 * sharing a scratch emptyDir). Helpers have no probes: a failing upload must never make the
 * database's pod unready; they retry with backoff and report through the spool metrics.
 *
 * An S3 bucket on AWS (a target with `aws`, in-cluster on EKS) is written without keys: each
 * ServiceAccount whose pods talk to it (the backup's, which the restore Jobs borrow, and the
 * primary's for WAL shipping) gets an IAM role of its own (IRSA) with exactly the target's
 * statements, and only the containers that talk to S3 get the role's ARN and a ServiceAccount
 * token projected for STS (`AWS_ROLE_ARN`, `AWS_WEB_IDENTITY_TOKEN_FILE`, what EKS's pod identity
 * webhook would inject into every container of the pod). The scripts trade it for temporary
 * credentials (shell.ts, irsaShellFunctions).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { PolicyDocument, irsaRole } from "../aws/iam";
import { managedDataContext } from "../aws/managed-data";
import type { ObjectStoreTarget } from "../core/connection";
import { Validator } from "../core/errors";
import { childName } from "../core/naming";
import { NetworkPeer, NetworkPort, NetworkRule, isNetworkEndpoint, peers } from "../core/network";
import type { ResolvedResources } from "../core/resources";
import { ResolvedSecurity, resolveSecurity } from "../core/security";
import { ClientAccess, memberLabels } from "../workload/data-store";
import { createJob } from "../workload/job";
import { connect } from "../workload/network-access";
import type { ContainerSpec } from "../workload/workload";
import { POSTGRES_DEFAULTS, ResolvedBackup, ResolvedPostgres } from "./resolve";
import { AWS_TOKEN_DIR } from "./shell";

import EnvVar = k8s.types.input.core.v1.EnvVar;

export const DATA_DIR = "/var/lib/postgresql/data";
/** Where archive_command spools WAL segments for the helpers (on the data volume: it survives restarts). */
export const SPOOL_DIR = `${DATA_DIR}/wal-spool`;
export const SCRATCH = "/scratch";
/** The tools image's other write path (its socket directory; keel's image manifest lists it): a volume, as the read-only root requires. */
export const TOOLS_RUN = { volume: { name: "tools-run", emptyDir: { sizeLimit: POSTGRES_DEFAULTS.runDirSize } }, mount: { name: "tools-run", mountPath: "/var/run/postgresql" } };

/** Egress rule to an object store: its endpoint's ports, else HTTPS. */
export function objectStoreRule(store: ObjectStoreTarget): NetworkRule {
  const isEndpoint = "networkPeer" in store.network;
  return { peer: store.network, ports: store.ports ?? (isEndpoint ? undefined : [{ port: 443 }]) };
}

/** The ServiceAccounts whose pods talk to the object store (createJob and createWorkload name them after their workload). */
export const backupServiceAccount = (r: ResolvedPostgres): string => childName(r.name, "backup");
export const primaryServiceAccount = (r: ResolvedPostgres): string => childName(r.name, "primary");

/** The IAM roles (their ARNs) the pods write an AWS bucket with (IRSA): the backup's (and restores'), and the primary's for WAL shipping. */
export interface S3Roles {
  readonly backup: pulumi.Output<string>;
  readonly wal?: pulumi.Output<string>;
}

/**
 * For a target with `aws`: a role per ServiceAccount that talks to the bucket, trusting exactly
 * that ServiceAccount in the cluster's namespace (the platform's IAM OIDC provider, audience
 * sts.amazonaws.com), allowed exactly the target's statements. Undefined for a target with keys.
 */
export function createS3Roles(parent: pulumi.Resource, r: ResolvedPostgres, b: ResolvedBackup): S3Roles | undefined {
  const access = b.storage.aws;
  if (!b.irsa || !access) return undefined;
  const { platform, shape } = b.irsa;
  const ctx = managedDataContext(parent, r, platform, false);
  const identity = { oidcProviderArn: shape.oidc.providerArn, oidcIssuer: shape.oidc.issuer };
  const policy: PolicyDocument = { Version: "2012-10-17", Statement: [...access.statements] };
  const partition = pulumi.output(shape.oidc.providerArn).apply((arn) => arn.split(":")[1] || "aws");
  const role = (purpose: string, serviceAccount: string): pulumi.Output<string> => {
    const name = childName(r.name, `${purpose}-aws-role`);
    return irsaRole(name, identity, r.namespace, serviceAccount, { policy, partition, tags: ctx.tags(name) }, ctx.opts).role.arn;
  };
  return { backup: role("backup", backupServiceAccount(r)), wal: b.walArchiving ? role("wal", primaryServiceAccount(r)) : undefined };
}

/** The ServiceAccount token for STS, mounted only where a container talks to S3 (the pods keep automountServiceAccountToken false: this is not the API token). */
export const AWS_TOKEN = {
  volume: { name: "aws-iam-token", projected: { sources: [{ serviceAccountToken: { audience: "sts.amazonaws.com", expirationSeconds: 86400, path: "token" } }] } },
  mount: { name: "aws-iam-token", mountPath: AWS_TOKEN_DIR, readOnly: true },
};

/**
 * Where the scripts keep the temporary credentials (AWS_SESSION_DIR): memory, mounted only where
 * the token is (not /tmp, which every container of the pod shares).
 */
export const AWS_SESSION = {
  volume: { name: "aws-session", emptyDir: { medium: "Memory", sizeLimit: "1Mi" } },
  mount: { name: "aws-session", mountPath: "/var/run/keel-aws-session" },
};

/** The token's and the credentials' volumes for a pod whose containers write an AWS bucket, else none. */
export const awsTokenVolumes = (ctx: BackupContext): k8s.types.input.core.v1.Volume[] => (ctx.s3Roles ? [AWS_TOKEN.volume, AWS_SESSION.volume] : []);
/** Their mounts, for the containers that talk to S3. */
export const awsTokenMounts = (ctx: BackupContext) => (ctx.s3Roles ? [AWS_TOKEN.mount, AWS_SESSION.mount] : []);

/** The static keys of a target without `aws` (resolve.ts requires both). */
export function staticKeys(store: ObjectStoreTarget): { readonly accessKeyId: pulumi.Input<string>; readonly secretAccessKey: pulumi.Input<string> } {
  if (store.accessKeyId === undefined || store.secretAccessKey === undefined) throw new Error("PostgresCluster: backup.storage has neither aws nor both keys (resolvePostgresArgs refuses that)");
  return { accessKeyId: store.accessKeyId, secretAccessKey: store.secretAccessKey };
}

/** The backup Secret's data: the passphrase, and the keys of a target without `aws`. */
export function backupSecretData(b: ResolvedBackup, passphrase: pulumi.Input<string>): Record<string, pulumi.Input<string>> {
  if (b.storage.aws) return { passphrase };
  const keys = staticKeys(b.storage);
  return { "access-key-id": keys.accessKeyId, "secret-access-key": pulumi.secret(keys.secretAccessKey), passphrase };
}

const coversPort = (ports: readonly NetworkPort[] | undefined, port: number) => ports === undefined || ports.some((p) => p.port === port && (p.protocol ?? "TCP") === "TCP");

/**
 * STS (AssumeRoleWithWebIdentity) for the pods with an IAM role: a public AWS endpoint on 443
 * (sts.<region>.amazonaws.com, through the NAT gateway), unless the store's own rule reaches every
 * public address on 443 already (an S3 bucket on AWS: S3's public endpoint).
 */
export function stsRules(b: ResolvedBackup): NetworkRule[] {
  if (!b.irsa) return [];
  const store = objectStoreRule(b.storage);
  const endpoint = isNetworkEndpoint(store.peer) ? store.peer : undefined;
  const peer: NetworkPeer = endpoint ? endpoint.networkPeer : (store.peer as NetworkPeer);
  const ports = store.ports ?? endpoint?.networkPorts;
  const everywhere = (peer.kind === "cidr" && peer.cidr === "0.0.0.0/0") || (peer.kind === "managed" && peer.cidrs.includes("0.0.0.0/0"));
  return everywhere && coversPort(ports, 443) ? [] : [{ peer: peers.internet(), ports: [{ port: 443 }] }];
}

/** What the backup parts share with the servers. */
export interface BackupContext {
  readonly scripts: pulumi.Input<string>;
  /** Secret with the passphrase, and access-key-id and secret-access-key for a target without `aws`. */
  readonly backupSecret: pulumi.Input<string>;
  /** The IAM roles for a target with `aws` (IRSA): no keys. */
  readonly s3Roles?: S3Roles;
  /** Secret with the servers' passwords. */
  readonly credentials: pulumi.Input<string>;
  readonly security: ResolvedSecurity;
  readonly helperResources: ResolvedResources;
  readonly port: number;
}

export const secretRef = (name: pulumi.Input<string>, key: string) => ({ valueFrom: { secretKeyRef: { name, key } } });

/** The object store's settings and credentials: the keys from the backup Secret, or the role of the pod's ServiceAccount (`wal`: the primary's). */
export function s3Env(b: ResolvedBackup, ctx: BackupContext, serviceAccount: "backup" | "wal" = "backup"): EnvVar[] {
  const store: EnvVar[] = [
    { name: "S3_ENDPOINT", value: b.storage.endpoint },
    { name: "S3_BUCKET", value: b.storage.bucket },
    { name: "S3_REGION", value: b.storage.region ?? "us-east-1" },
    { name: "S3_PREFIX", value: b.prefix },
  ];
  if (ctx.s3Roles) {
    const role = serviceAccount === "wal" ? ctx.s3Roles.wal : ctx.s3Roles.backup;
    if (!role) throw new Error("PostgresCluster: no IAM role for the primary's ServiceAccount (WAL archiving is off)");
    // AWS_REGION: the cluster's, for STS (what EKS's webhook sets too).
    const region: EnvVar[] = b.irsa ? [{ name: "AWS_REGION", value: b.irsa.platform.aws.region }] : [];
    return [
      ...store,
      ...region,
      { name: "AWS_ROLE_ARN", value: role },
      { name: "AWS_WEB_IDENTITY_TOKEN_FILE", value: `${AWS_TOKEN_DIR}/token` },
      { name: "AWS_SESSION_DIR", value: AWS_SESSION.mount.mountPath },
    ];
  }
  return [
    ...store,
    { name: "AWS_ACCESS_KEY_ID", ...secretRef(ctx.backupSecret, "access-key-id") },
    { name: "AWS_SECRET_ACCESS_KEY", ...secretRef(ctx.backupSecret, "secret-access-key") },
  ];
}

function metricsEnv(r: ResolvedPostgres, b: ResolvedBackup): EnvVar[] {
  return b.metrics
    ? [
        { name: "PUSHGATEWAY_URL", value: b.metrics.url },
        { name: "BACKUP_NAME", value: childName(r.name, "backup") },
        { name: "BACKUP_NAMESPACE", value: r.namespace },
      ]
    : [];
}

/** The default images run as the users they were built with (pod fsGroup 70 opens the volumes to them); a custom image as the pod's user. */
export function runAs(r: ResolvedPostgres, user: ResolvedBackup["imageUser"]): ResolvedSecurity | undefined {
  return user ? resolveSecurity(new Validator("PostgresCluster", r.name), "backup", { runAsUser: user.uid, runAsGroup: user.gid, fsGroup: POSTGRES_DEFAULTS.uid }) : undefined;
}

export const passphrase = (ctx: BackupContext): EnvVar => ({ name: "BACKUP_PASSPHRASE", ...secretRef(ctx.backupSecret, "passphrase") });
/** libpq's environment for the superuser on the primary (the dump and the restore connect so). */
export function superuserEnv(r: ResolvedPostgres, ctx: BackupContext, rwHost: pulumi.Input<string>): EnvVar[] {
  return [
    { name: "PGHOST", value: rwHost },
    { name: "PGPORT", value: String(ctx.port) },
    { name: "PGUSER", value: "postgres" },
    { name: "PGPASSWORD", ...secretRef(ctx.credentials, "superuser-password") },
    { name: "PGDATABASE", value: r.database },
  ];
}
export const scriptsMount = { name: "scripts", mountPath: "/scripts", readOnly: true };

/** The primary's WAL helpers: spool -> compressed + encrypted copy (tools image) -> object store (upload image). */
export function walHelpers(r: ResolvedPostgres, b: ResolvedBackup, ctx: BackupContext): { containers: ContainerSpec[]; volumes: k8s.types.input.core.v1.Volume[] } {
  const spool: EnvVar = { name: "WAL_SPOOL_DIR", value: SPOOL_DIR };
  const volumeMounts = [{ name: "data", mountPath: DATA_DIR }, scriptsMount];
  const helper = (name: string, image: pulumi.Input<string>, user: ResolvedBackup["imageUser"], env: EnvVar[], mounts = volumeMounts): ContainerSpec => ({
    name,
    image,
    command: ["/bin/sh", `/scripts/${name}.sh`],
    ports: [],
    env,
    resources: ctx.helperResources,
    // No probes: the helpers serve nothing, and a probe of theirs must never gate the database.
    volumeMounts: mounts,
    security: runAs(r, user),
  });
  const containers = [
    helper("wal-encrypt", b.image, b.imageUser, [spool, passphrase(ctx)], [...volumeMounts, TOOLS_RUN.mount]),
    helper("wal-upload", b.uploadImage, b.uploadUser, [
      spool,
      { name: "WAL_SPOOL_LIMIT_BYTES", value: String(b.walSpoolLimitBytes) },
      { name: "CLUSTER_NAME", value: r.name },
      ...s3Env(b, ctx, "wal"),
      ...metricsEnv(r, b),
    ], [...volumeMounts, ...awsTokenMounts(ctx)]),
  ];
  return { containers, volumes: [TOOLS_RUN.volume, ...awsTokenVolumes(ctx)] };
}

/** What the primary's pod must reach for WAL shipping: the object store (and STS for its role), and the Pushgateway. */
export function walShippingRules(b: ResolvedBackup): NetworkRule[] {
  return [objectStoreRule(b.storage), ...stsRules(b), ...(b.metrics ? [{ peer: b.metrics.endpoint }] : [])];
}

/** The scheduled backup: dump + encrypt (init container, tools image), then upload + expire + report (upload image). */
export function createBackupJob(parent: pulumi.Resource, r: ResolvedPostgres, b: ResolvedBackup, ctx: BackupContext, clients: ClientAccess, rwHost: pulumi.Input<string>): k8s.batch.v1.CronJob {
  const name = childName(r.name, "backup");
  const labels = memberLabels(r, "backup", "backup", b.image);
  // The tools image writes to its data directory: the scratch volume is mounted there.
  const dumpMounts = [scriptsMount, { name: "scratch", mountPath: DATA_DIR }, TOOLS_RUN.mount];
  const uploadMounts = [scriptsMount, { name: "scratch", mountPath: SCRATCH }, ...awsTokenMounts(ctx)];
  const job = createJob(parent, r.target, {
    name,
    namespace: r.namespace,
    labels: labels.labels,
    selector: labels.selector,
    security: ctx.security,
    schedule: b.schedule,
    activeDeadlineSeconds: 6 * 3600,
    initContainers: [
      {
        name: "dump",
        image: b.image,
        command: ["/bin/sh", "/scripts/backup-dump.sh"],
        env: [
          ...superuserEnv(r, ctx, rwHost),
          { name: "REPLICATION_USER", value: POSTGRES_DEFAULTS.replicationUser },
          { name: "REPLICATION_PASSWORD", ...secretRef(ctx.credentials, "replication-password") },
          { name: "BASE_BACKUP", value: b.walArchiving ? "1" : "0" },
          { name: "BACKUP_WORK_DIR", value: DATA_DIR },
          passphrase(ctx),
        ],
        resources: b.resources,
        volumeMounts: dumpMounts,
        security: runAs(r, b.imageUser),
      },
    ],
    containers: [
      {
        name: "upload",
        image: b.uploadImage,
        command: ["/bin/sh", "/scripts/backup-upload.sh"],
        env: [{ name: "RETENTION_DAYS", value: String(b.retentionDays) }, { name: "BACKUP_WORK_DIR", value: SCRATCH }, ...s3Env(b, ctx), ...metricsEnv(r, b)],
        resources: b.resources,
        volumeMounts: uploadMounts,
        security: runAs(r, b.uploadUser),
      },
    ],
    volumes: [
      { name: "scripts", configMap: { name: ctx.scripts, defaultMode: 0o555 } },
      // The encrypted dump and base backup until they are uploaded: charged to the upload container's
      // ephemeral storage (it outlives the dump), which the scheduler reserves and the kubelet enforces.
      { name: "scratch", emptyDir: { sizeLimit: b.scratchSize } },
      TOOLS_RUN.volume,
      ...awsTokenVolumes(ctx),
    ],
    allowTo: [],
  });
  connect(job.endpoint, clients, [{ port: ctx.port }]);
  const store = objectStoreRule(b.storage);
  connect(job.endpoint, store.peer, store.ports);
  for (const sts of stsRules(b)) connect(job.endpoint, sts.peer, sts.ports);
  if (b.metrics) connect(job.endpoint, b.metrics.endpoint);
  return job.job as k8s.batch.v1.CronJob;
}
