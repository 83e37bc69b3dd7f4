import { Provider } from "@pulumi/aws/provider";
import * as pulumi from "@pulumi/pulumi";
import { leastPrivilegeProblems, PolicyDocument } from "../../../components/aws/iam";
import { Network, NetworkArgs, createNetwork, pickZones } from "../../../components/aws/network";
import { registerCall } from "../../../offline/providers";
import { statementProblems } from "../../../policies/aws/iam";
import { Synthesized, synthesize, unwrap } from "../../helpers/synth";

// This file's own answers (whatever offline/aws-mocks.ts answers elsewhere), recording the args asked.
const asked: Record<string, any[]> = {};
const zoneNames = ["eu-west-1a", "eu-west-1b", "eu-west-1c", "eu-west-1d"];
const answer = (token: string, result: () => Record<string, any>) =>
  registerCall(token, (args) => {
    (asked[token] ??= []).push(args);
    return result();
  });
answer("aws:index/getAvailabilityZones:getAvailabilityZones", () => ({ id: "eu-west-1", names: zoneNames, zoneIds: zoneNames.map((_, i) => `euw1-az${i + 1}`) }));
answer("aws:index/getRegion:getRegion", () => ({ id: "eu-west-1", region: "eu-west-1", name: "eu-west-1" }));
answer("aws:index/getPartition:getPartition", () => ({ id: "aws", partition: "aws", dnsSuffix: "amazonaws.com" }));
answer("aws:index/getCallerIdentity:getCallerIdentity", () => ({ id: "123456789012", accountId: "123456789012", arn: "arn:aws:iam::123456789012:user/x", userId: "x" }));

const args = (over: Partial<NetworkArgs> = {}): NetworkArgs => ({
  cidr: "10.0.0.0/16",
  natGateways: "single",
  flowLogRetentionDays: 30,
  endpoints: false,
  clusterName: "shop-eks",
  tags: { team: "platform" },
  protect: false,
  ...over,
});

let made: Network | undefined;
let zones: string[] | undefined;
const run = (over: Partial<NetworkArgs> = {}, opts: () => pulumi.CustomResourceOptions = () => ({})) =>
  synthesize(async () => {
    made = createNetwork("shop", args(over), opts());
    zones = await new Promise<string[]>((resolve) => made!.availabilityZones.apply(resolve));
  });

const input = (s: Synthesized, name: string, type: string) => unwrap(s.resource(name, type).inputs) as Record<string, any>;
const id = (s: Synthesized, name: string, type: string) => s.resource(name, type).id;
const ofType = (s: Synthesized, type: string) => s.resources.filter((r) => r.type.endsWith(`:${type}`));
const json = (v: unknown) => JSON.parse(String(unwrap(v))) as any;
const list = <T>(v: T | readonly T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? [...(v as readonly T[])] : [v as T]);

