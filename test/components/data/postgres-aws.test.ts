/**
 * PostgresCluster on the aws platform: Amazon RDS for PostgreSQL. Recorded inputs under mocks
 * that answer in RDS's real formats (offline/aws-mocks.ts).
 */
import * as pulumi from "@pulumi/pulumi";
import { ApiService, PostgresCluster, PostgresClusterArgs } from "../../../components";
import { backupWindowFor, defaultInstanceClass, defaultMaintenanceWindow, rdsParameterValue } from "../../../components/postgres-cluster/rds-settings";
import { platformProdShape, testAwsSystem } from "../../helpers/aws-system";
import { backupStore, testPlatform } from "../../helpers/platform";
import { synthesize, unwrap } from "../../helpers/synth";

type Obj = Record<string, unknown>;
type Synthesized = Awaited<ReturnType<typeof synthesize>>;

const value = (o: pulumi.Input<string>): Promise<string> => new Promise((resolve) => pulumi.output(o).apply((v) => resolve(v)));
const inputs = (s: Synthesized, name: string, type?: string) => unwrap(s.resource(name, type).inputs) as Obj;
const state = (s: Synthesized, name: string, type?: string) => unwrap(s.resource(name, type).state) as Obj;
const shape = platformProdShape();

/** The lines of the error a PostgresCluster on aws with `args` throws ([] when none), and whether any resource of it was registered. */
async function thrown(args: Partial<PostgresClusterArgs>, platform: "aws" | "kubernetes" = "aws"): Promise<{ lines: string[]; registered: string[] }> {
  let lines: string[] = [];
  const s = await synthesize(() => {
    try {
      new PostgresCluster("db", { platform: platform === "aws" ? testAwsSystem() : testPlatform(), ...args });
    } catch (e) {
      lines = (e as Error).message.split("\n");
    }
  });
  return { lines, registered: s.resources.filter((r) => /PostgresCluster|aws:rds|\bdb-/.test(r.type + r.name)).map((r) => r.name) };
}

async function prod(args: Partial<PostgresClusterArgs> = {}) {
  let db!: PostgresCluster;
  const s = await synthesize(() => {
    db = new PostgresCluster("shop-db", { platform: testAwsSystem(), protect: true, replicas: 2, backup: { storage: backupStore(), schedule: "30 2 * * *", retentionDays: 14 }, ...args });
  });
  return { s, db };
}

