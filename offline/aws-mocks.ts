/**
 * What AWS would return for a new resource, offline: ids and computed outputs in the formats
 * the real provider uses (vpc-<17 hex>, ARNs, EKS endpoints, RDS and MSK addresses), derived from
 * the URN so that every run gives the same values. Inputs are echoed by the monitor (the state is
 * the inputs with these outputs merged over them); an output never replaces an input the program
 * gave, as the real providers echo those. Account 123456789012; the region is a resource's own
 * `region` input, else the stack's `aws:region` config, else eu-west-1. docs/offline-mocks.md.
 */
import type { NewResource, ProviderResult } from "./providers";
import { digest, unwrap } from "./values";
import { AWS_ACCOUNT, AWS_PARTITION, Inputs, LOWER_ALNUM, Values, at, keepInputs, pick, shortRegion } from "./mock-values";


/** Subnets and Elastic IPs made in this process (ids are per URN), for NAT gateways and mount targets. */
const subnets = new Map<string, { cidr?: string; az?: string; vpcId?: string }>();
const eips = new Map<string, string>();

/** A host address inside a CIDR (skipping the 4 AWS reserves at the start), else in 10.0.0.0/16. */
function hostIn(cidr: string | undefined, seed: string): string {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr ?? "") ?? ["", "10", "0", "0", "0", "16"];
  const base = ((+m[1] << 24) >>> 0) + (+m[2] << 16) + (+m[3] << 8) + +m[4];
  const size = 2 ** (32 - Math.min(28, Math.max(8, +m[5])));
  const ip = base + 4 + (parseInt(digest(seed, 8), 16) % (size - 5));
  return [ip >>> 24, (ip >>> 16) & 255, (ip >>> 8) & 255, ip & 255].join(".");
}

function azId(region: string, az: string | undefined): string | undefined {
  if (!az || !az.startsWith(region)) return undefined;
  return `${shortRegion(region)}-az${az.charCodeAt(az.length - 1) - 96}`;
}

function pem(v: Values): string {
  const body = Buffer.from(v.hex("ca", 256), "hex").toString("base64");
  const lines = body.match(/.{1,64}/g) ?? [];
  return Buffer.from(`-----BEGIN CERTIFICATE-----\n${lines.join("\n")}\n-----END CERTIFICATE-----\n`).toString("base64");
}

const ADDON_VERSIONS: Record<string, string> = {
  "vpc-cni": "v1.19.5-eksbuild.1",
  coredns: "v1.11.4-eksbuild.2",
  "kube-proxy": "v1.33.0-eksbuild.2",
  "aws-ebs-csi-driver": "v1.44.0-eksbuild.1",
  "aws-efs-csi-driver": "v2.1.8-eksbuild.1",
  "eks-pod-identity-agent": "v1.3.7-eksbuild.2",
};

type Handler = (v: Values) => ProviderResult;

function ec2Arn(v: Values, kind: string, id: string): string {
  return v.arn("ec2", `${kind}/${id}`);
}

/** `{ id, outputs: { arn, ownerId } }` of an EC2 resource with an `<prefix>-<17 hex>` id. */
function ec2Simple(prefix: string, kind: string, extra: (v: Values, id: string) => Inputs = () => ({})): Handler {
  return (v) => {
    const id = v.ec2(prefix);
    return { id, outputs: { arn: ec2Arn(v, kind, id), ownerId: AWS_ACCOUNT, ...extra(v, id) } };
  };
}

function brokers(v: Values, name: string, port: number, prefix = "b"): string {
  const count = Math.min(3, typeof v.inputs.numberOfBrokerNodes === "number" ? v.inputs.numberOfBrokerNodes : 3);
  const host = `${name}.${v.lower("msk", 6)}.c2.kafka.${v.region}.amazonaws.com`;
  return Array.from({ length: count }, (_, i) => `${prefix}-${i + 1}.${host}:${port}`).join(",");
}


