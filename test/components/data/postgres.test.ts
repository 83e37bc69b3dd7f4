import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { ApiService, MetricsPushTarget, PostgresCluster, PostgresClusterArgs, PRIVATE_POD_CIDRS, defaultAlertRules, peers, postgresqlSettings, pgHbaConf } from "../../../components";
import { integrityProblems } from "../../helpers/integrity";
import { backupStore, testPlatform } from "../../helpers/platform";
import { schemaProblems } from "../../helpers/schema";
import { at, synthesize, unwrap } from "../../helpers/synth";

type Obj = Record<string, unknown>;

const pushgateway: MetricsPushTarget = {
  url: "http://obs-pushgateway.monitoring.svc.cluster.local:9091",
  endpoint: { networkPeer: peers.workload("obs-pushgateway", "monitoring", { "app.kubernetes.io/name": "pushgateway" }), networkPorts: [{ port: 9091 }] },
};
const envOf = (container: unknown) => Object.fromEntries((at(container, "env") as Obj[]).map((e) => [e.name, e.value ?? e.valueFrom]));

const store = backupStore;

type Synthesized = Awaited<ReturnType<typeof synthesize>>;
const configOf = (s: Synthesized) => s.all("ConfigMap").find((c) => (c.data as Obj)?.["postgresql.conf"])?.data as Record<string, string>;
/** The lines of the error a PostgresCluster with `args` throws ([] when none). */
async function thrown(args: Partial<PostgresClusterArgs>): Promise<string[]> {
  let lines: string[] = [];
  await synthesize(() => {
    try {
      new PostgresCluster("db", { platform: testPlatform(), ...args });
    } catch (e) {
      lines = (e as Error).message.split("\n");
    }
  });
  return lines;
}

function cluster(args: Partial<PostgresClusterArgs> = {}) {
  return synthesize(() => {
    const platform = testPlatform({ storageClass: "standard" });
    const db = new PostgresCluster("db", { platform, replicas: 1, backup: { storage: store(), metrics: pushgateway }, ...args });
    new ApiService("api", { platform, image: "ghcr.io/acme/api:1.0.0", connections: [db.connection] });
  });
}