describe("PostgresCluster on aws (RDS)", () => {
  it("makes a Multi-AZ, encrypted gp3 primary with backups, windows, Performance Insights and log exports, protected in prod", async () => {
    const { s, db } = await prod();
    const key = state(s, "shop-db-key", "Key");
    const p = inputs(s, "shop-db", "rds/instance:Instance");
    expect(p).toMatchObject({
      identifier: "shop-db",
      engine: "postgres",
      engineVersion: "16",
      autoMinorVersionUpgrade: true,
      allowMajorVersionUpgrade: false,
      // Protected (prod): no burstable class.
      instanceClass: "db.m7g.large",
      storageType: "gp3",
      allocatedStorage: 20,
      maxAllocatedStorage: 40,
      storageEncrypted: true,
      kmsKeyId: key.arn,
      multiAz: true,
      dbSubnetGroupName: "shop-db-subnets",
      vpcSecurityGroupIds: [s.resource("shop-db-sg", "SecurityGroup").id],
      publiclyAccessible: false,
      port: 5432,
      backupRetentionPeriod: 14,
      backupWindow: "02:30-03:00",
      maintenanceWindow: "sun:04:00-sun:04:30",
      deletionProtection: true,
      skipFinalSnapshot: false,
      finalSnapshotIdentifier: "shop-db-final",
      deleteAutomatedBackups: false,
      copyTagsToSnapshot: true,
      performanceInsightsEnabled: true,
      performanceInsightsKmsKeyId: key.arn,
      performanceInsightsRetentionPeriod: 7,
      enabledCloudwatchLogsExports: ["postgresql", "upgrade"],
      manageMasterUserPassword: true,
      masterUserSecretKmsKeyId: key.arn,
      username: "shop_db",
      dbName: "shop_db",
      caCertIdentifier: "rds-ca-rsa2048-g1",
      iamDatabaseAuthenticationEnabled: false,
      parameterGroupName: "shop-db-postgres16",
    });
    expect(p.password).toBeUndefined();
    expect(String(key.arn)).toMatch(/^arn:aws:kms:eu-west-1:123456789012:key\/[0-9a-f-]{36}$/);
    expect(inputs(s, "shop-db-key", "Key")).toMatchObject({ enableKeyRotation: true });
    expect(s.options("shop-db", "rds/instance:Instance")).toMatchObject({ protect: true, retainOnDelete: true });
    expect(s.options("shop-db-key", "Key")).toMatchObject({ protect: true, retainOnDelete: true });
    // The log groups exist first, with a retention, under the names RDS writes to.
    const groups = ["postgresql", "upgrade"].map((t) => s.resource(`shop-db-primary-${t}-logs`, "LogGroup"));
    expect(groups.map((g) => unwrap(g.inputs))).toEqual([
      expect.objectContaining({ name: "/aws/rds/instance/shop-db/postgresql", retentionInDays: 90 }),
      expect.objectContaining({ name: "/aws/rds/instance/shop-db/upgrade", retentionInDays: 90 }),
    ]);
    expect(s.options("shop-db", "rds/instance:Instance").dependsOn).toEqual(expect.arrayContaining(groups.map((g) => g.urn)));
    const index = (name: string, type: string) => s.resources.findIndex((r) => r.name === name && r.type.endsWith(type));
    expect(index("shop-db-primary-postgresql-logs", "LogGroup")).toBeLessThan(index("shop-db", "rds/instance:Instance"));
    // The subnet group is the data subnets; the security group admits the cluster's nodes on 5432 only.
    expect(inputs(s, "shop-db-subnets", "SubnetGroup").subnetIds).toEqual(shape.vpc.dataSubnetIds);
    expect(inputs(s, "shop-db-sg", "SecurityGroup")).toMatchObject({
      vpcId: shape.vpc.id,
      egress: [],
      ingress: [{ protocol: "tcp", fromPort: 5432, toPort: 5432, securityGroups: [shape.nodeSecurityGroupId] }],
    });
    expect(db.aws?.replicas).toHaveLength(2);
    expect(db.kubernetes).toBeUndefined();
    expect(db.superuserPassword).toBeUndefined();
    expect(db.backupPassphrase).toBeUndefined();
    expect(await value(db.masterUserSecretArn!)).toMatch(/^arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-[0-9a-f-]{36}-[A-Za-z0-9]{6}$/);
    // No pods, no Kubernetes Secret, no generated password.
    expect(s.resources.filter((r) => r.type.startsWith("kubernetes:") && /shop-db/.test(r.name))).toEqual([]);
    expect(s.resources.filter((r) => r.type.startsWith("random:"))).toEqual([]);
  });

  it("makes a read replica per `replicas` from the primary: same class, parameters and network, the source's key (RDS refuses a KmsKeyId in its region), single-AZ, no backups, deletion protection in prod", async () => {
    const { s } = await prod();
    const key = state(s, "shop-db-key", "Key");
    for (const n of [1, 2]) {
      const r = inputs(s, `shop-db-replica-${n}`, "rds/instance:Instance");
      expect(r).toMatchObject({
        identifier: `shop-db-replica-${n}`,
        replicateSourceDb: "shop-db",
        instanceClass: "db.m7g.large",
        storageType: "gp3",
        storageEncrypted: true,
        parameterGroupName: "shop-db-postgres16",
        vpcSecurityGroupIds: [s.resource("shop-db-sg", "SecurityGroup").id],
        dbSubnetGroupName: "shop-db-subnets",
        publiclyAccessible: false,
        multiAz: false,
        deletionProtection: true,
        backupRetentionPeriod: 0,
        skipFinalSnapshot: true,
        performanceInsightsEnabled: true,
        performanceInsightsKmsKeyId: key.arn,
        enabledCloudwatchLogsExports: ["postgresql", "upgrade"],
        autoMinorVersionUpgrade: true,
      });
      for (const field of ["username", "dbName", "manageMasterUserPassword", "engineVersion", "allocatedStorage", "finalSnapshotIdentifier", "kmsKeyId"]) expect(r[field]).toBeUndefined();
      expect(inputs(s, `shop-db-replica-${n}-postgresql-logs`, "LogGroup").name).toBe(`/aws/rds/instance/shop-db-replica-${n}/postgresql`);
      expect(s.options(`shop-db-replica-${n}`, "rds/instance:Instance").dependsOn).toContain(s.resource(`shop-db-replica-${n}-upgrade-logs`, "LogGroup").urn);
    }
  });

  it("unprotected: no deletion protection, no final snapshot, 30-day logs", async () => {
    const s = await synthesize(() => new PostgresCluster("shop-db", { platform: testAwsSystem() }));
    expect(inputs(s, "shop-db", "rds/instance:Instance")).toMatchObject({ deletionProtection: false, skipFinalSnapshot: true, deleteAutomatedBackups: true, backupRetentionPeriod: 7, backupWindow: "03:00-03:30", maintenanceWindow: "sun:04:30-sun:05:00" });
    expect(inputs(s, "shop-db", "rds/instance:Instance").finalSnapshotIdentifier).toBeUndefined();
    expect(inputs(s, "shop-db-primary-postgresql-logs", "LogGroup").retentionInDays).toBe(30);
    expect(s.options("shop-db", "rds/instance:Instance").protect).toBeFalsy();
    expect(s.resources.filter((r) => r.name.startsWith("shop-db-replica"))).toEqual([]);
  });

  it("takes the aws args: class, storage ceiling, single-AZ, windows, retentions, security groups for pods", async () => {
    const s = await synthesize(
      () =>
        new PostgresCluster("db", {
          platform: testAwsSystem(),
          image: "postgres:15.8",
          storage: { size: "50Gi" },
          aws: { instanceClass: "db.r7g.xlarge", maxStorageSize: "100Gi", multiAz: false, maintenanceWindow: "wed:06:00-wed:06:30", performanceInsightsRetentionDays: 31, logRetentionDays: 14, clientSecurityGroupIds: ["sg-0123456789abcdef0"] },
        }),
    );
    const p = inputs(s, "db", "rds/instance:Instance");
    expect(p).toMatchObject({ identifier: "shop-db", engineVersion: "15", instanceClass: "db.r7g.xlarge", allocatedStorage: 50, maxAllocatedStorage: 100, multiAz: false, maintenanceWindow: "wed:06:00-wed:06:30", performanceInsightsRetentionPeriod: 31, parameterGroupName: "shop-db-postgres15" });
    expect(inputs(s, "db-params", "ParameterGroup")).toMatchObject({ family: "postgres15", name: "shop-db-postgres15" });
    expect(inputs(s, "db-primary-upgrade-logs", "LogGroup")).toMatchObject({ name: "/aws/rds/instance/shop-db/upgrade", retentionInDays: 14 });
    expect(inputs(s, "db-sg", "SecurityGroup").ingress).toEqual([expect.objectContaining({ fromPort: 5432, toPort: 5432, securityGroups: ["sg-0123456789abcdef0"] })]);
  });

  it("picks the default class from resources.limits: the smallest t4g, then m7g/r7g by vCPUs, holding both", async () => {
    expect(defaultInstanceClass(1000, 1024 ** 3)).toBe("db.t4g.micro");
    expect(defaultInstanceClass(1000, 1024 ** 3, false)).toBe("db.m7g.large");
    expect(defaultInstanceClass(500, 3 * 1024 ** 3)).toBe("db.t4g.medium");
    expect(defaultInstanceClass(1000, 5 * 1024 ** 3)).toBe("db.m7g.large");
    expect(defaultInstanceClass(2000, 16 * 1024 ** 3)).toBe("db.r7g.large");
    expect(defaultInstanceClass(3000, 8 * 1024 ** 3)).toBe("db.m7g.xlarge");
    expect(defaultInstanceClass(16000, 100 * 1024 ** 3)).toBe("db.r7g.4xlarge");
    expect(defaultInstanceClass(65000, 1024 ** 3)).toBeUndefined();
    const s = await synthesize(() => new PostgresCluster("db", { platform: testAwsSystem(), resources: { requests: { cpu: "2", memory: "8Gi" }, limits: { cpu: "4", memory: "16Gi" } } }));
    expect(inputs(s, "db", "rds/instance:Instance").instanceClass).toBe("db.m7g.xlarge");
  });

  it("derives the backup window from backup.schedule and a maintenance window that does not overlap it", () => {
    expect(backupWindowFor("0 3 * * *")).toBe("03:00-03:30");
    expect(backupWindowFor("45 23 * * 1-5")).toBe("23:45-00:15");
    expect(backupWindowFor("@daily")).toBe("00:00-00:30");
    expect(backupWindowFor("*/15 * * * *")).toBe("03:00-03:30");
    expect(backupWindowFor(undefined)).toBe("03:00-03:30");
    expect(defaultMaintenanceWindow("03:00-03:30")).toBe("sun:04:30-sun:05:00");
    expect(defaultMaintenanceWindow("23:45-00:15")).toBe("mon:01:15-mon:01:45");
  });
});

