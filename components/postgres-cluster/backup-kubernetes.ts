/**
 * PostgresCluster backups on Kubernetes: the primary's WAL helpers (wal-encrypt on the tools
 * image, wal-upload on the upload image, sharing the spool on the data volume) and the backup
 * CronJob (backup-dump as an init container on the tools image, backup-upload on the upload image,
 * sharing a scratch emptyDir). Helpers have no probes: a failing upload must never make the
 * database's pod unready; they retry with backoff and report through the spool metrics.
 */
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { ObjectStoreTarget } from "../core/connection";
import { Validator } from "../core/errors";
import { childName } from "../core/naming";
import type { NetworkRule } from "../core/network";
import type { ResolvedResources } from "../core/resources";
import { ResolvedSecurity, resolveSecurity } from "../core/security";
import { ClientAccess, memberLabels } from "../workload/data-store";
import { createJob } from "../workload/job";
import { connect } from "../workload/network-access";
import type { ContainerSpec } from "../workload/workload";
import { POSTGRES_DEFAULTS, ResolvedBackup, ResolvedPostgres } from "./resolve";

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

/** What the backup parts share with the servers. */
export interface BackupContext {
  readonly scripts: pulumi.Input<string>;
  /** Secret with access-key-id, secret-access-key, passphrase. */
  readonly backupSecret: pulumi.Input<string>;
  /** Secret with the servers' passwords. */
  readonly credentials: pulumi.Input<string>;
  readonly security: ResolvedSecurity;
  readonly helperResources: ResolvedResources;
  readonly port: number;
}

export const secretRef = (name: pulumi.Input<string>, key: string) => ({ valueFrom: { secretKeyRef: { name, key } } });

export function s3Env(b: ResolvedBackup, ctx: BackupContext): EnvVar[] {
  return [
    { name: "S3_ENDPOINT", value: b.storage.endpoint },
    { name: "S3_BUCKET", value: b.storage.bucket },
    { name: "S3_REGION", value: b.storage.region ?? "us-east-1" },
    { name: "S3_PREFIX", value: b.prefix },
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
      ...s3Env(b, ctx),
      ...metricsEnv(r, b),
    ]),
  ];
  return { containers, volumes: [TOOLS_RUN.volume] };
}

/** What the primary's pod must reach for WAL shipping: the object store, and the Pushgateway. */
export function walShippingRules(b: ResolvedBackup): NetworkRule[] {
  return [objectStoreRule(b.storage), ...(b.metrics ? [{ peer: b.metrics.endpoint }] : [])];
}

/** The scheduled backup: dump + encrypt (init container, tools image), then upload + expire + report (upload image). */
export function createBackupJob(parent: pulumi.Resource, r: ResolvedPostgres, b: ResolvedBackup, ctx: BackupContext, clients: ClientAccess, rwHost: pulumi.Input<string>): k8s.batch.v1.CronJob {
  const name = childName(r.name, "backup");
  const labels = memberLabels(r, "backup", "backup", b.image);
  // The tools image writes to its data directory: the scratch volume is mounted there.
  const dumpMounts = [scriptsMount, { name: "scratch", mountPath: DATA_DIR }, TOOLS_RUN.mount];
  const uploadMounts = [scriptsMount, { name: "scratch", mountPath: SCRATCH }];
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
    ],
    allowTo: [],
  });
  connect(job.endpoint, clients, [{ port: ctx.port }]);
  const store = objectStoreRule(b.storage);
  connect(job.endpoint, store.peer, store.ports);
  if (b.metrics) connect(job.endpoint, b.metrics.endpoint);
  return job.job as k8s.batch.v1.CronJob;
}
