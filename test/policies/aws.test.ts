import type { ResourceValidationPolicy } from "@pulumi/policy";
import * as data from "../../policies/aws/data-services";
import { eksControlPlaneLogging, eksEndpointRestricted, eksSecretsEncryption, securityGroupOpenIngress } from "../../policies/aws/platform";
import { s3Buckets } from "../../policies/aws/s3";
import { stackViolations, target, violations } from "./harness";

type Props = Record<string, unknown>;
const RDS = "aws:rds/instance:Instance";
const CACHE = "aws:elasticache/replicationGroup:ReplicationGroup";
const MSK = "aws:msk/cluster:Cluster";
const EKS = "aws:eks/cluster:Cluster";

const rds = (): Props => ({ identifier: "orders", storageEncrypted: true, publiclyAccessible: false, backupRetentionPeriod: 14, multiAz: true, deletionProtection: true, skipFinalSnapshot: false });
const cache = (): Props => ({ replicationGroupId: "sessions", atRestEncryptionEnabled: true, transitEncryptionEnabled: true, authToken: "x".repeat(32), automaticFailoverEnabled: true, multiAzEnabled: true });
const msk = (): Props => ({ clusterName: "events", encryptionInfo: { encryptionInTransit: { clientBroker: "TLS", inCluster: true } }, loggingInfo: { brokerLogs: { cloudwatchLogs: { enabled: true, logGroup: "g" } } } });
const eks = (): Props => ({ name: "prod", vpcConfig: { endpointPublicAccess: false }, encryptionConfig: { resources: ["secrets"], provider: { keyArn: "arn" } }, enabledClusterLogTypes: ["api", "audit", "authenticator"] });

describe.each<[string, ResourceValidationPolicy, string, () => Props, (p: Props) => void, string[]]>([
  ["rds-storage-encrypted", data.rdsStorageEncrypted, RDS, rds, (p) => (p.storageEncrypted = false), ["RDS instance orders: storage is not encrypted; set storageEncrypted: true (with a KMS key)."]],
  ["rds-not-public", data.rdsNotPublic, RDS, rds, (p) => (p.publiclyAccessible = true), ["RDS instance orders: publicly accessible; set publiclyAccessible: false and reach it from private subnets."]],
  ["rds-backup-retention", data.rdsBackupRetention, RDS, rds, (p) => (p.backupRetentionPeriod = 3), ["RDS instance orders: keeps backups 3 day(s); set backupRetentionPeriod to at least 7."]],
  ["rds-multi-az", data.rdsMultiAz, RDS, rds, (p) => (p.multiAz = false), ["RDS instance orders: single-AZ; set multiAz: true so a zone outage fails over."]],
  ["rds-deletion-protection", data.rdsDeletionProtection, RDS, rds, (p) => Object.assign(p, { deletionProtection: false, skipFinalSnapshot: true }), [
    "RDS instance orders: no deletion protection; set deletionProtection: true.",
    "RDS instance orders: skips the final snapshot; set skipFinalSnapshot: false and a finalSnapshotIdentifier.",
  ]],
  ["elasticache-encryption", data.elasticacheEncryption, CACHE, cache, (p) => Object.assign(p, { transitEncryptionEnabled: false, authToken: undefined }), [
    "ElastiCache replication group sessions: not encrypted in transit; set transitEncryptionEnabled: true.",
    "ElastiCache replication group sessions: no auth token; set authToken (from a generated secret) or userGroupIds.",
  ]],
  ["elasticache-failover", data.elasticacheFailover, CACHE, cache, (p) => (p.automaticFailoverEnabled = false), ["ElastiCache replication group sessions: no automatic failover; set automaticFailoverEnabled: true with at least one replica."]],
  ["msk-encryption", data.mskEncryption, MSK, msk, (p) => (p.encryptionInfo = { encryptionInTransit: { clientBroker: "TLS_PLAINTEXT" } }), [
    'MSK cluster events: client traffic allows plaintext (clientBroker TLS_PLAINTEXT); set encryptionInfo.encryptionInTransit.clientBroker: "TLS".',
  ]],
  ["msk-logging", data.mskLogging, MSK, msk, (p) => delete p.loggingInfo, ["MSK cluster events: broker logs are not shipped; enable loggingInfo.brokerLogs.cloudwatchLogs."]],
  ["msk-private", data.mskPrivate, MSK, msk, (p) => (p.brokerNodeGroupInfo = { connectivityInfo: { publicAccess: { type: "SERVICE_PROVIDED_EIPS" } } }), [
    "MSK cluster events: brokers are publicly reachable (SERVICE_PROVIDED_EIPS); place them in private subnets with publicAccess DISABLED.",
  ]],
  ["eks-endpoint-restricted", eksEndpointRestricted, EKS, eks, (p) => (p.vpcConfig = { endpointPublicAccess: true }), [
    "EKS cluster prod: the API endpoint is open to the internet; set vpcConfig.endpointPublicAccess: false, or publicAccessCidrs to your networks.",
  ]],
  ["eks-secrets-encryption", eksSecretsEncryption, EKS, eks, (p) => delete p.encryptionConfig, ['EKS cluster prod: Secrets are not encrypted with KMS; set encryptionConfig { provider.keyArn, resources: ["secrets"] }.']],
  ["eks-control-plane-logging", eksControlPlaneLogging, EKS, eks, (p) => (p.enabledClusterLogTypes = ["api"]), ["EKS cluster prod: control-plane logs audit, authenticator are off; add them to enabledClusterLogTypes."]],
])("%s", (_name, policy, type, fixture, mutate, expected) => {
  it("passes the compliant fixture", () => expect(violations(policy, type, fixture())).toEqual([]));
  it("reports the mutation", () => {
    const p = fixture();
    mutate(p);
    expect(violations(policy, type, p)).toEqual(expected);
  });
});