describe("PostgresCluster on Kubernetes", () => {
  it("runs a primary and streaming replicas behind rw/ro Services, schema-valid and consistent", async () => {
    const s = await cluster({ replicas: 2 });
    expect(s.objects.map(schemaProblems).filter(Boolean)).toEqual([]);
    expect(integrityProblems(s.objects)).toEqual([]);
    const primary = s.object("StatefulSet", "db-primary");
    const replica = s.object("StatefulSet", "db-replica");
    expect(at(primary, "spec.replicas")).toBe(1);
    expect(at(replica, "spec.replicas")).toBe(2);
    expect(at(s.object("Service", "db-rw"), "spec.selector")).toEqual(at(primary, "spec.selector.matchLabels"));
    expect(at(s.object("Service", "db-ro"), "spec.selector")).toEqual(at(replica, "spec.selector.matchLabels"));
    expect(at(replica, "spec.template.spec.initContainers.0.command")).toEqual(["/bin/sh", "/scripts/replica-bootstrap.sh"]);
    expect(at(replica, "spec.template.spec.initContainers.0.env.1.value")).toBe("db-rw.data.svc.cluster.local");
    expect(at(primary, "spec.volumeClaimTemplates.0.spec")).toMatchObject({ storageClassName: "standard", resources: { requests: { storage: "10Gi" } } });
    expect(at(primary, "spec.persistentVolumeClaimRetentionPolicy")).toEqual({ whenDeleted: "Retain", whenScaled: "Retain" });
    expect(at(primary, "spec.template.spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution.0.podAffinityTerm.labelSelector.matchLabels")).toEqual({ "app.kubernetes.io/name": "db", "app.kubernetes.io/part-of": "shop" });
    const containers = (at(primary, "spec.template.spec.containers") as Obj[]).map((c) => c.name);
    expect(containers).toEqual(["postgres", "exporter", "wal-encrypt", "wal-upload"]);
  });

  it("generates its configuration from the args: sizing from the memory limit, replication, archiving", async () => {
    const s = await cluster({ resources: { limits: { memory: "8Gi", cpu: "4" }, requests: { memory: "2Gi", cpu: "1" } }, maxConnections: 200 });
    const conf = configOf(s)["postgresql.conf"];
    expect(conf).toMatch(/^shared_buffers = '2048MB'$/m);
    expect(conf).toMatch(/^effective_cache_size = '6144MB'$/m);
    expect(conf).toMatch(/^max_connections = 200$/m);
    expect(conf).toMatch(/^hot_standby = on$/m);
    expect(conf).toMatch(/^wal_level = 'replica'$/m);
    expect(conf).toMatch(/^archive_mode = on$/m);
    expect(conf).toMatch(/^archive_command = '\/bin\/sh \/scripts\/wal-archive\.sh %p %f \/var\/lib\/postgresql\/data\/wal-spool 1073741824'$/m);
  });

  it("schedules the encrypted backup daily at 03:00 UTC with 30 days' retention (seed 003)", async () => {
    const s = await cluster();
    const cron = s.object("CronJob", "db-backup");
    expect(at(cron, "spec")).toMatchObject({ schedule: "0 3 * * *", timeZone: "Etc/UTC", concurrencyPolicy: "Forbid" });
    const dump = envOf(at(cron, "spec.jobTemplate.spec.template.spec.initContainers.0"));
    const upload = envOf(at(cron, "spec.jobTemplate.spec.template.spec.containers.0"));
    expect(dump).toMatchObject({ PGDATABASE: "db", PGHOST: "db-rw.data.svc.cluster.local", BASE_BACKUP: "1", BACKUP_WORK_DIR: "/var/lib/postgresql/data" });
    expect(upload).toMatchObject({ RETENTION_DAYS: "30", S3_BUCKET: "shop-backups", BACKUP_WORK_DIR: "/scratch", PUSHGATEWAY_URL: pushgateway.url, BACKUP_NAME: "db-backup" });
    expect(upload.AWS_SECRET_ACCESS_KEY).toEqual({ secretKeyRef: { name: "db-backup", key: "secret-access-key" } });
    expect(dump.BACKUP_PASSPHRASE).toEqual({ secretKeyRef: { name: "db-backup", key: "passphrase" } });
    // Each step gets only what it needs: the uploader no database password and no passphrase, the dump no S3 key.
    expect([upload.PGPASSWORD, upload.BACKUP_PASSPHRASE, dump.AWS_SECRET_ACCESS_KEY]).toEqual([undefined, undefined, undefined]);
    const pod = at(cron, "spec.jobTemplate.spec.template.spec") as Obj;
    expect(pod).toMatchObject({ restartPolicy: "Never", automountServiceAccountToken: false, serviceAccountName: "db-backup", securityContext: { runAsNonRoot: true, runAsUser: 70 } });
    for (const c of ["initContainers.0", "containers.0"]) expect(at(pod, `${c}.securityContext`)).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } });
    expect(at(pod, "volumes")).toContainEqual({ name: "scratch", emptyDir: { sizeLimit: "10Gi" } });
    // The job reaches the primary, the object store and nothing else (besides DNS).
    expect(s.all("NetworkPolicy").filter((p) => p.metadata.name.startsWith("db-backup")).map((p) => p.metadata.name).sort()).toEqual(["db-backup-netpol", "db-backup-to-cidr-0-0-0-0-0", "db-backup-to-db", "db-backup-to-obs-pushgateway"]);
  });

  it("gives the API a secret DATABASE_URL and DATABASE_READ_URL, and opens 5432 on both sides", async () => {
    const s = await cluster();
    const secret = s.all("Secret").find((o) => o.metadata.namespace === "shop" && o.metadata.name.startsWith("api-env"));
    expect(Object.keys((secret?.stringData ?? {}) as Obj).sort()).toEqual(["DATABASE_READ_URL", "DATABASE_URL"]);
    const recorded = s.resources.find((r) => r.type === "kubernetes:core/v1:Secret" && r.name === "api-env");
    const url = unwrap((recorded?.inputs as Obj).stringData) as Obj;
    expect(url.DATABASE_URL).toMatch(/^postgresql:\/\/db:[A-Za-z0-9]{32}@db-rw\.data\.svc\.cluster\.local:5432\/db$/);
    expect(url.DATABASE_READ_URL).toMatch(/@db-ro\.data\.svc\.cluster\.local:5432\/db$/);
    expect(s.written()).not.toContain(String(url.DATABASE_URL).split(":")[2].split("@")[0]);
    const apiPolicy = s.object("NetworkPolicy", "api-netpol");
    expect(at(apiPolicy, "spec.egress") as Obj[]).toContainEqual({ to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "data" } }, podSelector: { matchLabels: { "app.kubernetes.io/name": "db", "app.kubernetes.io/part-of": "shop", "app.kubernetes.io/component": "database" } } }], ports: [{ port: 5432, protocol: "TCP" }] });
    const fromApi = s.object("NetworkPolicy", "db-clients-from-api");
    expect(at(fromApi, "spec.ingress.0.from.0.namespaceSelector.matchLabels")).toEqual({ "kubernetes.io/metadata.name": "shop" });
  });

  it("has no replica StatefulSet, no ro URL and no backup when asked for none", async () => {
    const s = await cluster({ replicas: 0, backup: undefined });
    expect(s.all("StatefulSet").map((o) => o.metadata.name)).toEqual(["db-primary"]);
    expect(s.all("CronJob")).toEqual([]);
    expect(s.all("Service").map((o) => o.metadata.name)).not.toContain("db-ro");
  });
});

