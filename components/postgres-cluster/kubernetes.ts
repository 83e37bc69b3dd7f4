/** PostgresCluster on Kubernetes: primary + replica StatefulSets, rw/ro Services, backups. */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Validator } from "../core/errors";
import { childName } from "../core/naming";
import type { NetworkRule } from "../core/network";
import { resolveResources } from "../core/resources";
import { resolveSecurity } from "../core/security";
import { ClientAccess, DATA_EMPTY_DIR, generatedPassword, memberLabels, namedSecret, spreadMembers, statefulOptions } from "../workload/data-store";
import { serverCertificate } from "../workload/tls";
import { mirrorRules } from "../workload/network-access";
import { CreatedWorkload, ContainerSpec, createWorkload, scrapedBy } from "../workload/workload";
import { pgHbaConf, postgresqlConf } from "./config";
import { POSTGRES_DEFAULTS, ResolvedPostgres, serverSettings } from "./resolve";
import { BackupContext, DATA_DIR, SPOOL_DIR, backupSecretData, createBackupJob, createS3Roles, walHelpers, walShippingRules } from "./backup-kubernetes";
import { backupDumpScript, backupUploadScript, walEncryptScript, walUploadScript } from "./backup-scripts";
import { createRestoreManifests } from "./restore-kubernetes";
import { pitrPrepareScript, restoreFetchScript, restoreScript } from "./restore-scripts";
import { exporterQueries } from "./metrics";
import { initRolesScript, replicaBootstrapScript, walArchiveScript } from "./scripts";

import EnvVar = k8s.types.input.core.v1.EnvVar;

const PORT = 5432;
const EXPORTER_PORT = 9187;
const PGDATA = `${DATA_DIR}/pgdata`;
const TLS_DIR = "/etc/postgresql/tls";
/** The exporter's extra queries (replication slots), a key of the config ConfigMap. */
const EXPORTER_QUERIES = "exporter-queries.yaml";
const SIDECAR_RESOURCES = { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "250m", memory: "128Mi" } };
/** Each WAL helper (gzip + openssl, or curl, on 16 MiB segments): the two together cost what one sidecar does. */
const HELPER_RESOURCES = { requests: { cpu: "25m", memory: "32Mi" }, limits: { cpu: "125m", memory: "64Mi" } };

export interface PostgresDeployment {
  readonly primary: CreatedWorkload;
  readonly replica?: CreatedWorkload;
  readonly clients: ClientAccess;
  readonly credentials: k8s.core.v1.Secret;
  readonly passwords: { readonly app: pulumi.Output<string>; readonly superuser: pulumi.Output<string>; readonly backup?: pulumi.Output<string> };
  readonly backupJob?: k8s.batch.v1.CronJob;
}

const secretRef = (name: pulumi.Input<string>, key: string) => ({ valueFrom: { secretKeyRef: { name, key } } });

