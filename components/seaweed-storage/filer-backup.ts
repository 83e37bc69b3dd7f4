/**
 * The filer's metadata backup on Kubernetes: a CronJob saving `fs.meta.save` to a volume of its
 * own (PVC `<store>-filer-backup`), and a ready-made restore Job rendered into ConfigMap
 * `<store>-filer-restore` (never applied by keel: docs/data-stores.md, "Restoring the filer").
 *
 * The copies are not kept in a bucket: a bucket's entries live in the very filer store they would
 * restore, so after losing that store they could not be found.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { childName } from "../core/naming";
import type { NetworkRule } from "../core/network";
import type { ResolvedSecurity } from "../core/security";
import { memberLabels, statefulOptions } from "../workload/data-store";
import { createJob, oneOffJobManifest } from "../workload/job";
import type { ResolvedSeaweed } from "./resolve";
import { filerMetaBackupScript, filerMetaRestoreScript } from "./scripts";

export const FILER_BACKUP_DIR = "/backup";

export interface FilerBackupContext {
  readonly security: ResolvedSecurity;
  /** Every master, `host:9333,...`. */
  readonly masters: pulumi.Input<string>;
  /** The filer Service, `host:8888`. */
  readonly filer: pulumi.Input<string>;
  /** Reaching the store's masters and filer (HTTP and gRPC). */
  readonly internal: NetworkRule;
}

export interface FilerBackup {
  readonly claimName: pulumi.Output<string>;
  readonly restoreManifests: k8s.core.v1.ConfigMap;
}

export function createFilerBackup(parent: pulumi.Resource, r: ResolvedSeaweed, ctx: FilerBackupContext): FilerBackup | undefined {
  const b = r.metadataBackup;
  if (!b) return undefined;
  const opts = { parent, provider: r.target.provider };
  const name = childName(r.name, "filer-backup");
  const labels = memberLabels(r, "filer-backup", "backup", r.image);
  const scripts = new k8s.core.v1.ConfigMap(
    childName(name, "scripts"),
    { metadata: { namespace: r.namespace, labels: labels.labels }, data: { "filer-meta-backup.sh": filerMetaBackupScript(), "filer-meta-restore.sh": filerMetaRestoreScript() } },
    opts,
  );
  const claim = new k8s.core.v1.PersistentVolumeClaim(
    childName(name, "volume"),
    {
      metadata: { name, namespace: r.namespace, labels: labels.labels },
      spec: { accessModes: ["ReadWriteOnce"], storageClassName: b.storage.storageClass ?? r.target.storageClass, resources: { requests: { storage: b.storage.size } } },
    },
    { ...opts, ...statefulOptions(r.protect) },
  );
  const env = [
    { name: "MASTER", value: ctx.masters },
    { name: "FILER", value: ctx.filer },
    { name: "BACKUP_DIR", value: FILER_BACKUP_DIR },
  ];
  const mounts = [
    { name: "scripts", mountPath: "/scripts", readOnly: true },
    { name: "backup", mountPath: FILER_BACKUP_DIR },
  ];
  const volumes = [
    { name: "scripts", configMap: { name: scripts.metadata.name, defaultMode: 0o555 } },
    { name: "backup", persistentVolumeClaim: { claimName: claim.metadata.name } },
  ];
  createJob(parent, r.target, {
    name,
    namespace: r.namespace,
    labels: labels.labels,
    selector: labels.selector,
    security: ctx.security,
    schedule: b.schedule,
    backoffLimit: 2,
    activeDeadlineSeconds: 3600,
    containers: [{ name: "save", image: r.image, command: ["/bin/sh", "/scripts/filer-meta-backup.sh"], env: [...env, { name: "KEEP", value: String(b.keep) }], resources: r.resources.filer, volumeMounts: mounts }],
    volumes,
    allowTo: [ctx.internal],
  });

  // The restore Job: the backup's labels (so its NetworkPolicy reaches the masters and the filer),
  // its ServiceAccount and volume; RESTORE_FROM "latest" or a file name from the volume.
  const restore = oneOffJobManifest({
    generateName: `${childName(r.name, "filer-restore")}-`,
    namespace: r.namespace,
    labels: labels.labels,
    serviceAccountName: name,
    security: ctx.security,
    containers: [{ name: "load", image: r.image, command: ["/bin/sh", "/scripts/filer-meta-restore.sh"], env: [...env, { name: "RESTORE_FROM", value: "latest" }], resources: r.resources.filer, volumeMounts: mounts }],
    volumes,
  });
  const restoreManifests = new k8s.core.v1.ConfigMap(
    childName(r.name, "filer-restore"),
    { metadata: { name: childName(r.name, "filer-restore"), namespace: r.namespace, labels: labels.labels }, data: { "restore-job.yaml": restore } },
    opts,
  );
  return { claimName: claim.metadata.name, restoreManifests };
}