describe("TLS", () => {
  it("serves TLS only, with a certificate from a namespace CA, and asks clients for sslmode=require", async () => {
    const s = await cluster({ tls: true });
    expect(s.objects.map(schemaProblems).filter(Boolean)).toEqual([]);
    expect(integrityProblems(s.objects)).toEqual([]);
    expect(at(s.object("Certificate", "db-tls"), "spec.dnsNames")).toEqual(["db-rw.data.svc.cluster.local", "db-rw.data.svc", "db-ro.data.svc.cluster.local", "db-ro.data.svc"]);
    const data = s.all("ConfigMap").find((c) => (c.data as Obj)?.["postgresql.conf"])?.data as Obj;
    expect(String(data["postgresql.conf"])).toMatch(/^ssl = on\nssl_cert_file = '\/etc\/postgresql\/tls\/tls\.crt'\nssl_key_file = '\/etc\/postgresql\/tls\/tls\.key'\nssl_min_protocol_version = 'TLSv1\.2'$/m);
    expect(String(data["pg_hba.conf"]).split("\n").filter((l) => /^host/.test(l)).every((l) => l.startsWith("hostssl"))).toBe(true);
    const primary = s.object("StatefulSet", "db-primary");
    expect(at(primary, "spec.template.spec.volumes")).toContainEqual({ name: "tls", secret: { secretName: "db-tls", defaultMode: 0o440 } });
    expect(at(primary, "spec.template.spec.containers.1.env.0.value")).toBe("127.0.0.1:5432/postgres?sslmode=require");
    const env = unwrap((s.resources.find((r) => r.type === "kubernetes:core/v1:Secret" && r.name === "api-env")?.inputs as Obj).stringData) as Obj;
    expect(env.DATABASE_URL).toMatch(/@db-rw\.data\.svc\.cluster\.local:5432\/db\?sslmode=require$/);
  });

  it("needs cert-manager or a Secret", async () => {
    await synthesize(() => {
      expect(() => new PostgresCluster("db", { platform: testPlatform({ operators: { certManager: false } }), tls: true })).toThrow(
        'PostgresCluster "db": tls is true; expected { secretName } of a kubernetes.io/tls Secret, or cert-manager on the platform (operators.certManager) to issue the certificate',
      );
    });
  });
});

describe("the backup passphrase", () => {
  it("is exported as a secret (no restore without it) and can come from the user's vault", async () => {
    let generated: PostgresCluster | undefined;
    const s = await synthesize(() => {
      const platform = testPlatform();
      generated = new PostgresCluster("db", { platform, backup: { storage: store() } });
      new PostgresCluster("db2", { platform, backup: { storage: store(), passphrase: "from-the-vault-0123456789" } });
    });
    const out = generated?.backupPassphrase as pulumi.Output<string>;
    expect(await pulumi.isSecret(out)).toBe(true);
    const secretOf = (name: string) => unwrap((s.resources.find((r) => r.type === "kubernetes:core/v1:Secret" && r.name === name)?.inputs as Obj).stringData) as Obj;
    expect(secretOf("db-backup").passphrase).toBe(await new Promise((resolve) => out.apply(resolve)));
    expect(String(secretOf("db-backup").passphrase)).toMatch(/^[A-Za-z0-9]{48}$/);
    expect(secretOf("db2-backup").passphrase).toBe("from-the-vault-0123456789");
    expect(s.written()).not.toContain("from-the-vault-0123456789");
  });
});