describe("the RDS parameter group", () => {
  const args: Partial<PostgresClusterArgs> = {
    replicas: 1,
    walKeepSize: "2GB",
    expectedClients: [{ name: "shop-api", maxPods: 12, poolSize: 10 }],
    parameters: { random_page_cost: 1.1, statement_timeout: "30s", log_autovacuum_min_duration: "1min", jit: false, "pg_stat_statements.max": 10000 },
  };

  it("holds the in-cluster config's values for the same args, the user's parameters, and rds.force_ssl", async () => {
    const k8s = await synthesize(() => new PostgresCluster("db", { platform: testPlatform(), ...args }));
    const conf = (k8s.all("ConfigMap").find((c) => (c.data as Obj)?.["postgresql.conf"])!.data as Record<string, string>)["postgresql.conf"];
    const inCluster = Object.fromEntries(
      conf
        .split("\n")
        .filter((l) => l.includes(" = "))
        .map((l) => {
          const [k, ...rest] = l.split(" = ");
          return [k, rest.join(" = ").replace(/^'(.*)'$/, "$1")];
        }),
    );
    const s = await synthesize(() => new PostgresCluster("db", { platform: testAwsSystem(), ...args }));
    const group = inputs(s, "db-params", "ParameterGroup");
    expect(group.family).toBe("postgres16");
    const params = group.parameters as { name: string; value: string; applyMethod: string }[];
    const byName = Object.fromEntries(params.map((p) => [p.name, p]));
    expect(byName["rds.force_ssl"]).toEqual({ name: "rds.force_ssl", value: "1", applyMethod: "immediate" });
    // RDS's 64 MB WAL segments: the in-cluster 80MB min_wal_size would keep PostgreSQL from starting; RDS's defaults stay.
    expect(inCluster.min_wal_size).toBe("80MB");
    expect([byName.min_wal_size, byName.max_wal_size]).toEqual([undefined, undefined]);
    for (const p of params.filter((p) => p.name !== "rds.force_ssl")) {
      expect([p.name, p.value]).toEqual([p.name, rdsParameterValue(p.name, inCluster[p.name])]);
    }
    // Spot checks: the connection budget, sizes in the setting's unit, booleans as 1/0.
    expect(byName.max_connections).toEqual({ name: "max_connections", value: String(12 * 10 + 3 + 2 + 1), applyMethod: "pending-reboot" });
    expect(inCluster.max_connections).toBe("126");
    expect(byName.wal_keep_size.value).toBe("2048");
    expect(byName.statement_timeout.value).toBe("30000");
    expect(byName.log_autovacuum_min_duration.value).toBe("60000");
    expect(byName.jit.value).toBe("0");
    expect(byName.random_page_cost.value).toBe("1.1");
    expect(byName["pg_stat_statements.max"]).toEqual({ name: "pg_stat_statements.max", value: "10000", applyMethod: "pending-reboot" });
    expect(byName.shared_preload_libraries.applyMethod).toBe("pending-reboot");
    expect(byName.hot_standby_feedback).toEqual({ name: "hot_standby_feedback", value: "1", applyMethod: "immediate" });
    // What RDS sizes and runs itself is left to it.
    for (const name of ["shared_buffers", "effective_cache_size", "work_mem", "listen_addresses", "port", "wal_level", "archive_mode", "archive_command", "log_line_prefix", "logging_collector", "max_wal_senders"]) {
      expect(byName[name]).toBeUndefined();
    }
  });
});