const AWS: Record<string, Handler> = {
  "aws:ec2/vpc:Vpc": (v) => {
    const id = v.ec2("vpc");
    const rtb = v.ec2("rtb");
    return {
      id,
      outputs: { arn: ec2Arn(v, "vpc", id), ownerId: AWS_ACCOUNT, defaultSecurityGroupId: v.ec2("sg"), mainRouteTableId: rtb, defaultRouteTableId: rtb, defaultNetworkAclId: v.ec2("acl"), dhcpOptionsId: v.ec2("dopt"), instanceTenancy: "default", enableDnsSupport: true },
    };
  },
  "aws:ec2/subnet:Subnet": (v) => {
    const id = v.ec2("subnet");
    const az = v.str("availabilityZone") ?? `${v.region}a`;
    subnets.set(id, { cidr: v.str("cidrBlock"), az, vpcId: v.str("vpcId") });
    return { id, outputs: { arn: ec2Arn(v, "subnet", id), ownerId: AWS_ACCOUNT, availabilityZone: az, availabilityZoneId: azId(v.region, az) ?? `${shortRegion(v.region)}-az1` } };
  },
  "aws:ec2/internetGateway:InternetGateway": ec2Simple("igw", "internet-gateway"),
  "aws:ec2/eip:Eip": (v) => {
    const id = v.ec2("eipalloc");
    const ip = `203.0.113.${1 + (parseInt(v.hex("ip", 4), 16) % 254)}`;
    eips.set(id, ip);
    return { id, outputs: { arn: ec2Arn(v, "elastic-ip", id), allocationId: id, publicIp: ip, publicDns: `ec2-${ip.replace(/\./g, "-")}.${v.region}.compute.amazonaws.com`, domain: "vpc", networkBorderGroup: v.region, publicIpv4Pool: "amazon" } };
  },
  "aws:ec2/natGateway:NatGateway": (v) => {
    const allocation = v.str("allocationId");
    const subnet = subnets.get(v.str("subnetId") ?? "");
    const publicIp = (allocation && eips.get(allocation)) || `198.51.100.${1 + (parseInt(v.hex("ip", 4), 16) % 254)}`;
    return { id: v.ec2("nat"), outputs: { publicIp, privateIp: hostIn(subnet?.cidr, `${v.r.urn}#private`), networkInterfaceId: v.ec2("eni"), connectivityType: "public" } };
  },
  "aws:ec2/routeTable:RouteTable": ec2Simple("rtb", "route-table"),
  "aws:ec2/route:Route": (v) => ({ id: `r-${v.str("routeTableId") ?? v.ec2("rtb")}${v.hex("route", 10).replace(/[a-f]/g, "1")}`, outputs: { origin: "CreateRoute", state: "active" } }),
  "aws:ec2/routeTableAssociation:RouteTableAssociation": (v) => ({ id: v.ec2("rtbassoc"), outputs: {} }),
  "aws:ec2/flowLog:FlowLog": ec2Simple("fl", "vpc-flow-log"),
  "aws:ec2/vpcEndpoint:VpcEndpoint": (v) => {
    const id = v.ec2("vpce");
    const type = v.str("vpcEndpointType") ?? "Gateway";
    const service = (v.str("serviceName") ?? "").replace(/^com\.amazonaws\.[^.]+\./, "");
    const outputs: Inputs = { arn: ec2Arn(v, "vpc-endpoint", id), ownerId: AWS_ACCOUNT, state: "available", requesterManaged: false };
    if (type === "Interface") {
      const host = `${id}-${v.lower("dns", 8)}.${service}.${v.region}.vpce.amazonaws.com`;
      const zone = `Z${v.upper("zone", 13)}`;
      outputs.dnsEntries = [{ dnsName: host, hostedZoneId: zone }, ...(v.inputs.privateDnsEnabled === true ? [{ dnsName: `${service}.${v.region}.amazonaws.com`, hostedZoneId: `Z${v.upper("private-zone", 13)}` }] : [])];
      outputs.networkInterfaceIds = (Array.isArray(v.inputs.subnetIds) ? v.inputs.subnetIds : []).map((_, i) => `eni-${v.hex(`eni${i}`, 17)}`);
    } else {
      outputs.prefixListId = `pl-${v.hex("pl", 8)}`;
      outputs.dnsEntries = [];
    }
    return { id, outputs };
  },
  "aws:ec2/securityGroup:SecurityGroup": (v) => {
    const id = v.ec2("sg");
    return { id, outputs: { arn: ec2Arn(v, "security-group", id), ownerId: AWS_ACCOUNT, name: v.name() } };
  },
  "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": (v) => {
    const id = v.ec2("sg");
    return { id, outputs: { arn: ec2Arn(v, "security-group", id), ownerId: AWS_ACCOUNT, name: "default", description: "default VPC security group" } };
  },
  "aws:ec2/securityGroupRule:SecurityGroupRule": (v) => ({ id: `sgrule-${parseInt(v.hex("rule", 8), 16)}`, outputs: { securityGroupRuleId: v.ec2("sgr") } }),
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": sgr,
  "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": sgr,
  "aws:ec2/launchTemplate:LaunchTemplate": (v) => {
    const id = v.ec2("lt");
    return { id, outputs: { arn: ec2Arn(v, "launch-template", id), name: v.name(), latestVersion: 1, defaultVersion: 1 } };
  },

  "aws:iam/role:Role": (v) => {
    const name = v.name();
    return { id: name, outputs: { name, arn: v.arn("iam", `role${v.str("path") ?? "/"}${name}`, false), uniqueId: `AROA${v.upper("unique", 17)}`, createDate: "2026-01-01T00:00:00Z", path: "/" } };
  },
  "aws:iam/policy:Policy": (v) => {
    const name = v.name();
    const arn = v.arn("iam", `policy${v.str("path") ?? "/"}${name}`, false);
    return { id: arn, outputs: { name, arn, policyId: `ANPA${v.upper("unique", 17)}`, attachmentCount: 0, path: "/" } };
  },
  "aws:iam/rolePolicy:RolePolicy": (v) => {
    const name = v.name();
    return { id: `${v.str("role") ?? "role"}:${name}`, outputs: { name } };
  },
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment": (v) => ({ id: `${v.str("role") ?? v.r.name}-${v.hex("attachment", 26).replace(/[a-f]/g, "0")}`, outputs: {} }),
  "aws:iam/openIdConnectProvider:OpenIdConnectProvider": (v) => {
    const arn = v.arn("iam", `oidc-provider/${(v.str("url") ?? `oidc.example.com/${v.hex("oidc", 8)}`).replace(/^https:\/\//, "")}`, false);
    return { id: arn, outputs: { arn } };
  },
  "aws:iam/instanceProfile:InstanceProfile": (v) => {
    const name = v.name();
    return { id: name, outputs: { name, arn: v.arn("iam", `instance-profile${v.str("path") ?? "/"}${name}`, false), uniqueId: `AIPA${v.upper("unique", 17)}`, createDate: "2026-01-01T00:00:00Z" } };
  },

  "aws:kms/key:Key": (v) => {
    const keyId = v.uuid("key");
    return { id: keyId, outputs: { keyId, arn: v.arn("kms", `key/${keyId}`), keyUsage: "ENCRYPT_DECRYPT", customerMasterKeySpec: "SYMMETRIC_DEFAULT", isEnabled: true } };
  },
  "aws:kms/alias:Alias": (v) => {
    const name = v.str("name") ?? `alias/${v.name()}`;
    const target = v.str("targetKeyId") ?? "";
    return { id: name, outputs: { name, arn: v.arn("kms", name), targetKeyArn: target.startsWith("arn:") ? target : v.arn("kms", `key/${target}`) } };
  },
  "aws:cloudwatch/logGroup:LogGroup": (v) => {
    const name = v.name();
    return { id: name, outputs: { name, arn: v.arn("logs", `log-group:${name}`), logGroupClass: "STANDARD" } };
  },

  "aws:eks/cluster:Cluster": (v) => {
    const name = v.name();
    const version = v.str("version") ?? "1.33";
    const firstSubnet = at(v.inputs.vpcConfig, "subnetIds");
    const vpcId = (Array.isArray(firstSubnet) && typeof firstSubnet[0] === "string" && subnets.get(firstSubnet[0])?.vpcId) || v.ec2("vpc");
    return {
      id: name,
      outputs: {
        name,
        arn: v.arn("eks", `cluster/${name}`),
        endpoint: `https://${v.hex("endpoint", 32).toUpperCase()}.gr7.${v.region}.eks.amazonaws.com`,
        certificateAuthority: { data: pem(v) },
        identities: [{ oidcs: [{ issuer: `https://oidc.eks.${v.region}.amazonaws.com/id/${v.hex("oidc", 32).toUpperCase()}` }] }],
        vpcConfig: { clusterSecurityGroupId: v.ec2("sg"), vpcId, endpointPrivateAccess: false, endpointPublicAccess: true, publicAccessCidrs: ["0.0.0.0/0"] },
        kubernetesNetworkConfig: { ipFamily: "ipv4", serviceIpv4Cidr: "172.20.0.0/16" },
        version,
        status: "ACTIVE",
        platformVersion: "eks.8",
        createdAt: "2026-01-01T00:00:00Z",
      },
    };
  },
  "aws:eks/nodeGroup:NodeGroup": (v) => {
    const cluster = v.str("clusterName") ?? "cluster";
    const name = v.name("nodeGroupName");
    const id = v.uuid("nodegroup");
    return {
      id: `${cluster}:${name}`,
      outputs: { nodeGroupName: name, arn: v.arn("eks", `nodegroup/${cluster}/${name}/${id}`), status: "ACTIVE", capacityType: "ON_DEMAND", amiType: "AL2023_x86_64_STANDARD", resources: [{ autoscalingGroups: [{ name: `eks-${name}-${id}` }], remoteAccessSecurityGroupId: "" }] },
    };
  },
  "aws:eks/addon:Addon": (v) => {
    const cluster = v.str("clusterName") ?? "cluster";
    const addon = v.str("addonName") ?? v.r.name;
    return { id: `${cluster}:${addon}`, outputs: { arn: v.arn("eks", `addon/${cluster}/${addon}/${v.uuid("addon")}`), addonVersion: ADDON_VERSIONS[addon] ?? "v1.0.0-eksbuild.1", createdAt: "2026-01-01T00:00:00Z" } };
  },
  "aws:eks/accessEntry:AccessEntry": (v) => {
    const cluster = v.str("clusterName") ?? "cluster";
    const principal = v.str("principalArn") ?? "";
    const role = principal.split("/").pop() ?? "role";
    return { id: `${cluster}:${principal}`, outputs: { accessEntryArn: v.arn("eks", `access-entry/${cluster}/role/${AWS_ACCOUNT}/${role}/${v.uuid("entry")}`), type: "STANDARD", userName: `arn:aws:sts::${AWS_ACCOUNT}:assumed-role/${role}/{{SessionName}}`, createdAt: "2026-01-01T00:00:00Z" } };
  },
  "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": (v) => ({
    id: `${v.str("clusterName") ?? "cluster"}#${v.str("principalArn") ?? ""}#${v.str("policyArn") ?? ""}`,
    outputs: { associatedAt: "2026-01-01T00:00:00Z", modifiedAt: "2026-01-01T00:00:00Z" },
  }),
  "aws:eks/podIdentityAssociation:PodIdentityAssociation": (v) => {
    const cluster = v.str("clusterName") ?? "cluster";
    const associationId = `a-${v.lower("association", 17)}`;
    return { id: `${cluster},${associationId}`, outputs: { associationId, associationArn: v.arn("eks", `podidentityassociation/${cluster}/${associationId}`) } };
  },

  "aws:ecr/repository:Repository": (v) => {
    const name = v.name("name", true);
    return { id: name, outputs: { name, arn: v.arn("ecr", `repository/${name}`), registryId: AWS_ACCOUNT, repositoryUrl: `${AWS_ACCOUNT}.dkr.ecr.${v.region}.amazonaws.com/${name}` } };
  },
  "aws:ecr/lifecyclePolicy:LifecyclePolicy": (v) => ({ id: v.str("repository") ?? v.r.name, outputs: { registryId: AWS_ACCOUNT } }),

  "aws:efs/fileSystem:FileSystem": (v) => {
    const id = v.ec2("fs");
    return { id, outputs: { arn: v.arn("elasticfilesystem", `file-system/${id}`), dnsName: `${id}.efs.${v.region}.amazonaws.com`, ownerId: AWS_ACCOUNT, creationToken: v.name("creationToken"), numberOfMountTargets: 0 } };
  },
  "aws:efs/mountTarget:MountTarget": (v) => {
    const fs = v.str("fileSystemId") ?? v.ec2("fs");
    const subnet = subnets.get(v.str("subnetId") ?? "");
    const az = subnet?.az ?? `${v.region}a`;
    return {
      id: v.ec2("fsmt"),
      outputs: { ipAddress: hostIn(subnet?.cidr, `${v.r.urn}#ip`), dnsName: `${fs}.efs.${v.region}.amazonaws.com`, mountTargetDnsName: `${az}.${fs}.efs.${v.region}.amazonaws.com`, fileSystemArn: v.arn("elasticfilesystem", `file-system/${fs}`), networkInterfaceId: v.ec2("eni"), availabilityZoneName: az, availabilityZoneId: azId(v.region, az) ?? "", ownerId: AWS_ACCOUNT },
    };
  },
  "aws:efs/accessPoint:AccessPoint": (v) => {
    const id = v.ec2("fsap");
    const fs = v.str("fileSystemId") ?? v.ec2("fs");
    return { id, outputs: { arn: v.arn("elasticfilesystem", `access-point/${id}`), fileSystemArn: v.arn("elasticfilesystem", `file-system/${fs}`), ownerId: AWS_ACCOUNT } };
  },

  "aws:rds/instance:Instance": (v) => {
    const identifier = v.name("identifier", true);
    const engine = v.str("engine") ?? "postgres";
    const port = typeof v.inputs.port === "number" ? v.inputs.port : /mysql|maria|aurora-mysql/.test(engine) ? 3306 : /sqlserver/.test(engine) ? 1433 : /oracle/.test(engine) ? 1521 : 5432;
    // The middle label is the same for every instance of an account in a region.
    const address = `${identifier}.${pick(`${AWS_ACCOUNT}#${v.region}#rds`, 12, LOWER_ALNUM)}.${v.region}.rds.amazonaws.com`;
    const resourceId = `db-${v.upper("resource", 26)}`;
    const outputs: Inputs = { identifier, address, port, endpoint: `${address}:${port}`, arn: v.arn("rds", `db:${identifier}`), resourceId, status: "available", engineVersionActual: v.str("engineVersion") ?? "17.4", hostedZoneId: `Z${v.upper("zone", 13)}`, caCertIdentifier: "rds-ca-rsa2048-g1" };
    if (v.inputs.manageMasterUserPassword === true) {
      outputs.masterUserSecrets = [{ secretArn: v.arn("secretsmanager", `secret:rds!db-${v.uuid("secret")}-${v.alnum("suffix", 6)}`), kmsKeyId: v.str("masterUserSecretKmsKeyId") ?? v.arn("kms", `key/${v.uuid("secret-key")}`), secretStatus: "active" }];
    }
    return { id: resourceId, outputs };
  },
  "aws:rds/subnetGroup:SubnetGroup": (v) => {
    const name = v.name("name", true);
    return { id: name, outputs: { name, arn: v.arn("rds", `subgrp:${name}`), supportedNetworkTypes: ["IPV4"] } };
  },
  "aws:rds/parameterGroup:ParameterGroup": (v) => {
    const name = v.name("name", true);
    return { id: name, outputs: { name, arn: v.arn("rds", `pg:${name}`) } };
  },

  "aws:elasticache/replicationGroup:ReplicationGroup": (v) => {
    const id = v.name("replicationGroupId", true);
    const domain = `${v.lower("cache", 6)}.${shortRegion(v.region)}.cache.amazonaws.com`;
    const clustered = v.str("clusterMode") === "enabled" || (typeof v.inputs.numNodeGroups === "number" && v.inputs.numNodeGroups > 1);
    // With TLS the endpoints are master./replica.<id>…; without, <id>.…ng.0001… and <id>-ro.…ng.0001…
    const tls = v.inputs.transitEncryptionEnabled === true;
    const endpoints: Inputs = clustered
      ? { configurationEndpointAddress: `clustercfg.${id}.${domain}` }
      : { primaryEndpointAddress: tls ? `master.${id}.${domain}` : `${id}.${domain.replace(/\./, ".ng.0001.")}`, readerEndpointAddress: tls ? `replica.${id}.${domain}` : `${id}-ro.${domain.replace(/\./, ".ng.0001.")}` };
    const count = typeof v.inputs.numCacheClusters === "number" ? v.inputs.numCacheClusters : 1;
    return { id, outputs: { replicationGroupId: id, arn: v.arn("elasticache", `replicationgroup:${id}`), port: 6379, clusterEnabled: clustered, memberClusters: Array.from({ length: count }, (_, i) => `${id}-${String(i + 1).padStart(3, "0")}`), engineVersionActual: v.str("engineVersion") ?? "7.1.0", ...endpoints } };
  },
  "aws:elasticache/subnetGroup:SubnetGroup": (v) => {
    const name = v.name("name", true);
    return { id: name, outputs: { name, arn: v.arn("elasticache", `subnetgroup:${name}`) } };
  },

  "aws:msk/cluster:Cluster": (v) => {
    const name = v.name("clusterName");
    const arn = v.arn("kafka", `cluster/${name}/${v.uuid("cluster")}-2`);
    const auth = v.inputs.clientAuthentication ?? null;
    const clientBroker = at(v.inputs.encryptionInfo, "encryptionInTransit.clientBroker") ?? "TLS";
    const outputs: Inputs = {
      clusterName: name,
      arn,
      clusterUuid: `${v.uuid("cluster")}-2`,
      currentVersion: v.upper("version", 14),
      bootstrapBrokers: clientBroker === "PLAINTEXT" || clientBroker === "TLS_PLAINTEXT" ? brokers(v, name, 9092) : "",
      bootstrapBrokersTls: clientBroker === "TLS" || clientBroker === "TLS_PLAINTEXT" ? brokers(v, name, 9094) : "",
      bootstrapBrokersSaslScram: at(auth, "sasl.scram") === true ? brokers(v, name, 9096) : "",
      bootstrapBrokersSaslIam: at(auth, "sasl.iam") === true ? brokers(v, name, 9098) : "",
      zookeeperConnectString: brokers(v, name, 2181, "z"),
      zookeeperConnectStringTls: brokers(v, name, 2182, "z"),
    };
    return { id: arn, outputs };
  },
  "aws:msk/configuration:Configuration": (v) => {
    const name = v.name();
    const arn = v.arn("kafka", `configuration/${name}/${v.uuid("configuration")}-2`);
    return { id: arn, outputs: { name, arn, latestRevision: 1 } };
  },
  "aws:msk/scramSecretAssociation:ScramSecretAssociation": (v) => ({ id: v.str("clusterArn") ?? v.r.name, outputs: {} }),

  "aws:s3/bucket:Bucket": bucket,
  "aws:s3/bucketV2:BucketV2": bucket,
  "aws:secretsmanager/secret:Secret": (v) => {
    const name = v.name();
    const arn = v.arn("secretsmanager", `secret:${name}-${v.alnum("suffix", 6)}`);
    return { id: arn, outputs: { name, arn } };
  },
  "aws:secretsmanager/secretVersion:SecretVersion": (v) => {
    const versionId = v.uuid("version");
    const secret = v.str("secretId") ?? "";
    return { id: `${secret}|${versionId}`, outputs: { versionId, arn: secret, versionStages: ["AWSCURRENT"] } };
  },
};