describe("PostgresCluster validation", () => {
  it("rejects a replica count on a cluster without storage", async () => {
    expect(await thrown({ storage: false, replicas: 2 })).toEqual([
      'PostgresCluster "db": replicas is 2; expected 0 when storage is false (a replica without a volume would copy the whole primary again at every restart); give the cluster storage',
    ]);
  });
  it("names every bad field at once", async () => {
    expect(await thrown({ image: "postgres", replicas: -1, maxConnections: 3, parameters: { wal_level: "minimal" }, backup: { storage: { ...store(), bucket: "B" }, image: "x:1", schedule: "daily", retentionDays: 0 } })).toEqual([
      'PostgresCluster "db": image is "postgres"; expected a pinned tag or digest, e.g. "ghcr.io/org/app:1.4.2" or "app@sha256:..."',
      'PostgresCluster "db": replicas is -1; expected an integer from 0 to 15',
      'PostgresCluster "db": maxConnections is 3; expected an integer from 10 to 5000',
      'PostgresCluster "db": parameters.wal_level is "minimal"; expected no value: keel manages wal_level (it is what makes replication, backups and access work)',
      'PostgresCluster "db": backup.schedule is "daily"; expected 5 fields (minute hour day-of-month month day-of-week) such as "0 3 * * *", or @hourly, @daily, @weekly, @monthly, @yearly (UTC)',
      'PostgresCluster "db": backup.retentionDays is 0; expected an integer from 1 to 3650',
      'PostgresCluster "db": backup.storage.bucket is "B"; expected an S3 bucket name (3-63 lowercase letters, digits, \'.\', \'-\')',
    ]);
  });
  it("registers nothing when the args are bad", async () => {
    const s = await synthesize(() => {
      try {
        new PostgresCluster("db", { platform: { kind: "kubernetes", name: "x", kubernetes: testPlatform().kubernetes }, replicas: 99 });
      } catch {
        /* expected */
      }
    });
    expect(s.resources.filter((r) => r.type.startsWith("keel:components:PostgresCluster"))).toEqual([]);
  });
});

describe("generated configuration", () => {
  it("never trusts: every pg_hba line uses scram-sha-256", () => {
    const lines = pgHbaConf({ clientCidrs: ["10.0.0.0/8"], replicationUser: "replicator" }).split("\n").filter((l) => l && !l.startsWith("#"));
    expect(lines.length).toBe(5);
    for (const l of lines) expect(l).toMatch(/scram-sha-256$/);
  });
  it("sizes memory from the limit and keeps work_mem at least 4MB", () => {
    const s = postgresqlSettings({ memoryBytes: 512 * 1024 ** 2, maxConnections: 1000, replicas: 0, walKeepSize: "1GB", maxSlotWalKeepSize: "1GB" });
    expect(s).toMatchObject({ shared_buffers: "128MB", effective_cache_size: "384MB", work_mem: "4MB", maintenance_work_mem: "32MB", archive_mode: false });
    expect(s.archive_command).toBeUndefined();
  });
});

describe("protection", () => {
  it("protects the StatefulSets, the credentials and the backup passphrase of a protected cluster", async () => {
    const s = await synthesize(() => {
      const platform = testPlatform();
      new PostgresCluster("db", { platform, protect: true, backup: { storage: store() } });
      new PostgresCluster("dev-db", { platform });
    });
    const opts = (name: string) => {
      const r = s.resource(name);
      return { protect: r.protect, retainOnDelete: r.retainOnDelete };
    };
    expect(opts("db-primary-statefulset")).toEqual({ protect: true, retainOnDelete: true });
    expect(opts("db-credentials").protect).toBe(true);
    expect(opts("db-backup-passphrase-password").protect).toBe(true);
    expect([opts("dev-db-primary-statefulset"), opts("dev-db-credentials")]).toEqual([{ protect: false, retainOnDelete: false }, { protect: false, retainOnDelete: false }]);
  });
});

