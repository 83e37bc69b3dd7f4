/**
 * The VPC of keel's aws platform: three zones, each with a public, a private and a data subnet
 * (layout: subnets.ts), NAT, flow logs to CloudWatch, a locked-down default security group and,
 * optionally, the VPC endpoints that keep image pulls off the NAT gateways.
 * terraform-aws-modules/vpc's defaults are the floor: database subnets without a route to the
 * internet, manage_default_security_group, flow logs with a role that may only write its own group.
 */
import * as cloudwatch from "@pulumi/aws/cloudwatch";
import * as ec2 from "@pulumi/aws/ec2";
import { getAvailabilityZonesOutput } from "@pulumi/aws/getAvailabilityZones";
import { getCallerIdentityOutput } from "@pulumi/aws/getCallerIdentity";
import { getPartitionOutput } from "@pulumi/aws/getPartition";
import { getRegionOutput } from "@pulumi/aws/getRegion";
import * as pulumi from "@pulumi/pulumi";
import { Validator } from "../core/errors";
import { childName } from "../core/naming";
import { PolicyDocument, roleWithPolicies, servicePrincipalTrust } from "./iam";
import { logRetentionProblem } from "./log-retention";
import { planSubnets, vpcCidrProblem } from "./subnets";
import { awsTags } from "./tags";

export interface NetworkArgs {
  /** The VPC CIDR, e.g. "10.0.0.0/16": IPv4, /16 to /20, in an RFC 1918 range (see vpcCidrProblem). */
  readonly cidr: string;
  /** One NAT gateway in the first zone (cheaper; a zone outage cuts the others' egress), or one per zone. */
  readonly natGateways: "single" | "one-per-az";
  /** How long CloudWatch keeps the VPC flow logs, in days (one of CloudWatch's values). */
  readonly flowLogRetentionDays: number;
  /** An S3 gateway endpoint and ECR api/dkr interface endpoints (image pulls bypass the NAT gateways). */
  readonly endpoints: boolean;
  /** The EKS cluster's name: public and private subnets are tagged `kubernetes.io/cluster/<clusterName>=shared`. */
  readonly clusterName: string;
  /** Tags on every resource (plus `Name`). */
  readonly tags: Readonly<Record<string, string>>;
  /** Protect and retain the flow-log group (the audit trail outlives the stack). */
  readonly protect: boolean;
}

export interface Network {
  readonly vpcId: pulumi.Output<string>;
  /** The VPC CIDR. */
  readonly cidr: string;
  /** The names of the 3 zones used; index i of every subnet list is zone i. */
  readonly availabilityZones: pulumi.Output<string[]>;
  /** NAT gateways and internet-facing load balancers. */
  readonly publicSubnetIds: pulumi.Output<string>[];
  /** Nodes and pods (the VPC CNI gives pods these addresses); internal load balancers. */
  readonly privateSubnetIds: pulumi.Output<string>[];
  /** RDS, ElastiCache, MSK: no route to the internet. */
  readonly dataSubnetIds: pulumi.Output<string>[];
  readonly publicSubnetCidrs: readonly string[];
  readonly privateSubnetCidrs: readonly string[];
  readonly dataSubnetCidrs: readonly string[];
  /** One ("single") or one per zone ("one-per-az"). */
  readonly natGatewayIds: pulumi.Output<string>[];
  /** The security group of the interface endpoints (TCP 443 from the VPC); only with `endpoints`. */
  readonly endpointSecurityGroupId?: pulumi.Output<string>;
}

/** Zones the network spans. */
export const ZONES = 3;

/**
 * Flow-log records aggregate traffic over 600 s (AWS's default) rather than 60 s: a long-lived flow
 * makes one record per 10 minutes instead of ten, and CloudWatch bills ingestion by the byte, while
 * each record still carries its flow's start and end time; 60 s serves near-real-time alerting,
 * which is not what these logs feed (they are the audit trail: who talked to whom).
 */
export const FLOW_LOG_AGGREGATION_SECONDS = 600;

/** The actions the flow-logs service needs on its log group (AWS: "IAM role for publishing flow logs to CloudWatch Logs"), without CreateLogGroup: keel creates the group. */
export const FLOW_LOG_WRITE_ACTIONS = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"] as const;

