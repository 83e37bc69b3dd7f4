/** RDS, ElastiCache and MSK: encrypted, private, backed up, highly available in production. */
import { resourcePolicy } from "../lib/define";
import { arr, at, num, str } from "../lib/props";
import type { Target } from "../lib/define";

const RDS = ["aws:rds/instance:Instance", "aws:rds/cluster:Cluster"];
const ELASTICACHE = "aws:elasticache/replicationGroup:ReplicationGroup";
const MSK = ["aws:msk/cluster:Cluster"];

/** `RDS instance orders-db` */
export function awsName(target: Target, what: string): string {
  const named = str(target.props.identifier) ?? str(target.props.clusterIdentifier) ?? str(target.props.replicationGroupId) ?? str(target.props.clusterName) ?? str(target.props.name);
  return `${what} ${named ?? target.name}`;
}

const rdsWhat = (t: Target) => awsName(t, t.type === RDS[0] ? "RDS instance" : "RDS cluster");
const isReadReplica = (t: Target) => t.props.replicateSourceDb !== undefined;

export const rdsStorageEncrypted = resourcePolicy({
  name: "rds-storage-encrypted",
  description: "RDS storage is encrypted.",
  enforcementLevel: "mandatory",
  appliesTo: (type) => RDS.includes(type),
  check(t, report) {
    if (t.props.storageEncrypted !== true) report(`${rdsWhat(t)}: storage is not encrypted; set storageEncrypted: true (with a KMS key).`);
  },
});

export const rdsNotPublic = resourcePolicy({
  name: "rds-not-public",
  description: "RDS instances are not publicly accessible.",
  enforcementLevel: "mandatory",
  type: RDS[0],
  appliesTo: (type) => type === RDS[0],
  check(t, report) {
    if (t.props.publiclyAccessible === true) report(`${rdsWhat(t)}: publicly accessible; set publiclyAccessible: false and reach it from private subnets.`);
  },
});

export const rdsBackupRetention = resourcePolicy({
  name: "rds-backup-retention",
  description: "RDS keeps automated backups for at least 7 days.",
  enforcementLevel: "mandatory",
  config: { minimumDays: { type: "integer", default: 7, description: "Days of automated backups required." } },
  appliesTo: (type) => RDS.includes(type),
  check(t, report, config) {
    if (isReadReplica(t)) return;
    const days = num(t.props.backupRetentionPeriod) ?? 0;
    if (days < Number(config.minimumDays)) report(`${rdsWhat(t)}: keeps backups ${days} day(s); set backupRetentionPeriod to at least ${String(config.minimumDays)}.`);
  },
});

export const rdsMultiAz = resourcePolicy({
  name: "rds-multi-az",
  description: "RDS primaries run Multi-AZ.",
  enforcementLevel: "advisory",
  type: RDS[0],
  appliesTo: (type) => type === RDS[0],
  check(t, report) {
    if (!isReadReplica(t) && t.props.multiAz !== true) report(`${rdsWhat(t)}: single-AZ; set multiAz: true so a zone outage fails over.`);
  },
});

export const rdsDeletionProtection = resourcePolicy({
  name: "rds-deletion-protection",
  description: "RDS has deletion protection and takes a final snapshot (a read replica has no snapshot of its own to take).",
  enforcementLevel: "advisory",
  appliesTo: (type) => RDS.includes(type),
  check(t, report) {
    if (t.props.deletionProtection !== true) report(`${rdsWhat(t)}: no deletion protection; set deletionProtection: true.`);
    // RDS refuses a final snapshot of a read replica: its data is the source's.
    if (t.props.skipFinalSnapshot === true && !isReadReplica(t)) report(`${rdsWhat(t)}: skips the final snapshot; set skipFinalSnapshot: false and a finalSnapshotIdentifier.`);
  },
});

export const elasticacheEncryption = resourcePolicy({
  name: "elasticache-encryption",
  description: "ElastiCache encrypts at rest and in transit and requires an auth token.",
  enforcementLevel: "mandatory",
  type: ELASTICACHE,
  appliesTo: (type) => type === ELASTICACHE,
  check(t, report) {
    const what = awsName(t, "ElastiCache replication group");
    if (t.props.atRestEncryptionEnabled !== true) report(`${what}: not encrypted at rest; set atRestEncryptionEnabled: true.`);
    if (t.props.transitEncryptionEnabled !== true) report(`${what}: not encrypted in transit; set transitEncryptionEnabled: true.`);
    if (t.props.authToken === undefined && arr(t.props.userGroupIds).length === 0) report(`${what}: no auth token; set authToken (from a generated secret) or userGroupIds.`);
  },
});

export const elasticacheFailover = resourcePolicy({
  name: "elasticache-failover",
  description: "ElastiCache fails over automatically across zones.",
  enforcementLevel: "advisory",
  type: ELASTICACHE,
  appliesTo: (type) => type === ELASTICACHE,
  check(t, report) {
    const what = awsName(t, "ElastiCache replication group");
    if (t.props.automaticFailoverEnabled !== true) report(`${what}: no automatic failover; set automaticFailoverEnabled: true with at least one replica.`);
    if (t.props.multiAzEnabled !== true) report(`${what}: single-AZ; set multiAzEnabled: true.`);
  },
});

export const mskEncryption = resourcePolicy({
  name: "msk-encryption",
  description: "MSK encrypts in transit with TLS only, between clients and brokers and inside the cluster.",
  enforcementLevel: "mandatory",
  type: MSK[0],
  appliesTo: (type) => MSK.includes(type),
  check(t, report) {
    const what = awsName(t, "MSK cluster");
    const clientBroker = str(at(t.props, "encryptionInfo.encryptionInTransit.clientBroker")) ?? "TLS";
    if (clientBroker !== "TLS") report(`${what}: client traffic allows plaintext (clientBroker ${clientBroker}); set encryptionInfo.encryptionInTransit.clientBroker: "TLS".`);
    if (at(t.props, "encryptionInfo.encryptionInTransit.inCluster") === false) report(`${what}: traffic between brokers is not encrypted; set encryptionInfo.encryptionInTransit.inCluster: true.`);
  },
});

export const mskLogging = resourcePolicy({
  name: "msk-logging",
  description: "MSK ships broker logs (CloudWatch, Firehose or S3).",
  enforcementLevel: "mandatory",
  type: MSK[0],
  appliesTo: (type) => MSK.includes(type),
  check(t, report) {
    const logs = at(t.props, "loggingInfo.brokerLogs");
    const enabled = ["cloudwatchLogs", "firehose", "s3"].some((k) => at(logs, `${k}.enabled`) === true);
    if (!enabled) report(`${awsName(t, "MSK cluster")}: broker logs are not shipped; enable loggingInfo.brokerLogs.cloudwatchLogs.`);
  },
});

export const mskPrivate = resourcePolicy({
  name: "msk-private",
  description: "MSK brokers have no public access.",
  enforcementLevel: "mandatory",
  type: MSK[0],
  appliesTo: (type) => MSK.includes(type),
  check(t, report) {
    const access = str(at(t.props, "brokerNodeGroupInfo.connectivityInfo.publicAccess.type"));
    if (access !== undefined && access !== "DISABLED") report(`${awsName(t, "MSK cluster")}: brokers are publicly reachable (${access}); place them in private subnets with publicAccess DISABLED.`);
  },
});
