/**
 * What AWS (and Docker, and Helm) would return, offline: ids and computed outputs in the formats
 * the real providers use (vpc-<17 hex>, ARNs, EKS endpoints, RDS and MSK addresses), derived from
 * the URN so that every run gives the same values. Inputs are echoed by the monitor (the state is
 * the inputs with these outputs merged over them); an output never replaces an input the program
 * gave, as the real providers echo those. Account 123456789012; the region is a resource's own
 * `region` input, else the stack's `aws:region` config, else eu-west-1. docs/offline-mocks.md.
 */
import type { NewResource, ProviderResult } from "./providers";
import { Json, digest, secretValue, unwrap } from "./values";

export const AWS_ACCOUNT = "123456789012";
export const AWS_PARTITION = "aws";
export const DEFAULT_AWS_REGION = "eu-west-1";

type Inputs = Record<string, Json>;

/** The `aws:region` of the run's stack config (the SDK keeps config in its global store). */
export function configuredRegion(): string | undefined {
  const g = globalThis as { asyncLocalStorage?: { getStore(): unknown }; globalStore?: unknown };
  const store = (g.asyncLocalStorage?.getStore() ?? g.globalStore) as { config?: Record<string, string> } | undefined;
  try {
    const config = JSON.parse(store?.config?.PULUMI_CONFIG ?? "{}") as Record<string, unknown>;
    const region = config["aws:region"];
    return typeof region === "string" && region.length > 0 ? region : undefined;
  } catch {
    return undefined;
  }
}

function regionOf(inputs: Inputs): string {
  return typeof inputs.region === "string" && inputs.region.length > 0 ? inputs.region : (configuredRegion() ?? DEFAULT_AWS_REGION);
}

const DIRECTIONS: Record<string, string> = { east: "e", west: "w", north: "n", south: "s", central: "c", northeast: "ne", southeast: "se", northwest: "nw", southwest: "sw" };

/** `eu-west-1` → `euw1`: the prefix of AZ ids and of ElastiCache endpoints. */
export function shortRegion(region: string): string {
  const parts = region.split("-");
  return parts.map((p, i) => (i === 0 || i === parts.length - 1 ? p : (DIRECTIONS[p] ?? p.charAt(0)))).join("");
}

const LOWER_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789";
const UPPER_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

function pick(seed: string, length: number, alphabet: string): string {
  const hex = digest(seed, length * 2);
  let out = "";
  for (let i = 0; i < length; i++) out += alphabet[parseInt(hex.slice(i * 2, i * 2 + 2), 16) % alphabet.length];
  return out;
}