describe("createNetwork: dev (a single NAT gateway, no endpoints)", () => {
  let s: Synthesized;
  beforeAll(async () => {
    s = await run();
  });

  it("makes a VPC with DNS support and hostnames, named and tagged", () => {
    expect(input(s, "shop-vpc", "ec2/vpc:Vpc")).toMatchObject({ cidrBlock: "10.0.0.0/16", enableDnsSupport: true, enableDnsHostnames: true, tags: { team: "platform", Name: "shop-vpc" } });
  });

  it("asks for available zones proper (no Local Zones) and uses the first three", () => {
    expect(asked["aws:index/getAvailabilityZones:getAvailabilityZones"].at(-1)).toEqual({ state: "available", filters: [{ name: "opt-in-status", values: ["opt-in-not-required"] }] });
    expect(zones).toEqual(["eu-west-1a", "eu-west-1b", "eu-west-1c"]);
  });

  it("lays out each subnet's CIDR, zone and tags", () => {
    const cluster = { "kubernetes.io/cluster/shop-eks": "shared" };
    const expected: [string, string, Record<string, string>][] = [
      ["public", "10.0.192.0/22", { ...cluster, "kubernetes.io/role/elb": "1" }],
      ["public", "10.0.196.0/22", { ...cluster, "kubernetes.io/role/elb": "1" }],
      ["public", "10.0.200.0/22", { ...cluster, "kubernetes.io/role/elb": "1" }],
      ["private", "10.0.0.0/18", { ...cluster, "kubernetes.io/role/internal-elb": "1" }],
      ["private", "10.0.64.0/18", { ...cluster, "kubernetes.io/role/internal-elb": "1" }],
      ["private", "10.0.128.0/18", { ...cluster, "kubernetes.io/role/internal-elb": "1" }],
      ["data", "10.0.208.0/22", {}],
      ["data", "10.0.212.0/22", {}],
      ["data", "10.0.216.0/22", {}],
    ];
    expect(ofType(s, "Subnet")).toHaveLength(9);
    expected.forEach(([tier, cidr, extra], k) => {
      const i = k % 3;
      const subnet = input(s, `shop-${tier}-${i}`, "ec2/subnet:Subnet");
      expect(subnet.vpcId).toBe(id(s, "shop-vpc", "Vpc"));
      expect(subnet.cidrBlock).toBe(cidr);
      expect(subnet.availabilityZone).toBe(`eu-west-1${"abc"[i]}`);
      expect(subnet.mapPublicIpOnLaunch).toBe(false);
      expect(subnet.tags).toEqual({ team: "platform", Name: `shop-${tier}-${i}`, ...extra });
    });
    expect(made!.publicSubnetCidrs).toEqual(["10.0.192.0/22", "10.0.196.0/22", "10.0.200.0/22"]);
    expect(made!.privateSubnetCidrs).toEqual(["10.0.0.0/18", "10.0.64.0/18", "10.0.128.0/18"]);
    expect(made!.dataSubnetCidrs).toEqual(["10.0.208.0/22", "10.0.212.0/22", "10.0.216.0/22"]);
    expect(made!.cidr).toBe("10.0.0.0/16");
    expect([made!.publicSubnetIds.length, made!.privateSubnetIds.length, made!.dataSubnetIds.length]).toEqual([3, 3, 3]);
  });

  it("routes the public subnets to the internet gateway through one table", () => {
    expect(input(s, "shop-igw", "InternetGateway").vpcId).toBe(id(s, "shop-vpc", "Vpc"));
    expect(input(s, "shop-public-route", "ec2/route:Route")).toEqual({ routeTableId: id(s, "shop-public-rt", "RouteTable"), destinationCidrBlock: "0.0.0.0/0", gatewayId: id(s, "shop-igw", "InternetGateway") });
    for (const i of [0, 1, 2]) {
      expect(input(s, `shop-public-rta-${i}`, "RouteTableAssociation")).toEqual({ subnetId: id(s, `shop-public-${i}`, "Subnet"), routeTableId: id(s, "shop-public-rt", "RouteTable") });
    }
  });

  it("makes one NAT gateway with an Elastic IP in the first public subnet, the route of every private table", () => {
    expect(ofType(s, "NatGateway").map((r) => r.name)).toEqual(["shop-nat-0"]);
    expect(ofType(s, "Eip").map((r) => r.name)).toEqual(["shop-nat-eip-0"]);
    expect(input(s, "shop-nat-eip-0", "Eip")).toMatchObject({ domain: "vpc", tags: { Name: "shop-nat-eip-0", team: "platform" } });
    const nat = input(s, "shop-nat-0", "NatGateway");
    expect(nat.subnetId).toBe(id(s, "shop-public-0", "Subnet"));
    expect(nat.allocationId).toBe(s.resource("shop-nat-eip-0", "Eip").state.allocationId);
    expect(s.options("shop-nat-0", "NatGateway").dependsOn).toEqual([s.resource("shop-igw", "InternetGateway").urn]);
    for (const i of [0, 1, 2]) {
      expect(input(s, `shop-private-route-${i}`, "ec2/route:Route")).toEqual({ routeTableId: id(s, `shop-private-rt-${i}`, "RouteTable"), destinationCidrBlock: "0.0.0.0/0", natGatewayId: id(s, "shop-nat-0", "NatGateway") });
      expect(input(s, `shop-private-rta-${i}`, "RouteTableAssociation")).toEqual({ subnetId: id(s, `shop-private-${i}`, "Subnet"), routeTableId: id(s, `shop-private-rt-${i}`, "RouteTable") });
    }
    expect(made!.natGatewayIds).toHaveLength(1);
  });

  it("gives the data subnets a table without any route out (local only)", () => {
    const data = s.resource("shop-data-rt", "RouteTable");
    expect(unwrap(data.inputs)).toEqual({ vpcId: id(s, "shop-vpc", "Vpc"), tags: { team: "platform", Name: "shop-data-rt" } });
    expect(ofType(s, "Route").filter((r) => (unwrap(r.inputs) as any).routeTableId === data.id)).toEqual([]);
    expect(ofType(s, "Route").map((r) => r.name).sort()).toEqual(["shop-private-route-0", "shop-private-route-1", "shop-private-route-2", "shop-public-route"]);
    for (const i of [0, 1, 2]) expect(input(s, `shop-data-rta-${i}`, "RouteTableAssociation")).toEqual({ subnetId: id(s, `shop-data-${i}`, "Subnet"), routeTableId: data.id });
  });

  it("takes every rule off the default security group", () => {
    const sg = input(s, "shop-default-sg", "DefaultSecurityGroup");
    expect(sg).toEqual({ vpcId: id(s, "shop-vpc", "Vpc"), ingress: [], egress: [], tags: { team: "platform", Name: "shop-default-sg" } });
  });

  it("logs all traffic to its own log group, kept 30 days, unprotected in dev", () => {
    expect(input(s, "shop-flow-logs", "LogGroup")).toEqual({ name: "/aws/vpc-flow-logs/shop", retentionInDays: 30, tags: { team: "platform", Name: "shop-flow-logs" } });
    expect(s.options("shop-flow-logs", "LogGroup")).toEqual({});
    const log = input(s, "shop-flow-log", "FlowLog");
    expect(log).toEqual({
      vpcId: id(s, "shop-vpc", "Vpc"),
      trafficType: "ALL",
      logDestinationType: "cloud-watch-logs",
      logDestination: s.resource("shop-flow-logs", "LogGroup").state.arn,
      iamRoleArn: s.resource("shop-flow-logs-role", "iam/role:Role").state.arn,
      maxAggregationInterval: 600,
      tags: { team: "platform", Name: "shop-flow-log" },
    });
    expect(s.options("shop-flow-log", "FlowLog").dependsOn).toEqual([s.resource("shop-flow-logs-role-policy", "RolePolicy").urn]);
  });

  it("lets only this account's flow logs assume the role", () => {
    const trust = json(input(s, "shop-flow-logs-role", "iam/role:Role").assumeRolePolicy);
    expect(trust.Statement).toEqual([
      {
        Effect: "Allow",
        Principal: { Service: "vpc-flow-logs.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: { StringEquals: { "aws:SourceAccount": "123456789012" }, ArnLike: { "aws:SourceArn": "arn:aws:ec2:eu-west-1:123456789012:vpc-flow-log/*" } },
      },
    ]);
    expect(statementProblems(input(s, "shop-flow-logs-role", "iam/role:Role").assumeRolePolicy)).toEqual([]);
    expect(input(s, "shop-flow-logs-role", "iam/role:Role").tags).toEqual({ team: "platform", Name: "shop-flow-logs-role" });
  });

  it("lets the role write to its log group only, statement by statement", () => {
    const arn = s.resource("shop-flow-logs", "LogGroup").state.arn as string;
    expect(arn).toEqual(expect.any(String));
    const policy = input(s, "shop-flow-logs-role-policy", "RolePolicy");
    expect(policy.role).toBe(s.resource("shop-flow-logs-role", "iam/role:Role").state.name);
    const doc = json(policy.policy) as PolicyDocument;
    expect(leastPrivilegeProblems(doc)).toEqual([]);
    expect(statementProblems(policy.policy)).toEqual([]);
    expect(doc.Statement).toHaveLength(2);
    const [write, find] = doc.Statement;
    expect(write).toEqual({ Sid: "WriteFlowLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"], Resource: [arn, `${arn}:*`] });
    expect(find).toEqual({ Sid: "FindLogGroup", Effect: "Allow", Action: "logs:DescribeLogGroups", Resource: "arn:aws:logs:eu-west-1:123456789012:log-group:*" });
    for (const st of doc.Statement) {
      expect(list(st.Resource as string | string[])).not.toContain("*");
      expect(list(st.Action)).not.toContain("logs:CreateLogGroup");
      expect(list(st.Action).some((a) => a.includes("*"))).toBe(false);
    }
    const writes = doc.Statement.filter((st) => list(st.Action).includes("logs:PutLogEvents"));
    expect(writes.flatMap((st) => list(st.Resource as string | string[]))).toEqual([arn, `${arn}:*`]);
  });

  it("makes no endpoints without the flag", () => {
    expect(ofType(s, "VpcEndpoint")).toEqual([]);
    expect(ofType(s, "SecurityGroup")).toEqual([]);
    expect(made!.endpointSecurityGroupId).toBeUndefined();
  });

  it("tags every taggable resource with the platform's tags and its own name", () => {
    const untaggable = ["Route", "RouteTableAssociation", "RolePolicy"];
    const aws = s.resources.filter((r) => r.type.startsWith("aws:") && !untaggable.some((t) => r.type.endsWith(`:${t}`)));
    expect(aws.length).toBe(22);
    for (const r of aws) expect([r.name, (unwrap(r.inputs) as any).tags]).toEqual([r.name, expect.objectContaining({ team: "platform", Name: r.name })]);
  });
});

describe("createNetwork: prod (a NAT gateway per zone, endpoints, protected logs)", () => {
  let s: Synthesized;
  beforeAll(async () => {
    s = await run({ natGateways: "one-per-az", endpoints: true, protect: true, flowLogRetentionDays: 365 });
  });

  it("puts one NAT gateway in each public subnet, each zone's private table routed to its own", () => {
    expect(ofType(s, "NatGateway").map((r) => r.name)).toEqual(["shop-nat-0", "shop-nat-1", "shop-nat-2"]);
    for (const i of [0, 1, 2]) {
      const nat = input(s, `shop-nat-${i}`, "NatGateway");
      expect(nat.subnetId).toBe(id(s, `shop-public-${i}`, "Subnet"));
      expect(nat.allocationId).toBe(s.resource(`shop-nat-eip-${i}`, "Eip").state.allocationId);
      expect(input(s, `shop-private-route-${i}`, "ec2/route:Route").natGatewayId).toBe(id(s, `shop-nat-${i}`, "NatGateway"));
    }
    expect(made!.natGatewayIds).toHaveLength(3);
  });

  it("protects and retains the flow-log group", () => {
    expect(s.options("shop-flow-logs", "LogGroup")).toEqual({ protect: true, retainOnDelete: true });
    expect(input(s, "shop-flow-logs", "LogGroup").retentionInDays).toBe(365);
    expect(s.resources.filter((r) => r.protect).map((r) => r.name)).toEqual(["shop-flow-logs"]);
  });

  it("puts the S3 gateway endpoint on the private and data tables", () => {
    expect(input(s, "shop-s3-endpoint", "VpcEndpoint")).toEqual({
      vpcId: id(s, "shop-vpc", "Vpc"),
      vpcEndpointType: "Gateway",
      serviceName: "com.amazonaws.eu-west-1.s3",
      routeTableIds: [id(s, "shop-private-rt-0", "RouteTable"), id(s, "shop-private-rt-1", "RouteTable"), id(s, "shop-private-rt-2", "RouteTable"), id(s, "shop-data-rt", "RouteTable")],
      tags: { team: "platform", Name: "shop-s3-endpoint" },
    });
  });

  it("puts the ECR api and dkr interface endpoints in the private subnets, with private DNS", () => {
    for (const service of ["ecr.api", "ecr.dkr"]) {
      const name = `shop-${service.replace(".", "-")}-endpoint`;
      expect(input(s, name, "VpcEndpoint")).toEqual({
        vpcId: id(s, "shop-vpc", "Vpc"),
        vpcEndpointType: "Interface",
        serviceName: `com.amazonaws.eu-west-1.${service}`,
        subnetIds: [0, 1, 2].map((i) => id(s, `shop-private-${i}`, "Subnet")),
        securityGroupIds: [id(s, "shop-endpoints-sg", "SecurityGroup")],
        privateDnsEnabled: true,
        tags: { team: "platform", Name: name },
      });
    }
    expect(ofType(s, "VpcEndpoint").map((r) => r.name).sort()).toEqual(["shop-ecr-api-endpoint", "shop-ecr-dkr-endpoint", "shop-s3-endpoint"]);
  });

  it("admits only HTTPS from the VPC CIDR to the endpoints", () => {
    const sg = input(s, "shop-endpoints-sg", "ec2/securityGroup:SecurityGroup");
    expect(sg.description).toBe("VPC interface endpoints of shop: HTTPS from the VPC only");
    expect(sg.tags).toEqual({ team: "platform", Name: "shop-endpoints-sg" });
    expect(sg.ingress).toEqual([{ description: "HTTPS from the VPC", protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["10.0.0.0/16"] }]);
    expect(sg.egress).toEqual([]);
    expect(made!.endpointSecurityGroupId).toBeDefined();
  });
});

describe("createNetwork: options and zones", () => {
  it("passes the parent and provider to every resource and to every lookup", async () => {
    const spy = jest.spyOn(pulumi.runtime, "invokeOutput");
    let parentResource: pulumi.Resource | undefined;
    let providerResource: pulumi.ProviderResource | undefined;
    try {
      const s = await run({ endpoints: true }, () => {
        parentResource = new pulumi.ComponentResource("keel:test:Parent", "platform");
        providerResource = new Provider("aws-eu", { region: "eu-west-1" }, { parent: parentResource });
        return { parent: parentResource, provider: providerResource };
      });
      const provider = s.resource("aws-eu", "pulumi:providers:aws").urn;
      const parent = s.resource("platform", "keel:test:Parent").urn;
      const made = s.resources.filter((r) => r.type.startsWith("aws:"));
      expect(made.length).toBeGreaterThan(30);
      for (const r of made) expect([r.name, r.parent, r.options.provider]).toEqual([r.name, parent, provider]);
      const lookups = spy.mock.calls.filter(([token]) => token.startsWith("aws:index/"));
      expect([...new Set(lookups.map(([token]) => token))].sort()).toEqual([
        "aws:index/getAvailabilityZones:getAvailabilityZones",
        "aws:index/getCallerIdentity:getCallerIdentity",
        "aws:index/getPartition:getPartition",
        "aws:index/getRegion:getRegion",
      ]);
      for (const [token, , opts] of lookups) expect([token, opts?.parent === parentResource, opts?.provider === providerResource]).toEqual([token, true, true]);
    } finally {
      spy.mockRestore();
    }
  });

  it("fails where the region has fewer than three zones", () => {
    expect(() => pickZones("shop", ["us-west-1a", "us-west-1c"])).toThrow('Network "shop": the region has 2 availability zones (us-west-1a, us-west-1c); keel\'s network needs 3');
    expect(pickZones("shop", ["a", "b", "c", "d"])).toEqual(["a", "b", "c"]);
  });

  it("refuses args it cannot make a network of, all at once", async () => {
    expect(() => createNetwork("shop", args({ cidr: "10.0.0.1/16", natGateways: "two" as any, flowLogRetentionDays: 2 }), {})).toThrow(
      [
        'Network "shop": cidr is "10.0.0.1/16"; expected an IPv4 CIDR from /16 to /20 in a private range (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16), such as "10.0.0.0/16": 10.0.0.1/16 has host bits set (its network is 10.0.0.0/16)',
        'Network "shop": natGateways is "two"; expected "single" or "one-per-az"',
        "Network \"shop\": flowLogRetentionDays is 2; expected one of CloudWatch's retention periods in days: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653",
      ].join("\n"),
    );
  });
});