/** The first {@link ZONES} of the region's zones; throws (failing the deployment) where it has fewer: a subnet without its zone would land wherever AWS puts it. */
export function pickZones(name: string, names: readonly string[]): string[] {
  if (names.length < ZONES) throw new Error(`Network "${name}": the region has ${names.length} availability zones (${names.join(", ")}); keel's network needs ${ZONES}`);
  return names.slice(0, ZONES);
}

/** Refuses args no network can be made of (the platform checks them first; this keeps the function safe on its own). */
export function validateNetwork(name: string, args: NetworkArgs): void {
  const v = new Validator("Network", name);
  const cidrProblem = vpcCidrProblem(args.cidr);
  v.require(cidrProblem === undefined, "cidr", args.cidr, cidrProblem ?? "");
  v.require(args.natGateways === "single" || args.natGateways === "one-per-az", "natGateways", args.natGateways, 'expected "single" or "one-per-az"');
  const retention = logRetentionProblem(args.flowLogRetentionDays);
  if (retention) v.require(false, "flowLogRetentionDays", args.flowLogRetentionDays, retention);
  v.throwIfInvalid();
}

/** `opts` plus dependencies on `more`, keeping the caller's (the SDK flattens a nested list, Promise or Output of resources). */
function dependOn(opts: pulumi.CustomResourceOptions, ...more: pulumi.Resource[]): pulumi.CustomResourceOptions {
  const before = opts.dependsOn as pulumi.Input<pulumi.Resource> | pulumi.Input<pulumi.Resource>[] | undefined;
  return { ...opts, dependsOn: before === undefined ? more : [...(Array.isArray(before) ? before : [before]), ...more] };
}