describe("backups on public images, and helpers that never make the database unready", () => {
  const containerOf = (pod: unknown, name: string) => [...((at(pod, "initContainers") as Obj[]) ?? []), ...(at(pod, "containers") as Obj[])].find((c) => c.name === name) as Obj;
  const runsAs = (c: Obj) => [at(c, "securityContext.runAsUser"), at(c, "securityContext.runAsGroup")];

  it("runs each step on the public image that has its tools, as that image's user", async () => {
    const s = await cluster();
    const primary = at(s.object("StatefulSet", "db-primary"), "spec.template.spec");
    const job = at(s.object("CronJob", "db-backup"), "spec.jobTemplate.spec.template.spec");
    const step = (pod: unknown, name: string) => {
      const c = containerOf(pod, name);
      return [name, c.image, at(c, "command.1"), ...runsAs(c)];
    };
    const steps = [step(primary, "wal-encrypt"), step(primary, "wal-upload"), step(job, "dump"), step(job, "upload")];
    expect(steps).toEqual([
      ["wal-encrypt", "postgres:16.4", "/scripts/wal-encrypt.sh", 999, 999],
      ["wal-upload", "curlimages/curl:8.10.1", "/scripts/wal-upload.sh", 100, 101],
      ["dump", "postgres:16.4", "/scripts/backup-dump.sh", 999, 999],
      ["upload", "curlimages/curl:8.10.1", "/scripts/backup-upload.sh", 100, 101],
    ]);
    // The volumes are the pod group's (fsGroup 70), which the images' users belong to.
    expect([at(primary, "securityContext.fsGroup"), at(job, "securityContext.fsGroup")]).toEqual([70, 70]);
    // The scratch volume is bounded, and reserved as the upload container's ephemeral storage (it outlives the dump).
    expect(at(containerOf(job, "upload"), "resources.requests")).toEqual({ cpu: "100m", memory: "256Mi", "ephemeral-storage": "10368Mi" });
    expect(at(job, "volumes")).toContainEqual({ name: "scratch", emptyDir: { sizeLimit: "10Gi" } });
    const scripts = s.all("ConfigMap").find((c) => (c.data as Obj)?.["wal-archive.sh"])?.data as Obj;
    expect(Object.keys(scripts).sort()).toEqual(["10-keel-roles.sh", "backup-dump.sh", "backup-upload.sh", "pitr-prepare.sh", "replica-bootstrap.sh", "restore-fetch.sh", "restore.sh", "wal-archive.sh", "wal-encrypt.sh", "wal-upload.sh"]);
  });

  it("gives the helpers no probes (only the server's readiness decides), and says why", async () => {
    const s = await cluster();
    const sts = s.object("StatefulSet", "db-primary");
    const probes = (at(sts, "spec.template.spec.containers") as Obj[]).map((c) => [c.name, c.readinessProbe !== undefined, c.livenessProbe !== undefined]);
    expect(probes).toEqual([["postgres", true, true], ["exporter", true, true], ["wal-encrypt", false, false], ["wal-upload", false, false]]);
    expect(String(at(sts, "metadata.annotations")?.["exempt.keel.dev/container-probes" as never])).toMatch(/^the wal-encrypt and wal-upload helpers expose no port and must not make the database unready/);
  });

  it("bounds the WAL spool on the data volume and lets the shipper reach the store and the Pushgateway", async () => {
    const s = await cluster({ storage: { size: "2Gi" } });
    const conf = configOf(s)["postgresql.conf"];
    expect(conf).toMatch(/^archive_command = '\/bin\/sh \/scripts\/wal-archive\.sh %p %f \/var\/lib\/postgresql\/data\/wal-spool 536870912'$/m); // a quarter of 2Gi
    const upload = envOf(containerOf(at(s.object("StatefulSet", "db-primary"), "spec.template.spec"), "wal-upload"));
    expect(upload).toMatchObject({ WAL_SPOOL_DIR: "/var/lib/postgresql/data/wal-spool", WAL_SPOOL_LIMIT_BYTES: "536870912", PUSHGATEWAY_URL: pushgateway.url, BACKUP_NAME: "db-backup", BACKUP_NAMESPACE: "data", CLUSTER_NAME: "db" });
    const egress = at(s.object("NetworkPolicy", "db-primary-netpol"), "spec.egress") as Obj[];
    expect(egress).toContainEqual({ to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"] } }], ports: [{ port: 443, protocol: "TCP" }] });
    expect(egress).toContainEqual({ to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } }, podSelector: { matchLabels: { "app.kubernetes.io/name": "pushgateway" } } }], ports: [{ port: 9091, protocol: "TCP" }] });
  });

  it("follows the server's version, and takes custom images (run as the pod's user)", async () => {
    const s = await cluster({ image: "postgres:15.8-alpine" });
    expect(at(s.object("CronJob", "db-backup"), "spec.jobTemplate.spec.template.spec.initContainers.0.image")).toBe("postgres:15.8");
    const custom = await cluster({ backup: { storage: store(), image: "ghcr.io/acme/pg-tools:16.4", uploadImage: "ghcr.io/acme/s3-curl:8.10" } });
    const job = at(custom.object("CronJob", "db-backup"), "spec.jobTemplate.spec.template.spec");
    expect([containerOf(job, "dump"), containerOf(job, "upload")].map((c) => [c.image, ...runsAs(c)])).toEqual([["ghcr.io/acme/pg-tools:16.4", 70, 70], ["ghcr.io/acme/s3-curl:8.10", 70, 70]]);
  });

  it("renders restore and point-in-time Jobs whose every reference resolves", async () => {
    const s = await cluster();
    const data = s.all("ConfigMap").find((c) => c.metadata.name.startsWith("db-restore"))?.data as Record<string, string>;
    const scriptsMap = s.all("ConfigMap").find((c) => (c.data as Obj)?.["wal-archive.sh"]);
    const scripts = { name: scriptsMap?.metadata.name, data: scriptsMap?.data as Obj };
    const backupPolicy = s.object("NetworkPolicy", "db-backup-netpol");
    const [restore, pitr] = ["restore-job.yaml", "pitr-job.yaml"].map((k) => parse(data[k]));
    expect(schemaProblems({ ...restore, metadata: { ...restore.metadata, name: "restore" } })).toBe("");
    expect(schemaProblems({ ...pitr, metadata: { ...pitr.metadata, name: "pitr" } })).toBe("");
    for (const job of [restore, pitr]) {
      const pod = at(job, "spec.template.spec") as Obj;
      // The backup Job's pods: its NetworkPolicies and ServiceAccount apply.
      expect(at(job, "spec.template.metadata.labels")).toMatchObject(at(backupPolicy, "spec.podSelector.matchLabels") as Obj);
      expect(s.all("ServiceAccount").map((a) => a.metadata.name)).toContain(pod.serviceAccountName);
      for (const c of [...(pod.initContainers as Obj[]), ...(pod.containers as Obj[])]) {
        expect(Object.keys(scripts.data)).toContain(String(at(c, "command.1")).replace("/scripts/", ""));
        for (const e of c.env as Obj[]) {
          const ref = at(e, "valueFrom.secretKeyRef") as { name: string; key: string } | undefined;
          if (ref) expect(Object.keys((s.object("Secret", ref.name).stringData ?? {}) as Obj)).toContain(ref.key);
        }
      }
      expect(at(pod, "volumes")).toContainEqual({ name: "scripts", configMap: { name: scripts.name, defaultMode: 0o555 } });
    }
    expect([restore, pitr].map((j) => [at(j, "spec.template.spec.initContainers.0.image"), at(j, "spec.template.spec.containers.0.image")])).toEqual([
      ["curlimages/curl:8.10.1", "postgres:16.4"],
      ["curlimages/curl:8.10.1", "postgres:16.4"],
    ]);
    // PITR unpacks onto the stopped primary's own volume, as the server's user.
    expect(at(pitr, "spec.template.spec.volumes")).toContainEqual({ name: "data", persistentVolumeClaim: { claimName: `${at(s.object("StatefulSet", "db-primary"), "spec.volumeClaimTemplates.0.metadata.name")}-db-primary-0` } });
    expect(at(pitr, "spec.template.spec.containers.0.securityContext.runAsUser")).toBe(70);
  });

  it("rejects a spool bound it cannot keep, and a custom server image without tools image", async () => {
    expect(await thrown({ image: "ghcr.io/acme/postgres:16.4", backup: { storage: store(), walSpoolLimit: "16Mi" } })).toEqual([
      'PostgresCluster "db": backup.image is undefined; expected an image with pg_dump/pg_basebackup of the server\'s major version, gzip and openssl: keel picks the public one ("postgres:<version>") only for an official postgres image (docs/postgres.md, "Images")',
      'PostgresCluster "db": backup.walSpoolLimit is "16Mi"; expected at least "64Mi" (four WAL segments)',
    ]);
    expect(await thrown({ storage: { size: "4Gi" }, backup: { storage: store(), walSpoolLimit: "3Gi" } })).toEqual([
      'PostgresCluster "db": backup.walSpoolLimit is "3Gi"; expected at most half of storage.size (the spool shares the data volume with the database)',
    ]);
  });
});