export function deployPostgres(parent: pulumi.ComponentResource, r: ResolvedPostgres): PostgresDeployment {
  const opts = { parent, provider: r.target.provider };
  const common = memberLabels(r, "cluster", "database", r.image);
  const passwords = {
    superuser: generatedPassword(parent, r, "superuser"),
    replication: generatedPassword(parent, r, "replication"),
    metrics: generatedPassword(parent, r, "metrics"),
    app: generatedPassword(parent, r, "app"),
  };
  const credentialsName = childName(r.name, "credentials");
  const credentials = namedSecret(parent, r.target, credentialsName, r.namespace, common.labels, {
    "superuser-password": passwords.superuser,
    "replication-password": passwords.replication,
    "metrics-password": passwords.metrics,
    "app-password": passwords.app,
  }, r.protect);
  const creds = credentials.metadata.name;
  const tlsSecret = !r.tls
    ? undefined
    : r.tls.secretName
      ? pulumi.output(r.tls.secretName)
      : serverCertificate(parent, r.target, {
          name: r.name,
          namespace: r.namespace,
          labels: common.labels,
          dnsNames: ["rw", "ro"].flatMap((svc) => [pulumi.interpolate`${r.name}-${svc}.${r.namespace}.svc.cluster.local`, pulumi.interpolate`${r.name}-${svc}.${r.namespace}.svc`]),
          protect: r.protect,
        });
  const configMap = new k8s.core.v1.ConfigMap(
    childName(r.name, "config"),
    {
      metadata: { namespace: r.namespace, labels: common.labels },
      data: {
        "postgresql.conf": postgresqlConf({
          ...serverSettings(r),
          archive: r.backup?.walArchiving ? { script: "/scripts/wal-archive.sh", spoolDir: SPOOL_DIR, limitBytes: r.backup.walSpoolLimitBytes } : undefined,
          tls: tlsSecret ? { certFile: `${TLS_DIR}/tls.crt`, keyFile: `${TLS_DIR}/tls.key` } : undefined,
        }),
        "pg_hba.conf": pgHbaConf({ clientCidrs: r.clientCidrs, replicationUser: POSTGRES_DEFAULTS.replicationUser, requireTls: tlsSecret !== undefined }),
        [EXPORTER_QUERIES]: exporterQueries(),
      },
    },
    opts,
  );
  // An S3 bucket on AWS: the upload steps authenticate as their ServiceAccount's IAM role (IRSA), not with keys.
  const s3 = { irsa: r.backup?.irsa !== undefined };
  const scripts = new k8s.core.v1.ConfigMap(
    childName(r.name, "scripts"),
    {
      metadata: { namespace: r.namespace, labels: common.labels },
      data: {
        "10-keel-roles.sh": initRolesScript(),
        "replica-bootstrap.sh": replicaBootstrapScript(),
        "wal-archive.sh": walArchiveScript(),
        "wal-encrypt.sh": walEncryptScript(),
        "wal-upload.sh": walUploadScript(s3),
        "backup-dump.sh": backupDumpScript(),
        "backup-upload.sh": backupUploadScript(s3),
        "restore-fetch.sh": restoreFetchScript(s3),
        "restore.sh": restoreScript(),
        "pitr-prepare.sh": pitrPrepareScript(),
      },
    },
    opts,
  );
  let backupSecret: pulumi.Output<string> | undefined;
  let passphrase: pulumi.Output<string> | undefined;
  if (r.backup) {
    passphrase = r.backup.passphrase !== undefined ? pulumi.secret(r.backup.passphrase) : generatedPassword(parent, r, "backup-passphrase", 48);
    backupSecret = namedSecret(parent, r.target, childName(r.name, "backup"), r.namespace, common.labels, backupSecretData(r.backup, passphrase), r.protect).metadata.name;
  }
  const s3Roles = r.backup ? createS3Roles(parent, r, r.backup) : undefined;

  const v = new Validator("PostgresCluster", r.name);
  const security = resolveSecurity(v, "security", { runAsUser: POSTGRES_DEFAULTS.uid, runAsGroup: POSTGRES_DEFAULTS.uid, fsGroup: POSTGRES_DEFAULTS.uid });
  const exporterSecurity = resolveSecurity(v, "security", { runAsUser: 65534, runAsGroup: 65534, fsGroup: POSTGRES_DEFAULTS.uid });
  const sidecarResources = resolveResources(v, "sidecar", SIDECAR_RESOURCES);
  const monitoring = scrapedBy(r.target, EXPORTER_PORT);
  // Replicas stream from the primary (and bootstrap from it) on 5432.
  const replicaPods: NetworkRule = { peer: { kind: "workload", name: childName(r.name, "replica"), namespace: r.namespace, podLabels: memberLabels(r, "replica", "database").selector }, ports: [{ port: PORT }] };

  const serverEnv = (role: "primary" | "replica"): EnvVar[] => [
    { name: "PGDATA", value: PGDATA },
    { name: "POSTGRES_USER", value: "postgres" },
    { name: "POSTGRES_PASSWORD", ...secretRef(creds, "superuser-password") },
    ...(role === "primary"
      ? [
          { name: "POSTGRES_INITDB_ARGS", value: "--data-checksums --auth-local=scram-sha-256 --auth-host=scram-sha-256" },
          { name: "REPLICATION_USER", value: POSTGRES_DEFAULTS.replicationUser },
          { name: "REPLICATION_PASSWORD", ...secretRef(creds, "replication-password") },
          { name: "METRICS_USER", value: POSTGRES_DEFAULTS.metricsUser },
          { name: "METRICS_PASSWORD", ...secretRef(creds, "metrics-password") },
          { name: "APP_USER", value: r.username },
          { name: "APP_PASSWORD", ...secretRef(creds, "app-password") },
          { name: "APP_DATABASE", value: r.database },
        ]
      : []),
  ];
  const ready = ["pg_isready", "--host", "127.0.0.1", "--port", String(PORT)];
  const server = (role: "primary" | "replica"): ContainerSpec => ({
    name: "postgres",
    image: r.image,
    args: ["postgres", "-c", "config_file=/etc/postgresql/postgresql.conf", "-c", "hba_file=/etc/postgresql/pg_hba.conf"],
    ports: [{ name: "postgres", containerPort: PORT }],
    env: serverEnv(role),
    resources: r.resources,
    startup: { exec: { command: ready }, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 60 },
    liveness: { tcpSocket: { port: PORT }, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 6 },
    readiness: { exec: { command: ready }, periodSeconds: 5, timeoutSeconds: 5, failureThreshold: 3 },
    volumeMounts: [
      { name: "data", mountPath: DATA_DIR },
      { name: "config", mountPath: "/etc/postgresql", readOnly: true },
      { name: "run", mountPath: "/var/run/postgresql" },
      // Dynamic shared memory (parallel query): memory-backed, sized, instead of the runtime's 64 MiB.
      { name: "shm", mountPath: "/dev/shm" },
      // wal-archive.sh, the archive_command.
      { name: "scripts", mountPath: "/scripts", readOnly: true },
      ...(tlsSecret ? [{ name: "tls", mountPath: TLS_DIR, readOnly: true }] : []),
      ...(role === "primary" ? [{ name: "initdb", mountPath: "/docker-entrypoint-initdb.d", readOnly: true }] : []),
    ],
  });
  const exporter: ContainerSpec = {
    name: "exporter",
    image: r.exporterImage,
    ports: [{ name: "metrics", containerPort: EXPORTER_PORT }],
    env: [
      { name: "DATA_SOURCE_URI", value: `127.0.0.1:${PORT}/postgres?sslmode=${tlsSecret ? "require" : "disable"}` },
      { name: "DATA_SOURCE_USER", value: POSTGRES_DEFAULTS.metricsUser },
      { name: "DATA_SOURCE_PASS", ...secretRef(creds, "metrics-password") },
      { name: "PG_EXPORTER_EXTEND_QUERY_PATH", value: `/etc/postgres-exporter/${EXPORTER_QUERIES}` },
    ],
    volumeMounts: [{ name: "exporter-queries", mountPath: "/etc/postgres-exporter", readOnly: true }],
    resources: sidecarResources,
    liveness: { tcpSocket: { port: EXPORTER_PORT }, periodSeconds: 20 },
    readiness: { httpGet: { path: "/", port: EXPORTER_PORT }, periodSeconds: 10 },
    security: exporterSecurity,
  };
  const backupContext: BackupContext | undefined = backupSecret
    ? { scripts: scripts.metadata.name, backupSecret, s3Roles, credentials: creds, security, helperResources: resolveResources(v, "helpers", HELPER_RESOURCES), port: PORT }
    : undefined;
  const shipping = r.backup?.walArchiving && backupContext ? { ...walHelpers(r, r.backup, backupContext), allowTo: walShippingRules(r.backup) } : undefined;
  const volumes = [
    { name: "config", configMap: { name: configMap.metadata.name } },
    { name: "scripts", configMap: { name: scripts.metadata.name, defaultMode: 0o555 } },
    { name: "initdb", configMap: { name: scripts.metadata.name, defaultMode: 0o555, items: [{ key: "10-keel-roles.sh", path: "10-keel-roles.sh" }] } },
    { name: "run", emptyDir: { sizeLimit: POSTGRES_DEFAULTS.runDirSize } },
    // tmpfs: what PostgreSQL writes there counts against the memory limit (work_mem is derived net of it).
    { name: "shm", emptyDir: { medium: "Memory", sizeLimit: r.sharedMemory.size } },
    ...(r.metrics ? [{ name: "exporter-queries", configMap: { name: configMap.metadata.name, items: [{ key: EXPORTER_QUERIES, path: EXPORTER_QUERIES }] } }] : []),
    // The key must not be world-readable: 0440, group = fsGroup (postgres).
    ...(tlsSecret ? [{ name: "tls", secret: { secretName: tlsSecret, defaultMode: 0o440 } }] : []),
    ...(r.storage ? [] : [DATA_EMPTY_DIR]),
  ];

  const annotations = (role: "primary" | "replica", replicas: number): Record<string, string> | undefined => {
    const a: Record<string, string> = {};
    if (replicas < 2) {
      a["exempt.keel.dev/replicas-minimum"] =
        role === "primary"
          ? "PostgreSQL has exactly one writer; reads fail over to the -ro replicas and the primary restarts on its own volume"
          : "read replicas add read capacity; with one, the primary still serves every query";
    }
    if (role === "primary" && shipping) {
      a["exempt.keel.dev/container-probes"] =
        "the wal-encrypt and wal-upload helpers expose no port and must not make the database unready when the object store fails (a pod is Ready only when every container is): they retry with backoff and report the WAL spool's metrics; the server keeps its probes";
    }
    return Object.keys(a).length > 0 ? a : undefined;
  };
  const member = (role: "primary" | "replica", replicas: number, extra: { allowFrom: NetworkRule[]; allowTo: NetworkRule[]; initContainers?: Parameters<typeof createWorkload>[2]["initContainers"] }) => {
    const labels = memberLabels(r, role, "database", r.image);
    return createWorkload(parent, r.target, {
      kind: "StatefulSet",
      name: childName(r.name, role),
      serviceName: childName(r.name, role === "primary" ? "rw" : "ro"),
      namespace: r.namespace,
      labels: labels.labels,
      selector: labels.selector,
      replicas,
      security,
      podManagementPolicy: "OrderedReady",
      affinity: spreadMembers(r.clusterSelector),
      annotations: annotations(role, replicas),
      terminationGracePeriodSeconds: 60,
      initContainers: extra.initContainers,
      containers: [server(role), ...(r.metrics ? [exporter] : []), ...(role === "primary" && shipping ? shipping.containers : [])],
      volumes: role === "primary" && shipping ? [...volumes, ...shipping.volumes] : volumes,
      volumeClaims: r.storage ? [{ name: "data", size: r.storage.size, storageClass: r.storage.storageClass }] : [],
      workloadOptions: statefulOptions(r.protect),
      servicePorts: [{ name: "postgres", port: PORT }],
      metrics: r.metrics ? { port: EXPORTER_PORT, path: "/metrics" } : undefined,
      allowFrom: [...(r.metrics ? [monitoring] : []), ...extra.allowFrom],
      allowTo: extra.allowTo,
    });
  };

  const primary = member("primary", 1, { allowFrom: r.replicas > 0 ? [replicaPods] : [], allowTo: shipping?.allowTo ?? [] });
  if (shipping) mirrorRules({ networkPeer: primary.peer, networkPorts: primary.ports }, [], shipping.allowTo);
  const rwHost = pulumi.interpolate`${primary.service.metadata.name}.${r.namespace}.svc.cluster.local`;
  let replica: CreatedWorkload | undefined;
  if (r.replicas > 0) {
    replica = member("replica", r.replicas, {
      allowFrom: [],
      allowTo: [{ peer: primary.peer, ports: [{ port: PORT }] }],
      initContainers: [
        {
          name: "bootstrap",
          image: r.image,
          command: ["/bin/sh", "/scripts/replica-bootstrap.sh"],
          env: [
            { name: "PGDATA", value: PGDATA },
            { name: "PRIMARY_HOST", value: rwHost },
            { name: "PRIMARY_PORT", value: String(PORT) },
            { name: "REPLICATION_USER", value: POSTGRES_DEFAULTS.replicationUser },
            { name: "REPLICATION_PASSWORD", ...secretRef(creds, "replication-password") },
            // Its replication slot on the primary is named after the pod.
            { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
          ],
          resources: sidecarResources,
          volumeMounts: [{ name: "data", mountPath: DATA_DIR }, { name: "run", mountPath: "/var/run/postgresql" }, { name: "scripts", mountPath: "/scripts", readOnly: true }],
        },
      ],
    });
  }
  // Clients reach the servers (primary and replicas), not the backup job's pods.
  const clients = new ClientAccess(parent, r, [{ port: PORT }], r.allowFrom, common.labels, { ...r.clusterSelector, "app.kubernetes.io/component": "database" });
  mirrorRules(clients, r.allowFrom, []);

  const backupJob = r.backup && backupContext ? createBackupJob(parent, r, r.backup, backupContext, clients, rwHost) : undefined;
  if (r.backup && backupContext) createRestoreManifests(parent, r, r.backup, backupContext, rwHost);
  return { primary, replica, clients, credentials, passwords: { app: passwords.app, superuser: passwords.superuser, backup: passphrase }, backupJob };
}