/** The VPC and everything in it (see the module comment). Resources are named `${name}-<role>`, index i being zone i. */
export function createNetwork(name: string, args: NetworkArgs, opts: pulumi.CustomResourceOptions): Network {
  validateNetwork(name, args);
  const n = (role: string) => childName(name, role);
  const tags = (role: string) => awsTags(args.tags, n(role));
  const invokeOpts: pulumi.InvokeOutputOptions = { parent: opts.parent, provider: opts.provider };
  const plan = planSubnets(args.cidr, ZONES);
  const zoneIndexes = [...Array(ZONES).keys()];

  const vpc = new ec2.Vpc(n("vpc"), { cidrBlock: args.cidr, enableDnsSupport: true, enableDnsHostnames: true, tags: tags("vpc") }, opts);

  // Only zones proper: opted-in Local and Wavelength Zones are "available" too, but lack most services.
  const zones = getAvailabilityZonesOutput({ state: "available", filters: [{ name: "opt-in-status", values: ["opt-in-not-required"] }] }, invokeOpts).names.apply((names) => pickZones(name, names));

  // Nothing in or out through the default group: whatever forgets its own group gets no traffic. Empty
  // lists, not absent ones: the rules are attributes-as-blocks, and only `[]` makes a rule added by hand drift.
  new ec2.DefaultSecurityGroup(n("default-sg"), { vpcId: vpc.id, ingress: [], egress: [], tags: tags("default-sg") }, opts);

  const cluster = { [`kubernetes.io/cluster/${args.clusterName}`]: "shared" };
  const subnets = (tier: "public" | "private" | "data", cidrs: readonly string[], extra: Record<string, string>) =>
    zoneIndexes.map(
      (i) =>
        new ec2.Subnet(
          n(`${tier}-${i}`),
          {
            vpcId: vpc.id,
            cidrBlock: cidrs[i],
            availabilityZone: zones.apply((z) => z[i]),
            // NAT gateways and load balancers bring their own Elastic IPs: nothing here needs a public address by default.
            mapPublicIpOnLaunch: false,
            tags: { ...tags(`${tier}-${i}`), ...extra },
          },
          opts,
        ),
    );
  const publicSubnets = subnets("public", plan.public, { ...cluster, "kubernetes.io/role/elb": "1" });
  const privateSubnets = subnets("private", plan.private, { ...cluster, "kubernetes.io/role/internal-elb": "1" });
  // No cluster or role tags: the load balancer controller never puts anything here.
  const dataSubnets = subnets("data", plan.data, {});

  const igw = new ec2.InternetGateway(n("igw"), { vpcId: vpc.id, tags: tags("igw") }, opts);
  const publicRouteTable = new ec2.RouteTable(n("public-rt"), { vpcId: vpc.id, tags: tags("public-rt") }, opts);
  new ec2.Route(n("public-route"), { routeTableId: publicRouteTable.id, destinationCidrBlock: "0.0.0.0/0", gatewayId: igw.id }, opts);
  publicSubnets.forEach((s, i) => new ec2.RouteTableAssociation(n(`public-rta-${i}`), { subnetId: s.id, routeTableId: publicRouteTable.id }, opts));

  // An Elastic IP and a NAT gateway need the internet gateway attached first (the provider's docs).
  const natZones = args.natGateways === "single" ? [0] : zoneIndexes;
  const nats = natZones.map((i) => {
    const eip = new ec2.Eip(n(`nat-eip-${i}`), { domain: "vpc", tags: tags(`nat-eip-${i}`) }, dependOn(opts, igw));
    return new ec2.NatGateway(n(`nat-${i}`), { allocationId: eip.allocationId, subnetId: publicSubnets[i].id, tags: tags(`nat-${i}`) }, dependOn(opts, igw));
  });

  // One private table per zone even with a single NAT: going one-per-az later changes routes, not associations.
  const privateRouteTables = zoneIndexes.map((i) => {
    const table = new ec2.RouteTable(n(`private-rt-${i}`), { vpcId: vpc.id, tags: tags(`private-rt-${i}`) }, opts);
    const nat = nats[args.natGateways === "single" ? 0 : i];
    new ec2.Route(n(`private-route-${i}`), { routeTableId: table.id, destinationCidrBlock: "0.0.0.0/0", natGatewayId: nat.id }, opts);
    new ec2.RouteTableAssociation(n(`private-rta-${i}`), { subnetId: privateSubnets[i].id, routeTableId: table.id }, opts);
    return table;
  });

  // The data tier's table has the VPC's local route only (and the S3 endpoint's, when endpoints are on).
  const dataRouteTable = new ec2.RouteTable(n("data-rt"), { vpcId: vpc.id, tags: tags("data-rt") }, opts);
  dataSubnets.forEach((s, i) => new ec2.RouteTableAssociation(n(`data-rta-${i}`), { subnetId: s.id, routeTableId: dataRouteTable.id }, opts));

  createFlowLog(name, args, vpc, invokeOpts, opts);

  const endpointSecurityGroupId = args.endpoints
    ? createEndpoints(name, args, vpc, [...privateRouteTables, dataRouteTable], privateSubnets, invokeOpts, opts)
    : undefined;

  return {
    vpcId: vpc.id,
    cidr: args.cidr,
    availabilityZones: zones,
    publicSubnetIds: publicSubnets.map((s) => s.id),
    privateSubnetIds: privateSubnets.map((s) => s.id),
    dataSubnetIds: dataSubnets.map((s) => s.id),
    publicSubnetCidrs: plan.public,
    privateSubnetCidrs: plan.private,
    dataSubnetCidrs: plan.data,
    natGatewayIds: nats.map((g) => g.id),
    ...(endpointSecurityGroupId ? { endpointSecurityGroupId } : {}),
  };
}

/** The flow-log role's permissions: write to this one log group and its streams; list the account's groups in this region (read-only; AWS lists it as needed). */
export function flowLogPolicy(logGroupArn: pulumi.Input<string>, partition: pulumi.Input<string>, region: pulumi.Input<string>, account: pulumi.Input<string>): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "WriteFlowLogs", Effect: "Allow", Action: [...FLOW_LOG_WRITE_ACTIONS], Resource: [logGroupArn, pulumi.interpolate`${logGroupArn}:*`] },
      // DescribeLogGroups is a list call: it authorizes against log-group:*, never a single group.
      { Sid: "FindLogGroup", Effect: "Allow", Action: "logs:DescribeLogGroups", Resource: pulumi.interpolate`arn:${partition}:logs:${region}:${account}:log-group:*` },
    ],
  };
}

