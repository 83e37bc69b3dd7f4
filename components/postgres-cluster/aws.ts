/**
 * PostgresCluster on the aws platform: Amazon RDS for PostgreSQL (not Aurora). A Multi-AZ primary
 * and a read replica per `replicas`, in the platform's data subnets, behind a security group that
 * admits the cluster on 5432 only; gp3 storage with autoscaling, encrypted with the store's KMS
 * key (also Performance Insights' and the master secret's); automated backups with a window from
 * `backup.schedule`; the PostgreSQL and upgrade logs exported to CloudWatch log groups keel
 * creates first (with a retention); a parameter group from the same typed settings as the
 * in-cluster postgresql.conf (rds-settings.ts). RDS keeps the master password in Secrets Manager
 * and rotates it; clients read it through the External Secrets Operator (docs/postgres.md, "On aws (RDS)").
 */
import * as cloudwatch from "@pulumi/aws/cloudwatch";
import type * as ec2 from "@pulumi/aws/ec2";
import type * as kms from "@pulumi/aws/kms";
import * as rds from "@pulumi/aws/rds";
import * as pulumi from "@pulumi/pulumi";
import { childName } from "../core/naming";
import type { Platform } from "../platform/types";
import { ManagedDataContext, awsIdentifier, dataKmsKey, dataSecurityGroup, dataSubnetIds, managedDataContext } from "../aws/managed-data";
import { ResolvedPostgres, serverSettings } from "./resolve";
import type { ResolvedPostgresAws } from "./rds-settings";
import { rdsParameters } from "./rds-settings";

export const RDS_PORT = 5432;
/** The RDS CA the instances' certificates chain to (RSA 2048, valid to 2061). */
export const RDS_CA = "rds-ca-rsa2048-g1";
/** The log types RDS for PostgreSQL exports to CloudWatch Logs. */
export const RDS_LOG_EXPORTS = ["postgresql", "upgrade"] as const;

export interface RdsDeployment {
  readonly ctx: ManagedDataContext;
  readonly primary: rds.Instance;
  readonly replicas: rds.Instance[];
  readonly parameterGroup: rds.ParameterGroup;
  readonly subnetGroup: rds.SubnetGroup;
  readonly securityGroup: ec2.SecurityGroup;
  readonly key: kms.Key;
  /** The ARN of the Secrets Manager secret RDS keeps the master user's credentials in (JSON: username, password). */
  readonly masterUserSecretArn: pulumi.Output<string>;
}

/** The CloudWatch log groups RDS exports `identifier`'s logs to, created before the instance so RDS does not create them without a retention. */
function logGroups(ctx: ManagedDataContext, role: string, identifier: string, days: number): cloudwatch.LogGroup[] {
  return RDS_LOG_EXPORTS.map((type) => {
    const name = childName(ctx.name, `${role}-${type}-logs`);
    return new cloudwatch.LogGroup(name, { name: `/aws/rds/instance/${identifier}/${type}`, retentionInDays: days, tags: ctx.tags(name) }, ctx.statefulOpts);
  });
}

/** What the primary and its replicas share: class, storage, key, network, parameters, monitoring. */
function commonInputs(a: ResolvedPostgresAws, key: kms.Key, parameterGroup: rds.ParameterGroup, subnetGroup: rds.SubnetGroup, securityGroup: ec2.SecurityGroup) {
  return {
    instanceClass: a.instanceClass,
    storageType: "gp3",
    maxAllocatedStorage: a.maxAllocatedStorage,
    storageEncrypted: true,
    kmsKeyId: key.arn,
    dbSubnetGroupName: subnetGroup.name,
    vpcSecurityGroupIds: [securityGroup.id],
    publiclyAccessible: false,
    port: RDS_PORT,
    parameterGroupName: parameterGroup.name,
    autoMinorVersionUpgrade: true,
    allowMajorVersionUpgrade: false,
    caCertIdentifier: RDS_CA,
    iamDatabaseAuthenticationEnabled: false,
    performanceInsightsEnabled: true,
    performanceInsightsKmsKeyId: key.arn,
    performanceInsightsRetentionPeriod: a.performanceInsightsRetentionDays,
    enabledCloudwatchLogsExports: [...RDS_LOG_EXPORTS],
    copyTagsToSnapshot: true,
    maintenanceWindow: a.maintenanceWindow,
    applyImmediately: false,
  };
}

