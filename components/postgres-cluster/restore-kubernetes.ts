/**
 * Ready-made restore Jobs, rendered into ConfigMap `<name>-restore` (never applied by keel, never
 * mounted): `restore-job.yaml` (newest dump -> the database) and `pitr-job.yaml` (newest base
 * backup + archived WAL -> the stopped primary's volume). Each downloads on the upload image and
 * decrypts and loads on the tools image, carries the backup Job's pod labels (so its
 * NetworkPolicies reach the primary and the bucket) and runs with its ServiceAccount (and so, for
 * an AWS bucket, with its IAM role: the fetch step gets the role and the token, as the upload does).
 * docs/postgres.md: `kubectl get configmap ... | kubectl create -f -`.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { childName } from "../core/naming";
import { memberLabels } from "../workload/data-store";
import { oneOffJobManifest } from "../workload/job";
import type { InitContainerSpec } from "../workload/workload";
import { BackupContext, DATA_DIR, SCRATCH, awsTokenMounts, awsTokenVolumes, backupServiceAccount, passphrase, runAs, s3Env, scriptsMount, superuserEnv } from "./backup-kubernetes";
import type { ResolvedBackup, ResolvedPostgres } from "./resolve";

/** The restore_command directory pitr-prepare.sh fills on the data volume. */
export const WAL_RESTORE_DIR = `${DATA_DIR}/wal-restore`;

export function createRestoreManifests(parent: pulumi.Resource, r: ResolvedPostgres, b: ResolvedBackup, ctx: BackupContext, rwHost: pulumi.Input<string>): k8s.core.v1.ConfigMap {
  const backupName = backupServiceAccount(r);
  const labels = memberLabels(r, "backup", "backup", b.image);
  const from = { name: "RESTORE_FROM", value: "latest" };
  const fetch = (mode: "dump" | "pitr", workDir: string, mount: { name: string; mountPath: string }): InitContainerSpec => ({
    name: "fetch",
    image: b.uploadImage,
    command: ["/bin/sh", "/scripts/restore-fetch.sh", mode],
    env: [from, { name: "RESTORE_WORK_DIR", value: workDir }, ...s3Env(b, ctx)],
    resources: b.resources,
    volumeMounts: [scriptsMount, mount, ...awsTokenMounts(ctx)],
    security: runAs(r, b.uploadUser),
  });
  const job = (mode: "dump" | "pitr", containers: { fetch: InitContainerSpec; load: InitContainerSpec }, volumes: k8s.types.input.core.v1.Volume[]) =>
    oneOffJobManifest({
      generateName: `${childName(r.name, mode === "dump" ? "restore" : "pitr")}-`,
      namespace: r.namespace,
      labels: labels.labels,
      serviceAccountName: backupName,
      security: ctx.security,
      initContainers: [containers.fetch],
      containers: [containers.load],
      volumes: [{ name: "scripts", configMap: { name: ctx.scripts, defaultMode: 0o555 } }, ...volumes, ...awsTokenVolumes(ctx)],
    });

  const restore = job(
    "dump",
    {
      fetch: fetch("dump", SCRATCH, { name: "scratch", mountPath: SCRATCH }),
      load: {
        name: "restore",
        image: b.image,
        command: ["/bin/sh", "/scripts/restore.sh"],
        env: [
          { name: "RESTORE_WORK_DIR", value: SCRATCH },
          ...superuserEnv(r, ctx, rwHost),
          passphrase(ctx),
        ],
        resources: b.resources,
        volumeMounts: [scriptsMount, { name: "scratch", mountPath: SCRATCH }],
        security: runAs(r, b.imageUser),
      },
    },
    [{ name: "scratch", emptyDir: { sizeLimit: b.scratchSize } }],
  );

  const download = `${DATA_DIR}/pitr-download`;
  const pitr = job(
    "pitr",
    {
      fetch: fetch("pitr", download, { name: "data", mountPath: DATA_DIR }),
      load: {
        name: "prepare",
        image: b.image,
        command: ["/bin/sh", "/scripts/pitr-prepare.sh"],
        env: [
          { name: "PGDATA", value: `${DATA_DIR}/pgdata` },
          { name: "RESTORE_WORK_DIR", value: download },
          { name: "WAL_RESTORE_DIR", value: WAL_RESTORE_DIR },
          passphrase(ctx),
        ],
        resources: b.resources,
        volumeMounts: [scriptsMount, { name: "data", mountPath: DATA_DIR }],
        // As the server's user (70), whatever the image's: PostgreSQL starts only on a data directory it owns.
        security: ctx.security,
      },
    },
    // The stopped primary's volume (the StatefulSet's claim "data", pod 0).
    [{ name: "data", persistentVolumeClaim: { claimName: `data-${childName(r.name, "primary")}-0` } }],
  );

  return new k8s.core.v1.ConfigMap(
    childName(r.name, "restore"),
    { metadata: { namespace: r.namespace, labels: labels.labels }, data: { "restore-job.yaml": restore, "pitr-job.yaml": pitr } },
    { parent, provider: r.target.provider },
  );
}