function uuid(seed: string): string {
  const hex = digest(seed, 32);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The deterministic values of one resource. */
class Values {
  readonly region: string;
  constructor(
    readonly r: NewResource,
    readonly inputs: Inputs,
  ) {
    this.region = regionOf(inputs);
  }
  hex(tag: string, n: number): string {
    return digest(`${this.r.urn}#${tag}`, n);
  }
  lower(tag: string, n: number): string {
    return pick(`${this.r.urn}#${tag}`, n, LOWER_ALNUM);
  }
  upper(tag: string, n: number): string {
    return pick(`${this.r.urn}#${tag}`, n, UPPER_ALNUM);
  }
  alnum(tag: string, n: number): string {
    return pick(`${this.r.urn}#${tag}`, n, ALNUM);
  }
  uuid(tag: string): string {
    return uuid(`${this.r.urn}#${tag}`);
  }
  /** An EC2-style id: `vpc-<17 hex>`. */
  ec2(prefix: string): string {
    return `${prefix}-${this.hex(prefix, 17)}`;
  }
  str(key: string): string | undefined {
    const v = this.inputs[key];
    return typeof v === "string" && v.length > 0 ? v : undefined;
  }
  /** The name input, else `<namePrefix><26 digits>`, else Pulumi's auto-name `<resource name>-<7 hex>`. */
  name(key = "name", lower = false): string {
    const given = this.str(key);
    if (given) return given;
    const prefix = this.str(`${key}Prefix`);
    const made = prefix ? `${prefix}${this.hex("prefix", 26).replace(/[a-f]/g, (c) => String(c.charCodeAt(0) % 10))}` : `${this.r.name}-${this.hex("autoname", 7)}`;
    return lower ? made.toLowerCase() : made;
  }
  arn(service: string, resource: string, regional = true): string {
    return `arn:${AWS_PARTITION}:${service}:${regional ? this.region : ""}:${AWS_ACCOUNT}:${resource}`;
  }
}

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

function at(value: Json | undefined, path: string): Json | undefined {
  let current: Json | undefined = value;
  for (const key of path.split(".")) current = current !== null && typeof current === "object" && !Array.isArray(current) ? current[key] : undefined;
  return current;
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

/** Outputs that do not replace what the program gave: a real provider echoes its inputs. */
function keepInputs(inputs: Record<string, unknown>, outputs: Inputs): Inputs {
  const out: Inputs = {};
  for (const [key, value] of Object.entries(outputs)) {
    const given = unwrap(inputs[key]);
    if (inputs[key] === undefined || given === null) out[key] = value;
    else if (typeof given === "object" && !Array.isArray(given) && typeof value === "object" && value !== null && !Array.isArray(value)) out[key] = { ...value, ...given };
  }
  return out;
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

/** `registry/repo:tag` → `registry/repo` (a digest or tag after the last `/` removed). */
function repository(image: string): string {
  const slash = image.lastIndexOf("/");
  const tail = image.slice(slash + 1).replace(/[@:].*$/, "");
  return `${image.slice(0, slash + 1)}${tail}`;
}

function registryOf(image: string): string {
  const first = image.split("/")[0];
  return image.includes("/") && (first.includes(".") || first.includes(":") || first === "localhost") ? first : "docker.io";
}

/** The id and outputs of a `docker:` resource; the digest follows the image name and build. */
export function dockerResource(r: NewResource): ProviderResult {
  const inputs = unwrap(r.inputs) as Inputs;
  const v = new Values(r, inputs);
  const sha = `sha256:${digest(`${r.urn}#${JSON.stringify([inputs.imageName ?? inputs.name ?? null, inputs.build ?? null])}`, 64)}`;
  const kind = r.type.split(":").pop();
  let result: ProviderResult;
  if (kind === "Image") {
    const image = v.str("imageName") ?? r.name;
    const repoDigest = `${repository(image)}@${sha}`;
    const context = typeof at(inputs.build, "context") === "string" ? (at(inputs.build, "context") as string) : ".";
    result = { id: repoDigest, outputs: { baseImageName: image, repoDigest, registryServer: (at(inputs.registry, "server") as string | undefined) ?? registryOf(image), context, dockerfile: `${context}/Dockerfile` } };
  } else if (kind === "RegistryImage") result = { id: sha, outputs: { sha256Digest: sha } };
  else if (kind === "RemoteImage") {
    const image = v.str("name") ?? r.name;
    result = { id: `${sha}${image}`, outputs: { repoDigest: `${repository(image)}@${sha}`, imageId: sha } };
  } else if (kind === "Volume") {
    const name = v.name();
    result = { id: name, outputs: { name, driver: "local", mountpoint: `/var/lib/docker/volumes/${name}/_data` } };
  } else if (kind === "Container" || kind === "Network") result = { id: v.hex("id", 64), outputs: { name: v.name() } };
  else result = { id: `${r.name}-${digest(r.urn)}`, outputs: {} };
  return { id: result.id, outputs: keepInputs(r.inputs, result.outputs) };
}

export const HELM_RELEASE = "kubernetes:helm.sh/v3:Release";

/** A Helm release as installed: `status` with its name, namespace, chart version, `deployed`. */
export function helmRelease(r: NewResource): ProviderResult {
  const inputs = unwrap(r.inputs) as Inputs;
  const name = typeof inputs.name === "string" && inputs.name.length > 0 ? inputs.name : `${r.name}-${digest(r.urn)}`;
  const namespace = typeof inputs.namespace === "string" && inputs.namespace.length > 0 ? inputs.namespace : "default";
  const version = typeof inputs.version === "string" ? inputs.version : "";
  const chart = typeof inputs.chart === "string" ? inputs.chart.split("/").pop() ?? "" : "";
  return { id: `${namespace}/${name}`, outputs: keepInputs(r.inputs, { name, namespace, status: { name, namespace, version, chart, status: "deployed", revision: 1, appVersion: version } }) };
}

/** The region of a call: its `region` arg, else the stack's. */
function callRegion(args: Record<string, Json>): string {
  return regionOf(args);
}

const REGION_NAMES: Record<string, string> = {
  "eu-west-1": "Europe (Ireland)",
  "eu-west-2": "Europe (London)",
  "eu-west-3": "Europe (Paris)",
  "eu-central-1": "Europe (Frankfurt)",
  "eu-north-1": "Europe (Stockholm)",
  "us-east-1": "US East (N. Virginia)",
  "us-east-2": "US East (Ohio)",
  "us-west-1": "US West (N. California)",
  "us-west-2": "US West (Oregon)",
  "ap-southeast-1": "Asia Pacific (Singapore)",
  "ap-southeast-2": "Asia Pacific (Sydney)",
  "ap-northeast-1": "Asia Pacific (Tokyo)",
};

const list = (value: Json | undefined): Json[] => (Array.isArray(value) ? value : []);

/** The AWS provider functions keel answers, by token (results on the wire: secrets marked). */
export const AWS_CALLS: Readonly<Record<string, (args: Record<string, Json>) => Record<string, Json>>> = {
  "aws:index/getAvailabilityZones:getAvailabilityZones": (args) => {
    const region = callRegion(args);
    const state = typeof args.state === "string" ? args.state : undefined;
    const zones = (state === undefined || state === "available" ? ["a", "b", "c"] : []).map((s, i) => ({ name: `${region}${s}`, zoneId: `${shortRegion(region)}-az${i + 1}` }));
    const kept = zones.filter((z) => !list(args.excludeNames).includes(z.name) && !list(args.excludeZoneIds).includes(z.zoneId));
    return { id: region, region, names: kept.map((z) => z.name), zoneIds: kept.map((z) => z.zoneId), groupNames: kept.map(() => region), ...(state ? { state } : {}) };
  },
  "aws:index/getCallerIdentity:getCallerIdentity": () => ({ id: AWS_ACCOUNT, accountId: AWS_ACCOUNT, arn: `arn:${AWS_PARTITION}:sts::${AWS_ACCOUNT}:assumed-role/keel-deployer/session`, userId: "AROAKEELDEPLOYER00000:session" }),
  "aws:index/getPartition:getPartition": () => ({ id: AWS_PARTITION, partition: AWS_PARTITION, dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws" }),
  "aws:index/getRegion:getRegion": (args) => {
    const region = typeof args.name === "string" && args.name.length > 0 ? args.name : callRegion(args);
    return { id: region, name: region, region, endpoint: `ec2.${region}.amazonaws.com`, description: REGION_NAMES[region] ?? region };
  },
  "aws:eks/getClusterAuth:getClusterAuth": (args) => {
    const name = typeof args.name === "string" ? args.name : "";
    const region = callRegion(args);
    const url = `https://sts.${region}.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Credential=KEELOFFLINE&X-Amz-Signature=${digest(`${name}#token`, 64)}`;
    const token = `k8s-aws-v1.${Buffer.from(url).toString("base64url")}`;
    return { id: name, name, region, token: secretValue(token) as Json };
  },
  "aws:ecr/getAuthorizationToken:getAuthorizationToken": (args) => {
    const region = callRegion(args);
    const password = `offline-${digest(`${region}#ecr`, 32)}`;
    return {
      id: region,
      region,
      ...(typeof args.registryId === "string" ? { registryId: args.registryId } : {}),
      proxyEndpoint: `https://${AWS_ACCOUNT}.dkr.ecr.${region}.amazonaws.com`,
      userName: "AWS",
      password: secretValue(password) as Json,
      authorizationToken: secretValue(Buffer.from(`AWS:${password}`).toString("base64")) as Json,
      expiresAt: "2026-01-01T12:00:00Z",
    };
  },
};