/** Flow logs of all traffic to `/aws/vpc-flow-logs/<name>`, written through a role only this account's flow logs may assume. */
function createFlowLog(name: string, args: NetworkArgs, vpc: ec2.Vpc, invokeOpts: pulumi.InvokeOutputOptions, opts: pulumi.CustomResourceOptions): void {
  const n = (role: string) => childName(name, role);
  const partition = getPartitionOutput({}, invokeOpts).partition;
  const region = getRegionOutput({}, invokeOpts).region;
  const account = getCallerIdentityOutput({}, invokeOpts).accountId;

  const logGroup = new cloudwatch.LogGroup(
    n("flow-logs"),
    { name: `/aws/vpc-flow-logs/${name}`, retentionInDays: args.flowLogRetentionDays, tags: awsTags(args.tags, n("flow-logs")) },
    args.protect ? { ...opts, protect: true, retainOnDelete: true } : opts,
  );

  // Confused deputy: only flow logs of this account (AWS's recommendation for this role) may assume it.
  const trust = servicePrincipalTrust("vpc-flow-logs.amazonaws.com", {
    Condition: {
      StringEquals: { "aws:SourceAccount": account },
      ArnLike: { "aws:SourceArn": pulumi.interpolate`arn:${partition}:ec2:${region}:${account}:vpc-flow-log/*` },
    },
  });
  const { role, attachments } = roleWithPolicies(n("flow-logs-role"), trust, { policy: flowLogPolicy(logGroup.arn, partition, region, account), partition, tags: args.tags }, opts);

  new ec2.FlowLog(
    n("flow-log"),
    {
      vpcId: vpc.id,
      trafficType: "ALL",
      logDestinationType: "cloud-watch-logs",
      logDestination: logGroup.arn,
      iamRoleArn: role.arn,
      maxAggregationInterval: FLOW_LOG_AGGREGATION_SECONDS,
      tags: awsTags(args.tags, n("flow-log")),
    },
    // The role must be allowed to write before the service first tries.
    dependOn(opts, ...attachments),
  );
}

/**
 * An S3 gateway endpoint (free; image layers come from S3) on the private and data tables, and ECR
 * api/dkr interface endpoints in the private subnets. No STS endpoint: IRSA exchanges one token per
 * pod about hourly, bytes a NAT gateway carries for far less than an endpoint's hourly charge in 3 zones.
 */
function createEndpoints(
  name: string,
  args: NetworkArgs,
  vpc: ec2.Vpc,
  routeTables: readonly ec2.RouteTable[],
  privateSubnets: readonly ec2.Subnet[],
  invokeOpts: pulumi.InvokeOutputOptions,
  opts: pulumi.CustomResourceOptions,
): pulumi.Output<string> {
  const n = (role: string) => childName(name, role);
  const region = getRegionOutput({}, invokeOpts).region;

  // Security groups are stateful: replies need no egress rule, and endpoints start no connections
  // (`egress: []`: the provider removes AWS's allow-all rule and any added later).
  const sg = new ec2.SecurityGroup(
    n("endpoints-sg"),
    {
      vpcId: vpc.id,
      description: `VPC interface endpoints of ${name}: HTTPS from the VPC only`,
      ingress: [{ description: "HTTPS from the VPC", protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: [args.cidr] }],
      egress: [],
      tags: awsTags(args.tags, n("endpoints-sg")),
    },
    opts,
  );

  new ec2.VpcEndpoint(
    n("s3-endpoint"),
    { vpcId: vpc.id, vpcEndpointType: "Gateway", serviceName: pulumi.interpolate`com.amazonaws.${region}.s3`, routeTableIds: routeTables.map((t) => t.id), tags: awsTags(args.tags, n("s3-endpoint")) },
    opts,
  );
  for (const service of ["ecr.api", "ecr.dkr"]) {
    const role = `${service.replace(".", "-")}-endpoint`;
    new ec2.VpcEndpoint(
      n(role),
      {
        vpcId: vpc.id,
        vpcEndpointType: "Interface",
        serviceName: pulumi.interpolate`com.amazonaws.${region}.${service}`,
        subnetIds: privateSubnets.map((s) => s.id),
        securityGroupIds: [sg.id],
        // The public ECR names resolve to the endpoint inside the VPC (needs the VPC's DNS support and hostnames).
        privateDnsEnabled: true,
        tags: awsTags(args.tags, n(role)),
      },
      opts,
    );
  }
  return sg.id;
}