describe("rds-deletion-protection on a read replica", () => {
  it("asks for deletion protection but no final snapshot (RDS takes none of a replica)", () => {
    const replica = { identifier: "orders-replica-1", replicateSourceDb: "orders", storageEncrypted: true, publiclyAccessible: false, skipFinalSnapshot: true };
    expect(violations(data.rdsDeletionProtection, RDS, { ...replica, deletionProtection: true })).toEqual([]);
    expect(violations(data.rdsDeletionProtection, RDS, replica)).toEqual(["RDS instance orders-replica-1: no deletion protection; set deletionProtection: true."]);
  });
});

describe("AWS stack policies", () => {
  const bucket = target("aws:s3/bucketV2:BucketV2", { bucket: "backups" }, "backups");
  const settings = () => [
    target("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", { bucket: "backups", blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true }, "b1"),
    target("aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2", { bucket: "backups" }, "b2"),
    target("aws:s3/bucketVersioningV2:BucketVersioningV2", { bucket: "backups", versioningConfiguration: { status: "Enabled" } }, "b3"),
    target("aws:s3/bucketPolicy:BucketPolicy", { bucket: "backups", policy: JSON.stringify({ Statement: [{ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } }] }) }, "b4"),
  ];

  it("pass a protected bucket", () => expect(stackViolations(s3Buckets, [bucket, ...settings()])).toEqual([]));

  it("report each missing protection of a bare bucket", () => {
    expect(stackViolations(s3Buckets, [bucket]).map((v) => v.message)).toEqual([
      "S3 bucket backups: public access is not fully blocked; add a BucketPublicAccessBlock with blockPublicAcls, blockPublicPolicy, ignorePublicAcls, restrictPublicBuckets all true.",
      "S3 bucket backups: no default encryption; add a BucketServerSideEncryptionConfiguration (aws:kms).",
      "S3 bucket backups: versioning is off; add a BucketVersioning with status Enabled so overwrites and deletes can be undone.",
      "S3 bucket backups: accepts plain HTTP; add a bucket policy that denies requests where aws:SecureTransport is false.",
    ]);
  });

  it("allow the internet only on 80/443 of tagged load balancer groups", () => {
    const lb = target("aws:ec2/securityGroup:SecurityGroup", { name: "alb", tags: { "keel.dev/load-balancer": "true" }, ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }] }, "alb");
    expect(stackViolations(securityGroupOpenIngress, [lb])).toEqual([]);
    const db = target("aws:ec2/securityGroup:SecurityGroup", { name: "db", ingress: [{ protocol: "tcp", fromPort: 5432, toPort: 5432, cidrBlocks: ["0.0.0.0/0"] }] }, "db");
    expect(stackViolations(securityGroupOpenIngress, [db])).toEqual([
      { urn: db.urn, message: "security group rule db: admits the internet on port 5432; allow only the security groups or CIDRs that need it (load balancers tagged keel.dev/load-balancer=true may open 80, 443)." },
    ]);
    const rule = target("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", { securityGroupId: "alb", cidrIpv4: "0.0.0.0/0", fromPort: 22, toPort: 22, ipProtocol: "tcp" }, "ssh");
    expect(stackViolations(securityGroupOpenIngress, [lb, rule]).map((v) => v.urn)).toEqual([rule.urn]);
  });
});