function sgr(v: Values): ProviderResult {
  const id = v.ec2("sgr");
  return { id, outputs: { securityGroupRuleId: id, arn: ec2Arn(v, "security-group-rule", id) } };
}

function bucket(v: Values): ProviderResult {
  const name = v.name("bucket", true);
  return {
    id: name,
    outputs: { bucket: name, arn: `arn:${AWS_PARTITION}:s3:::${name}`, bucketDomainName: `${name}.s3.amazonaws.com`, bucketRegionalDomainName: `${name}.s3.${v.region}.amazonaws.com`, region: v.region, hostedZoneId: `Z${v.upper("zone", 13)}` },
  };
}

/** `<service>`, `<resource-ish>` of `aws:<service>/<camelName>:<Type>`. */
function genericArn(v: Values, id: string): string {
  const m = /^aws:([^/:]+)\/([^:]+):/.exec(v.r.type);
  const service = m?.[1] ?? "aws";
  const kind = (m?.[2] ?? "resource").replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  return v.arn(service, `${kind}/${id}`);
}


/** The id and outputs of an `aws:` resource. */
export function awsResource(r: NewResource): ProviderResult {
  const inputs = unwrap(r.inputs) as Inputs;
  const v = new Values(r, inputs);
  let result: ProviderResult;
  const handler = AWS[r.type];
  if (handler) result = handler(v);
  else if (/^aws:s3\/bucketObject(v2)?:/.test(r.type)) result = { id: v.str("key") ?? r.name, outputs: { etag: v.hex("etag", 32), versionId: "" } };
  else if (/^aws:s3\/bucket[A-Z]/.test(r.type)) result = { id: v.str("bucket") ?? r.name, outputs: {} };
  else {
    const id = `${r.name}-${digest(r.urn)}`;
    result = { id, outputs: { arn: genericArn(v, id) } };
  }
  const outputs = { ...result.outputs };
  if (inputs.tags !== undefined && inputs.tags !== null) outputs.tagsAll = inputs.tags;
  return { id: result.id, outputs: keepInputs(r.inputs, outputs) };
}