export function deployRds(parent: pulumi.Resource, r: ResolvedPostgres, platform: Platform): RdsDeployment {
  const a = r.aws;
  if (!a) throw new Error(`PostgresCluster "${r.name}": deployRds needs the resolved aws settings (resolvePostgresArgs sets them when managed)`);
  const ctx = managedDataContext(parent, r, platform, r.protect);
  const identifier = awsIdentifier(ctx, "", 63);

  const key = dataKmsKey(ctx, "key", `${ctx.name}: RDS storage, Performance Insights and the master user secret`);
  const securityGroup = dataSecurityGroup(ctx, "sg", [RDS_PORT], a.clientSecurityGroupIds);
  const subnetName = childName(ctx.name, "subnets");
  const subnetGroup = new rds.SubnetGroup(subnetName, { name: awsIdentifier(ctx, "subnets", 255), description: `${ctx.name}: the data subnets`, subnetIds: dataSubnetIds(ctx), tags: ctx.tags(subnetName) }, ctx.opts);
  // The family is part of the name: a major upgrade creates the next group beside the old one.
  const paramsName = childName(ctx.name, "params");
  const parameterGroup = new rds.ParameterGroup(
    paramsName,
    {
      name: awsIdentifier(ctx, a.family, 255),
      family: a.family,
      description: `${ctx.name}: keel's settings for PostgreSQL ${a.engineVersion}`,
      parameters: rdsParameters(serverSettings(r)),
      tags: ctx.tags(paramsName),
    },
    ctx.opts,
  );

  const common = commonInputs(a, key, parameterGroup, subnetGroup, securityGroup);
  const primaryLogs = logGroups(ctx, "primary", identifier, a.logRetentionDays);
  const primary = new rds.Instance(
    ctx.name,
    {
      ...common,
      identifier,
      engine: "postgres",
      engineVersion: a.engineVersion,
      allocatedStorage: a.allocatedStorage,
      multiAz: a.multiAz,
      dbName: r.database,
      username: r.username,
      manageMasterUserPassword: true,
      masterUserSecretKmsKeyId: key.arn,
      backupRetentionPeriod: a.backupRetentionDays,
      backupWindow: a.backupWindow,
      deleteAutomatedBackups: !r.protect,
      deletionProtection: r.protect,
      skipFinalSnapshot: !r.protect,
      ...(r.protect ? { finalSnapshotIdentifier: `${identifier}-final` } : {}),
      tags: ctx.tags(identifier),
    },
    { ...ctx.statefulOpts, dependsOn: primaryLogs },
  );

  // Read replicas hold nothing the primary lacks: no backups, no final snapshot, and plain Pulumi
  // options (a Pulumi-protected replica would block scaling `replicas` down); RDS's own deletion
  // protection is on in prod, so a replica is removed on purpose only.
  const replicas = Array.from({ length: r.replicas }, (_, i) => {
    const role = `replica-${i + 1}`;
    const replicaId = awsIdentifier(ctx, role, 63);
    const logs = logGroups(ctx, role, replicaId, a.logRetentionDays);
    return new rds.Instance(
      childName(ctx.name, role),
      {
        ...common,
        identifier: replicaId,
        replicateSourceDb: primary.identifier,
        // A replica in the source's region is encrypted with the source's key: RDS refuses a KmsKeyId for it.
        kmsKeyId: undefined,
        multiAz: false,
        backupRetentionPeriod: 0,
        // Protected in prod like the primary (turn it off to scale replicas down); RDS takes no final snapshot of a replica.
        deletionProtection: r.protect,
        skipFinalSnapshot: true,
        tags: ctx.tags(replicaId),
      },
      { ...ctx.opts, dependsOn: logs },
    );
  });

  const masterUserSecretArn = primary.masterUserSecrets.apply((secrets) => {
    const arn = secrets?.[0]?.secretArn;
    if (!arn) throw new Error(`PostgresCluster "${r.name}": RDS returned no master user secret (manageMasterUserPassword is set)`);
    return arn;
  });
  return { ctx, primary, replicas, parameterGroup, subnetGroup, securityGroup, key, masterUserSecretArn };
}

/** The URL of `host` as the master user, with the password from the master secret (External Secrets' template). */
export function rdsUrlTemplate(host: pulumi.Input<string>, database: string): pulumi.Output<string> {
  return pulumi.interpolate`postgresql://{{ .username | urlquery }}:{{ .password | urlquery }}@${host}:${RDS_PORT}/${database}?sslmode=require`;
}
