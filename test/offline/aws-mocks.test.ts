/**
 * AWS, Docker and Helm resources offline: ids and computed outputs in the formats the real
 * providers return (so that code reading them sees realistic values), the same on every run,
 * with the program's inputs echoed; and the AWS provider functions keel answers itself.
 */
import * as pulumi from "@pulumi/pulumi";
import * as ec2 from "@pulumi/aws/ec2";
import * as eks from "@pulumi/aws/eks";
import * as iam from "@pulumi/aws/iam";
import * as kms from "@pulumi/aws/kms";
import * as cloudwatch from "@pulumi/aws/cloudwatch";
import * as ecr from "@pulumi/aws/ecr";
import * as efs from "@pulumi/aws/efs";
import * as rds from "@pulumi/aws/rds";
import * as elasticache from "@pulumi/aws/elasticache";
import * as msk from "@pulumi/aws/msk";
import * as s3 from "@pulumi/aws/s3";
import * as secretsmanager from "@pulumi/aws/secretsmanager";
import * as docker from "@pulumi/docker";
import * as k8s from "@pulumi/kubernetes";
import { getAvailabilityZonesOutput } from "@pulumi/aws/getAvailabilityZones";
import { getCallerIdentityOutput } from "@pulumi/aws/getCallerIdentity";
import { getPartitionOutput } from "@pulumi/aws/getPartition";
import { getRegionOutput } from "@pulumi/aws/getRegion";
import { getClusterAuthOutput } from "@pulumi/aws/eks/getClusterAuth";
import { getAuthorizationTokenOutput } from "@pulumi/aws/ecr/getAuthorizationToken";
import { Synthesized, synthesize, unwrap } from "../helpers/synth";
import { SECRET_SIG, SIG_KEY } from "../../offline/values";

const HEX17 = "[0-9a-f]{17}";

/** Reads the plain value of an Output inside the run (tests only). */
function seen(out: pulumi.Output<unknown>, into: Record<string, unknown>, key: string): void {
  out.apply((v) => (into[key] = v));
  pulumi.isSecret(out as pulumi.Output<unknown>).then((s) => (into[`${key}.secret`] = s));
}

function program(into: Record<string, unknown>) {
  return () => {
    const vpc = new ec2.Vpc("main", { cidrBlock: "10.0.0.0/16", tags: { Name: "main" } });
    const subnet = new ec2.Subnet("private-a", { vpcId: vpc.id, cidrBlock: "10.0.32.0/19", availabilityZone: "eu-west-1a" });
    const eip = new ec2.Eip("nat", { domain: "vpc" });
    new ec2.NatGateway("nat", { allocationId: eip.id, subnetId: subnet.id });
    new ec2.VpcEndpoint("ecr-api", { vpcId: vpc.id, serviceName: "com.amazonaws.eu-west-1.ecr.api", vpcEndpointType: "Interface", subnetIds: [subnet.id] });
    new ec2.SecurityGroup("nodes", { vpcId: vpc.id });
    const role = new iam.Role("cluster", { assumeRolePolicy: "{}" });
    new iam.Role("named", { name: "keel-named", assumeRolePolicy: "{}" });
    const key = new kms.Key("secrets", {});
    new cloudwatch.LogGroup("flow", { retentionInDays: 30 });
    const cluster = new eks.Cluster("eks", { name: "keel-prod", version: "1.33", roleArn: role.arn, vpcConfig: { subnetIds: [subnet.id] }, encryptionConfig: { provider: { keyArn: key.arn }, resources: ["secrets"] } });
    new iam.OpenIdConnectProvider("oidc", { url: cluster.identities[0].oidcs[0].issuer, clientIdLists: ["sts.amazonaws.com"] });
    new eks.Addon("vpc-cni", { clusterName: cluster.name, addonName: "vpc-cni" });
    const repo = new ecr.Repository("app", { name: "keel/app" });
    new efs.FileSystem("shared", { encrypted: true });
    new rds.Instance("db", { identifier: "orders", engine: "postgres", instanceClass: "db.t4g.medium", allocatedStorage: 20, manageMasterUserPassword: true, username: "app" });
    new elasticache.ReplicationGroup("cache", { replicationGroupId: "sessions", description: "sessions", transitEncryptionEnabled: true, numCacheClusters: 2 });
    new msk.Cluster("events", {
      clusterName: "events",
      kafkaVersion: "3.7.x",
      numberOfBrokerNodes: 3,
      brokerNodeGroupInfo: { instanceType: "kafka.m7g.large", clientSubnets: [subnet.id], securityGroups: [] },
      clientAuthentication: { sasl: { scram: true, iam: true } },
    });
    new s3.Bucket("assets", {});
    new secretsmanager.Secret("api", { name: "keel/api" });
    new ec2.Instance("bastion", { ami: "ami-0123", instanceType: "t3.micro" });
    new docker.Image("app", { imageName: pulumi.interpolate`${repo.repositoryUrl}:v1`, build: { context: "./app" }, skipPush: false });
    new k8s.helm.v3.Release("ingress", { chart: "ingress-nginx", version: "4.12.1", namespace: "ingress", repositoryOpts: { repo: "https://kubernetes.github.io/ingress-nginx" } });

    seen(getAvailabilityZonesOutput({ state: "available" }), into, "azs");
    seen(getCallerIdentityOutput(), into, "caller");
    seen(getPartitionOutput(), into, "partition");
    seen(getRegionOutput(), into, "region");
    seen(getClusterAuthOutput({ name: "keel-prod" }), into, "auth");
    seen(getAuthorizationTokenOutput({}), into, "ecr");
  };
}