describe("the connection on RDS", () => {
  it("has the same shape, a URL without password, and env from the master secret whose template resolves to a URL of the RDS address", async () => {
    const { s, db } = await prod();
    const c = db.connection;
    const primary = state(s, "shop-db", "rds/instance:Instance");
    const replica = state(s, "shop-db-replica-1", "rds/instance:Instance");
    const host = await value(c.host);
    expect(host).toBe(primary.address);
    expect(host).toMatch(/^shop-db\.[a-z0-9]{12}\.eu-west-1\.rds\.amazonaws\.com$/);
    expect(await value(c.readOnlyHost!)).toBe(replica.address);
    expect(c).toMatchObject({ kind: "postgres", port: 5432, tls: true, secretEnv: [] });
    expect(c.password).toBeUndefined();
    expect(c.passwordSecret).toBeUndefined();
    expect(await value(c.username!)).toBe("shop_db");
    expect(await pulumi.isSecret(c.url)).toBe(false);
    expect(await value(c.url)).toBe(`postgresql://shop_db@${host}:5432/shop_db?sslmode=require`);
    expect(c.endpoint.networkPeer).toEqual({ kind: "managed", name: "shop-db", cidrs: shape.vpc.dataSubnetCidrs });
    expect(c.endpoint.networkPorts).toEqual([{ port: 5432 }]);
    expect(db.networkPeer).toEqual(c.endpoint.networkPeer);

    const secretArn = await value(db.masterUserSecretArn!);
    const key = state(s, "shop-db-key", "Key");
    const resolve = async (name: string) => {
      const ref = c.env[name] as { secretsManager: { secretId: pulumi.Input<string>; template: pulumi.Input<string>; kmsKeyArn: pulumi.Input<string> } };
      expect(Object.keys(ref)).toEqual(["secretsManager"]);
      expect(await value(ref.secretsManager.secretId)).toBe(secretArn);
      expect(await value(ref.secretsManager.kmsKeyArn)).toBe(key.arn);
      const template = await value(ref.secretsManager.template);
      // What External Secrets renders from the secret's JSON {username, password}.
      const password = "p@ss:w/rd?#&=%+ x";
      return new URL(template.replace("{{ .username | urlquery }}", encodeURIComponent("shop_db")).replace("{{ .password | urlquery }}", encodeURIComponent(password)));
    };
    for (const [name, address] of [["DATABASE_URL", primary.address], ["DATABASE_READ_URL", replica.address]] as const) {
      const url = await resolve(name);
      expect(url.protocol).toBe("postgresql:");
      expect(url.hostname).toBe(address);
      expect(url.port).toBe("5432");
      expect(url.pathname).toBe("/shop_db");
      expect(url.searchParams.get("sslmode")).toBe("require");
      expect(decodeURIComponent(url.username)).toBe("shop_db");
      expect(decodeURIComponent(url.password)).toBe("p@ss:w/rd?#&=%+ x");
    }
    expect(Object.keys(c.env)).toEqual(["DATABASE_URL", "DATABASE_READ_URL"]);
  });

  it("reaches a client as an ExternalSecret rendering the URLs, and egress to the data subnets on 5432", async () => {
    let db!: PostgresCluster;
    const s = await synthesize(() => {
      const platform = testAwsSystem();
      db = new PostgresCluster("shop-db", { platform, replicas: 1 });
      new ApiService("api", { platform, image: "ghcr.io/acme/api:1.0.0", connections: [db.connection] });
    });
    const host = await value(db.connection.host);
    const [es] = s.all("ExternalSecret");
    expect(JSON.stringify(es.spec)).toContain(`"DATABASE_URL":"postgresql://{{ .username | urlquery }}:{{ .password | urlquery }}@${host}:5432/shop_db?sslmode=require"`);
    expect(JSON.stringify(es.spec)).toContain(await value(db.masterUserSecretArn!));
    const egress = s.all("NetworkPolicy").flatMap((np) => ((np.spec as Obj).egress as Obj[] | undefined) ?? []);
    const toData = egress.filter((e) => JSON.stringify(e.to).includes(shape.vpc.dataSubnetCidrs[0]));
    expect(toData).toEqual([expect.objectContaining({ ports: [expect.objectContaining({ port: 5432 })] })]);
    expect(JSON.stringify(toData[0].to)).toBe(JSON.stringify(shape.vpc.dataSubnetCidrs.map((cidr) => ({ ipBlock: { cidr } }))));
  });

  it("writes nothing secret: no password, no passphrase, only the secret's ARN", async () => {
    const { s } = await prod({ backup: { storage: backupStore(), passphrase: "from-the-vault-0123456789" } });
    const written = s.written();
    expect(written).not.toContain("from-the-vault-0123456789");
    expect(written).not.toMatch(/"(password|masterPassword|passphrase)":/);
    expect(written).toContain("\"manageMasterUserPassword\":true");
  });
});