describe("review of req1: replication slots, the pod network, /dev/shm, connections, alert rules", () => {
  const podOf = (s: Synthesized, role: string) => at(s.object("StatefulSet", `db-${role}`), "spec.template.spec") as Obj;

  it("streams each replica on its own slot, bounded by max_slot_wal_keep_size, and exports the slots' state", async () => {
    const s = await cluster({ storage: { size: "10Gi" } });
    const config = configOf(s);
    expect(config["postgresql.conf"]).toMatch(/^wal_keep_size = '1GB'\nmax_slot_wal_keep_size = '2560MB'$/m); // a quarter of 10Gi
    const bootstrap = at(podOf(s, "replica"), "initContainers.0") as Obj;
    expect(envOf(bootstrap).POD_NAME).toEqual({ fieldRef: { fieldPath: "metadata.name" } });
    const exporter = (at(podOf(s, "primary"), "containers") as Obj[]).find((c) => c.name === "exporter") as Obj;
    expect(envOf(exporter).PG_EXPORTER_EXTEND_QUERY_PATH).toBe("/etc/postgres-exporter/exporter-queries.yaml");
    expect(at(exporter, "volumeMounts")).toContainEqual({ name: "exporter-queries", mountPath: "/etc/postgres-exporter", readOnly: true });
    const queries = parse(config["exporter-queries.yaml"]);
    expect(queries.keel_pg_replication_slot.metrics.map((m: Obj) => Object.keys(m)[0])).toEqual(["slot_name", "active", "lost", "retained_bytes", "limit_bytes"]);
    expect(queries.keel_pg_replication_slot.query).toMatch(/FROM pg_replication_slots\nWHERE slot_type = 'physical' AND NOT pg_is_in_recovery\(\)/);
    expect(await thrown({ walKeepSize: "2GB", maxSlotWalKeepSize: "1GB" })).toEqual([
      'PostgresCluster "db": maxSlotWalKeepSize is "1GB"; expected at least walKeepSize (2GB): a replica\'s slot keeps WAL beyond what every replica gets anyway',
    ]);
    expect(await thrown({ storage: { size: "4Gi" }, maxSlotWalKeepSize: "3GB", parameters: { max_slot_wal_keep_size: "-1" } })).toEqual([
      'PostgresCluster "db": maxSlotWalKeepSize is "3GB"; expected at most half of storage.size (the WAL a dead replica holds shares the data volume with the database)',
      'PostgresCluster "db": parameters.max_slot_wal_keep_size is "-1"; expected no value: set it with the maxSlotWalKeepSize arg (keel checks it against the rest)',
    ]);
  });

  it("admits the platform's pod network in pg_hba.conf: every private range incl. 100.64.0.0/10 and IPv6, or the distribution's", async () => {
    const hbaRanges = (hba: string) => hba.split("\n").filter((l) => /^host/.test(l) && / all {10}all /.test(l)).map((l) => l.split(/\s+/)[3]);
    const generic = configOf(await cluster());
    expect(hbaRanges(generic["pg_hba.conf"])).toEqual(["127.0.0.1/32", "::1/128", ...PRIVATE_POD_CIDRS]);
    expect(generic["pg_hba.conf"]).toMatch(/^host {4}replication {2}replicator {10}fc00::\/7 {9}scram-sha-256$/m);
    expect(generic["pg_hba.conf"]).toMatch(/^host {4}all {10}all {17}100\.64\.0\.0\/10 {4}scram-sha-256$/m);
    const kind = await synthesize(() => new PostgresCluster("db", { platform: testPlatform({ cluster: { distribution: "kind" } }) }));
    expect(hbaRanges(configOf(kind)["pg_hba.conf"])).toEqual(["127.0.0.1/32", "::1/128", "10.244.0.0/16"]);
    const own = await synthesize(() => new PostgresCluster("db", { platform: testPlatform(), clientCidrs: ["fd00:10:244::/56", "100.64.0.0/10"] }));
    expect(hbaRanges(configOf(own)["pg_hba.conf"])).toEqual(["127.0.0.1/32", "::1/128", "fd00:10:244::/56", "100.64.0.0/10"]);
    expect(await thrown({ clientCidrs: ["0.0.0.0/0", "::/0", "fc00::/7", "10.0.0.0/33"] })).toEqual([
      'PostgresCluster "db": clientCidrs[0] is "0.0.0.0/0"; expected an IPv4 or IPv6 CIDR with a prefix of at least 1, such as "10.0.0.0/8", "100.64.0.0/10" or "fc00::/7"',
      'PostgresCluster "db": clientCidrs[1] is "::/0"; expected an IPv4 or IPv6 CIDR with a prefix of at least 1, such as "10.0.0.0/8", "100.64.0.0/10" or "fc00::/7"',
      'PostgresCluster "db": clientCidrs[3] is "10.0.0.0/33"; expected an IPv4 or IPv6 CIDR with a prefix of at least 1, such as "10.0.0.0/8", "100.64.0.0/10" or "fc00::/7"',
    ]);
  });

  it("mounts a memory-backed /dev/shm sized from the memory limit on every server, and derives work_mem net of it", async () => {
    const shmOf = (s: Synthesized, role: string) => {
      const pod = podOf(s, role);
      const server = (pod.containers as Obj[]).find((c) => c.name === "postgres") as Obj;
      expect(at(server, "volumeMounts")).toContainEqual({ name: "shm", mountPath: "/dev/shm" });
      return (pod.volumes as Obj[]).find((v) => v.name === "shm");
    };
    const small = await cluster();
    expect([shmOf(small, "primary"), shmOf(small, "replica")]).toEqual([0, 1].map(() => ({ name: "shm", emptyDir: { medium: "Memory", sizeLimit: "128Mi" } })));
    const big = await cluster({ resources: { limits: { memory: "8Gi", cpu: "4" }, requests: { memory: "8Gi", cpu: "2" } }, maxConnections: 200 });
    expect(shmOf(big, "primary")).toEqual({ name: "shm", emptyDir: { medium: "Memory", sizeLimit: "1024Mi" } });
    // (8192 - 2048 shared_buffers - 1024 /dev/shm) / (200 x 4) = 6.4 MB
    expect(configOf(big)["postgresql.conf"]).toMatch(/^work_mem = '6MB'$/m);
    const given = await cluster({ sharedMemory: "256Mi" });
    expect(shmOf(given, "primary")).toEqual({ name: "shm", emptyDir: { medium: "Memory", sizeLimit: "256Mi" } });
    expect(await thrown({ sharedMemory: "600Mi" })).toEqual([
      'PostgresCluster "db": sharedMemory is "600Mi"; expected at most half of resources.limits.memory (/dev/shm is memory: what PostgreSQL writes there counts against the limit)',
    ]);
  });

  it("sizes max_connections for the expected clients' pools plus keel's own, and refuses one they can exhaust", async () => {
    const api = { name: "req1-api", maxPods: 13, poolSize: 10 };
    const derived = configOf(await cluster({ expectedClients: [api] }));
    // 130 + 3 superuser_reserved_connections + 2 exporter + 1 backup + 1 replica bootstrap
    expect(derived["postgresql.conf"]).toMatch(/^max_connections = 137$/m);
    expect(configOf(await cluster({ expectedClients: [{ name: "worker", maxPods: 2, poolSize: 5 }] }))["postgresql.conf"]).toMatch(/^max_connections = 100$/m);
    expect(await thrown({ replicas: 1, backup: { storage: store() }, maxConnections: 100, expectedClients: [api] })).toEqual([
      'PostgresCluster "db": maxConnections is 100; expected at least 137: 130 for expectedClients (req1-api 13 pods x 10) + 7 reserved (3 superuser_reserved_connections, 2 postgres_exporter, 1 backup, 1 replica bootstrap); raise it (memory allowing), lower the pools, or put a pooler such as PgBouncer in front (docs/postgres.md, "Connections")',
    ]);
    expect(await thrown({ maxConnections: 10, replicas: 5, parameters: { superuser_reserved_connections: 4 } })).toEqual([
      'PostgresCluster "db": maxConnections is 10; expected more than the 11 reserved (4 superuser_reserved_connections, 2 postgres_exporter, 0 backup, 5 replica bootstrap)',
    ]);
    expect(await thrown({ expectedClients: [{ name: "", maxPods: 0, poolSize: 2.5 }] })).toEqual([
      'PostgresCluster "db": expectedClients[0].name is ""; expected the name of the workload that connects, e.g. "req1-api"',
      "PostgresCluster \"db\": expectedClients[0].maxPods is 0; expected an integer from 1 to 10000 (the HPA's maxReplicas plus the rollout's surge)",
      "PostgresCluster \"db\": expectedClients[0].poolSize is 2.5; expected an integer from 1 to 1000 (the connections one pod's pool may open)",
    ]);
  });

  it("exports its alert rules from the public surface, in the shape ObservabilityStack's rules have", () => {
    const rules = PostgresCluster.alertRules();
    expect(rules.map((r) => `${r.alert} ${r.labels.severity}`)).toEqual(["WalShippingBehind warning", "WalSpoolAlmostFull critical", "WalShipperSilent warning"].concat(
      ["PostgresReplicaSlotInactive warning", "PostgresReplicaSlotRetainingWal critical", "PostgresReplicaSlotLost critical"]));
    // Structurally ObservabilityStack's AlertRule: the two lists concatenate into one rule file.
    const all: ReturnType<typeof defaultAlertRules> = [...defaultAlertRules(), ...rules];
    expect(new Set(all.map((r) => r.alert)).size).toBe(all.length);
    expect(PostgresCluster.alertRules({ inactiveMinutes: 30, maxAgeMinutes: 60 }).map((r) => r.for)).toEqual(["5m", "5m", "5m", "30m", "5m", "1m"]);
  });
});