async function run(config: Record<string, string> = {}): Promise<{ s: Synthesized; calls: Record<string, unknown> }> {
  const calls: Record<string, unknown> = {};
  const s = await synthesize(program(calls), config);
  return { s, calls };
}

let s: Synthesized;
let calls: Record<string, unknown>;
beforeAll(async () => {
  ({ s, calls } = await run());
});

const state = (name: string, type: string) => unwrap(s.resource(name, type).state) as Record<string, unknown>;

describe("AWS resources", () => {
  it("gives VPC network resources their AWS id formats", () => {
    const vpc = s.resource("main", "ec2/vpc:Vpc");
    expect(vpc.id).toMatch(new RegExp(`^vpc-${HEX17}$`));
    const v = state("main", "Vpc");
    expect(v.arn).toBe(`arn:aws:ec2:eu-west-1:123456789012:vpc/${vpc.id}`);
    expect(v.defaultSecurityGroupId).toMatch(new RegExp(`^sg-${HEX17}$`));
    expect(v.mainRouteTableId).toMatch(new RegExp(`^rtb-${HEX17}$`));
    expect(v.defaultNetworkAclId).toMatch(new RegExp(`^acl-${HEX17}$`));
    expect(v.cidrBlock).toBe("10.0.0.0/16");
    expect(v.tagsAll).toEqual({ Name: "main" });
    expect(s.resource("private-a", "Subnet").id).toMatch(new RegExp(`^subnet-${HEX17}$`));
    expect(state("private-a", "Subnet")).toMatchObject({ availabilityZone: "eu-west-1a", availabilityZoneId: "euw1-az1", vpcId: vpc.id });
    const eip = state("nat", "Eip");
    expect(eip.allocationId).toMatch(new RegExp(`^eipalloc-${HEX17}$`));
    expect(eip.publicIp).toMatch(/^203\.0\.113\.\d+$/);
    const nat = state("nat", "NatGateway");
    expect(s.resource("nat", "NatGateway").id).toMatch(new RegExp(`^nat-${HEX17}$`));
    expect(nat.publicIp).toBe(eip.publicIp);
    expect(nat.privateIp).toMatch(/^10\.0\.(3[2-9]|[4-5]\d|6[0-3])\.\d+$/);
    const vpce = state("ecr-api", "VpcEndpoint");
    expect(s.resource("ecr-api", "VpcEndpoint").id).toMatch(new RegExp(`^vpce-${HEX17}$`));
    expect((vpce.dnsEntries as { dnsName: string }[])[0].dnsName).toMatch(new RegExp(`^vpce-${HEX17}-[a-z0-9]{8}\\.ecr\\.api\\.eu-west-1\\.vpce\\.amazonaws\\.com$`));
    expect(state("nodes", "SecurityGroup").name).toMatch(/^nodes-[0-9a-f]{7}$/);
  });

  it("names IAM roles as Pulumi auto-names them and gives their ARNs", () => {
    const auto = state("cluster", "iam/role:Role");
    expect(auto.name).toMatch(/^cluster-[0-9a-f]{7}$/);
    expect(auto.arn).toBe(`arn:aws:iam::123456789012:role/${auto.name}`);
    expect(auto.uniqueId).toMatch(/^AROA[A-Z0-9]{17}$/);
    expect(s.resource("named", "iam/role:Role").id).toBe("keel-named");
    expect(state("named", "iam/role:Role").arn).toBe("arn:aws:iam::123456789012:role/keel-named");
  });

  it("gives KMS keys, log groups and EKS clusters their real formats", () => {
    const key = state("secrets", "kms/key:Key");
    expect(key.arn).toMatch(/^arn:aws:kms:eu-west-1:123456789012:key\/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(key.arn).toBe(`arn:aws:kms:eu-west-1:123456789012:key/${key.keyId}`);
    const log = state("flow", "LogGroup");
    expect(log.arn).toBe(`arn:aws:logs:eu-west-1:123456789012:log-group:${log.name}`);
    expect(log.retentionInDays).toBe(30);
    const c = state("eks", "eks/cluster:Cluster");
    expect(c.arn).toBe("arn:aws:eks:eu-west-1:123456789012:cluster/keel-prod");
    expect(c.endpoint).toMatch(/^https:\/\/[0-9A-F]{32}\.gr7\.eu-west-1\.eks\.amazonaws\.com$/);
    expect(c.identities).toEqual([{ oidcs: [{ issuer: expect.stringMatching(/^https:\/\/oidc\.eks\.eu-west-1\.amazonaws\.com\/id\/[0-9A-F]{32}$/) }] }]);
    expect(Buffer.from((c.certificateAuthority as { data: string }).data, "base64").toString()).toMatch(/^-----BEGIN CERTIFICATE-----\n[A-Za-z0-9+/=\n]+\n-----END CERTIFICATE-----\n$/);
    expect(c.vpcConfig).toMatchObject({ subnetIds: [s.resource("private-a", "Subnet").id], vpcId: s.resource("main", "ec2/vpc:Vpc").id, clusterSecurityGroupId: expect.stringMatching(new RegExp(`^sg-${HEX17}$`)) });
    expect(c).toMatchObject({ version: "1.33", status: "ACTIVE", platformVersion: expect.stringMatching(/^eks\.\d+$/) });
    const issuer = ((c.identities as { oidcs: { issuer: string }[] }[])[0].oidcs[0].issuer as string).replace("https://", "");
    expect(state("oidc", "OpenIdConnectProvider").arn).toBe(`arn:aws:iam::123456789012:oidc-provider/${issuer}`);
    expect(state("vpc-cni", "eks/addon:Addon").addonVersion).toMatch(/^v\d+\.\d+\.\d+-eksbuild\.\d+$/);
  });

  it("gives ECR, EFS, RDS, ElastiCache, MSK, S3 and Secrets Manager their endpoints and ARNs", () => {
    expect(state("app", "ecr/repository:Repository").repositoryUrl).toBe("123456789012.dkr.ecr.eu-west-1.amazonaws.com/keel/app");
    expect(s.resource("shared", "FileSystem").id).toMatch(new RegExp(`^fs-${HEX17}$`));
    const db = state("db", "rds/instance:Instance");
    expect(db.endpoint).toMatch(/^orders\.[a-z0-9]{12}\.eu-west-1\.rds\.amazonaws\.com:5432$/);
    expect(db).toMatchObject({ address: (db.endpoint as string).replace(/:5432$/, ""), port: 5432, arn: "arn:aws:rds:eu-west-1:123456789012:db:orders", resourceId: expect.stringMatching(/^db-[A-Z0-9]{26}$/) });
    expect(db.masterUserSecrets).toEqual([{ secretArn: expect.stringMatching(/^arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-[0-9a-f-]{36}-[A-Za-z0-9]{6}$/), kmsKeyId: expect.stringMatching(/^arn:aws:kms:/), secretStatus: "active" }]);
    const cache = state("cache", "ReplicationGroup");
    expect(cache.primaryEndpointAddress).toMatch(/^master\.sessions\.[a-z0-9]{6}\.euw1\.cache\.amazonaws\.com$/);
    expect(cache.readerEndpointAddress).toMatch(/^replica\.sessions\.[a-z0-9]{6}\.euw1\.cache\.amazonaws\.com$/);
    expect(cache).toMatchObject({ port: 6379, arn: "arn:aws:elasticache:eu-west-1:123456789012:replicationgroup:sessions", memberClusters: ["sessions-001", "sessions-002"] });
    const kafka = state("events", "msk/cluster:Cluster");
    const brokers = (port: number) => new RegExp(`^b-1\\.events\\.([a-z0-9]{6})\\.c2\\.kafka\\.eu-west-1\\.amazonaws\\.com:${port},b-2\\.events\\.\\1\\.c2\\.kafka\\.eu-west-1\\.amazonaws\\.com:${port},b-3\\.events\\.\\1\\.c2\\.kafka\\.eu-west-1\\.amazonaws\\.com:${port}$`);
    expect(kafka.bootstrapBrokersSaslScram).toMatch(brokers(9096));
    expect(kafka.bootstrapBrokersSaslIam).toMatch(brokers(9098));
    expect(kafka.bootstrapBrokersTls).toMatch(brokers(9094));
    expect(kafka.arn).toMatch(/^arn:aws:kafka:eu-west-1:123456789012:cluster\/events\/[0-9a-f-]{36}-\d+$/);
    const bucket = state("assets", "s3/bucket:Bucket");
    expect(bucket.bucket).toMatch(/^assets-[0-9a-f]{7}$/);
    expect(bucket).toMatchObject({ arn: `arn:aws:s3:::${bucket.bucket}`, bucketRegionalDomainName: `${bucket.bucket}.s3.eu-west-1.amazonaws.com` });
    expect(state("api", "secretsmanager/secret:Secret").arn).toMatch(/^arn:aws:secretsmanager:eu-west-1:123456789012:secret:keel\/api-[A-Za-z0-9]{6}$/);
    const bastion = s.resource("bastion", "ec2/instance:Instance");
    expect(bastion.id).toMatch(/^bastion-[0-9a-f]{8}$/);
    expect(state("bastion", "ec2/instance:Instance")).toMatchObject({ ami: "ami-0123", arn: `arn:aws:ec2:eu-west-1:123456789012:instance/${bastion.id}` });
  });

  it("gives a docker image a repo digest and a Helm release its deployed status", () => {
    const image = state("app", "docker:index/image:Image");
    expect(image.imageName).toBe("123456789012.dkr.ecr.eu-west-1.amazonaws.com/keel/app:v1");
    expect(image.repoDigest).toMatch(/^123456789012\.dkr\.ecr\.eu-west-1\.amazonaws\.com\/keel\/app@sha256:[0-9a-f]{64}$/);
    expect(image.registryServer).toBe("123456789012.dkr.ecr.eu-west-1.amazonaws.com");
    const release = state("ingress", "helm.sh/v3:Release");
    expect(release.name).toMatch(/^ingress-[0-9a-f]{8}$/);
    expect(release.status).toMatchObject({ namespace: "ingress", name: release.name, version: "4.12.1", status: "deployed" });
    expect(release.chart).toBe("ingress-nginx");
  });

  it("gives the same values on every run, and takes the region from aws:region", async () => {
    const again = await run();
    expect(again.s.resources.map((r) => [r.id, unwrap(r.state)])).toEqual(s.resources.map((r) => [r.id, unwrap(r.state)]));
    const us = await run({ "aws:region": "us-east-2" });
    expect(unwrap(us.s.resource("eks", "eks/cluster:Cluster").state)).toMatchObject({ endpoint: expect.stringMatching(/\.gr7\.us-east-2\.eks\.amazonaws\.com$/) });
    expect(us.calls.azs).toMatchObject({ names: ["us-east-2a", "us-east-2b", "us-east-2c"], zoneIds: ["use2-az1", "use2-az2", "use2-az3"] });
  });
});

describe("AWS provider functions", () => {
  it("answers availability zones, caller identity, partition and region", () => {
    expect(calls.azs).toMatchObject({ names: ["eu-west-1a", "eu-west-1b", "eu-west-1c"], zoneIds: ["euw1-az1", "euw1-az2", "euw1-az3"], state: "available" });
    expect(calls.caller).toMatchObject({ accountId: "123456789012", arn: "arn:aws:sts::123456789012:assumed-role/keel-deployer/session" });
    expect(calls.partition).toMatchObject({ partition: "aws", dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws" });
    expect(calls.region).toMatchObject({ name: "eu-west-1", region: "eu-west-1", description: "Europe (Ireland)" });
  });

  it("answers EKS and ECR tokens as secrets", () => {
    expect(calls["auth.secret"]).toBe(true);
    expect((calls.auth as { token: string }).token).toMatch(/^k8s-aws-v1\.[A-Za-z0-9_-]+$/);
    expect(calls["ecr.secret"]).toBe(true);
    const ecrToken = calls.ecr as { proxyEndpoint: string; userName: string; password: string; authorizationToken: string };
    expect(ecrToken).toMatchObject({ proxyEndpoint: "https://123456789012.dkr.ecr.eu-west-1.amazonaws.com", userName: "AWS" });
    expect(Buffer.from(ecrToken.authorizationToken, "base64").toString()).toBe(`AWS:${ecrToken.password}`);
  });

  it("marks the EKS token secret on the wire", async () => {
    const { call } = await import("../../offline/providers");
    const answer = call("aws:eks/getClusterAuth:getClusterAuth", { name: "x" });
    expect((answer.token as Record<string, unknown>)[SIG_KEY]).toBe(SECRET_SIG);
  });
});