describe("PostgresCluster on aws: managed: false and other platforms", () => {
  it("managed: false keeps the in-cluster StatefulSets on EKS, without RDS", async () => {
    let db!: PostgresCluster;
    const s = await synthesize(() => {
      db = new PostgresCluster("db", { platform: testAwsSystem(), managed: false, replicas: 1 });
    });
    expect(s.object("StatefulSet", "db-primary")).toBeDefined();
    expect(s.object("StatefulSet", "db-replica")).toBeDefined();
    expect(s.resources.filter((r) => r.type.startsWith("aws:rds") || r.name === "db-key")).toEqual([]);
    expect(db.aws).toBeUndefined();
    expect(db.kubernetes?.primary).toBeDefined();
    expect(await value(db.connection.host)).toBe("db-rw.shop-data.svc.cluster.local");
  });
});

describe("PostgresCluster on aws: refused inputs, before any resource", () => {
  const cases: [string, Partial<PostgresClusterArgs>, string[], ("aws" | "kubernetes")?][] = [
    ["storage: false", { storage: false }, ['PostgresCluster "db": storage is false; expected a size (or nothing) on RDS: an RDS instance always has its volume (storage: false is for in-cluster dev clusters)']],
    [
      "aws on the kubernetes platform",
      { aws: { multiAz: false } },
      ['PostgresCluster "db": aws is {"multiAz":false}; expected the aws platform (these settings configure the RDS instance); on the kubernetes platform leave them out'],
      "kubernetes",
    ],
    [
      "aws with managed: false",
      { managed: false, aws: { multiAz: false } },
      ['PostgresCluster "db": aws is {"multiAz":false}; expected nothing with managed: false (these settings configure the RDS instance, which managed: false replaces with in-cluster StatefulSets)'],
    ],
    [
      "a backup retention above 35 days",
      { backup: { storage: backupStore(), retentionDays: 40 } },
      ['PostgresCluster "db": backup.retentionDays is 40; expected at most 35 on RDS (its automated backups\' longest retention); keep longer copies with AWS Backup or manual snapshots'],
    ],
    ["a bad instance class", { aws: { instanceClass: "m7g.large" } }, ['PostgresCluster "db": aws.instanceClass is "m7g.large"; expected an RDS instance class db.<family>.<size> such as "db.m7g.large" or "db.t4g.medium"']],
    [
      "a maintenance window over the backup window",
      { aws: { maintenanceWindow: "sun:03:15-sun:03:45" } },
      ['PostgresCluster "db": aws.maintenanceWindow is "sun:03:15-sun:03:45"; expected a window that does not overlap the daily backup window 03:00-03:30 (from backup.schedule)'],
    ],
    [
      "a malformed maintenance window",
      { aws: { maintenanceWindow: "sunday 4am" } },
      ['PostgresCluster "db": aws.maintenanceWindow is "sunday 4am"; expected ddd:hh24:mi-ddd:hh24:mi in UTC, at least 30 minutes, such as "sun:05:00-sun:05:30"'],
    ],
    [
      "a storage ceiling too close to the size",
      { aws: { maxStorageSize: "21Gi" } },
      ['PostgresCluster "db": aws.maxStorageSize is "21Gi"; expected from "22Gi" (10% above the allocated 20Gi, RDS\'s least for storage autoscaling) to "65536Gi"'],
    ],
    ["a Performance Insights retention RDS lacks", { aws: { performanceInsightsRetentionDays: 10 } }, ['PostgresCluster "db": aws.performanceInsightsRetentionDays is 10; expected 7 (free), a multiple of 31 up to 713, or 731']],
    ["a log retention CloudWatch lacks", { aws: { logRetentionDays: 45 } }, [expect.stringMatching(/^PostgresCluster "db": aws\.logRetentionDays is 45; expected one of CloudWatch's retention periods in days: 1, 3, 5, 7, 14, 30, 60, 90/) as unknown as string]],
    ["a client security group that is not an id", { aws: { clientSecurityGroupIds: ["web"] } }, ['PostgresCluster "db": aws.clientSecurityGroupIds[0] is "web"; expected a security group id such as "sg-0123456789abcdef0"']],
    [
      "a parameter RDS sets itself",
      { parameters: { log_line_prefix: "%m " } },
      ['PostgresCluster "db": parameters.log_line_prefix is "%m "; expected no value on RDS: RDS sets it (it owns the server\'s files, sockets, logs and recovery) and refuses it in a parameter group'],
    ],
    [
      "an image without a version",
      { image: "ghcr.io/acme/pg:2.1" },
      ['PostgresCluster "db": image is "ghcr.io/acme/pg:2.1"; expected a postgres image tag with its version such as "postgres:16.4-alpine" on RDS: its major version is the RDS engine version'],
    ],
  ];
  it.each(cases.map(([title, args, expected, platform]) => ({ title, args, expected, platform })))("$title", async ({ args, expected, platform }) => {
    const { lines, registered } = await thrown(args, platform ?? "aws");
    expect(lines).toEqual(expected);
    expect(registered).toEqual([]);
  });

  it("states every problem at once", async () => {
    const { lines } = await thrown({ storage: false, aws: { instanceClass: "big", multiAz: "yes" as unknown as boolean } });
    expect(lines).toEqual([
      'PostgresCluster "db": aws.instanceClass is "big"; expected an RDS instance class db.<family>.<size> such as "db.m7g.large" or "db.t4g.medium"',
      expect.stringContaining("storage is false; expected a size (or nothing) on RDS"),
      'PostgresCluster "db": aws.multiAz is "yes"; expected true or false',
    ]);
  });
});
