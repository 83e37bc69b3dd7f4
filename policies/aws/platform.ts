/** EKS control plane and security groups. */
import { resourcePolicy, stackPolicy } from "../lib/define";
import type { Target } from "../lib/define";
import { arr, at, num, obj, str } from "../lib/props";
import { awsName } from "./data-services";

const OPEN = ["0.0.0.0/0", "::/0"];

export const eksEndpointRestricted = resourcePolicy({
  name: "eks-endpoint-restricted",
  description: "The EKS API endpoint is private or limited to named CIDRs.",
  enforcementLevel: "mandatory",
  type: "aws:eks/cluster:Cluster",
  appliesTo: (type) => type === "aws:eks/cluster:Cluster",
  check(t, report) {
    const vpc = obj(t.props.vpcConfig);
    if (vpc.endpointPublicAccess === false) return;
    const cidrs = arr(vpc.publicAccessCidrs).map(String);
    if (cidrs.length === 0 || cidrs.some((c) => OPEN.includes(c))) {
      report(`${awsName(t, "EKS cluster")}: the API endpoint is open to the internet; set vpcConfig.endpointPublicAccess: false, or publicAccessCidrs to your networks.`);
    }
  },
});

export const eksSecretsEncryption = resourcePolicy({
  name: "eks-secrets-encryption",
  description: "EKS encrypts Kubernetes Secrets with a KMS key.",
  enforcementLevel: "mandatory",
  type: "aws:eks/cluster:Cluster",
  appliesTo: (type) => type === "aws:eks/cluster:Cluster",
  check(t, report) {
    const resources = arr(at(t.props, "encryptionConfig.resources")).map(String);
    if (!resources.includes("secrets")) report(`${awsName(t, "EKS cluster")}: Secrets are not encrypted with KMS; set encryptionConfig { provider.keyArn, resources: ["secrets"] }.`);
  },
});

export const eksControlPlaneLogging = resourcePolicy({
  name: "eks-control-plane-logging",
  description: "EKS sends its control-plane logs to CloudWatch.",
  enforcementLevel: "mandatory",
  config: { logTypes: { type: "array", items: { type: "string" }, default: ["api", "audit", "authenticator"], description: "Log types that must be enabled." } },
  type: "aws:eks/cluster:Cluster",
  appliesTo: (type) => type === "aws:eks/cluster:Cluster",
  check(t, report, config) {
    const enabled = arr(t.props.enabledClusterLogTypes).map(String);
    const missing = arr(config.logTypes).map(String).filter((l) => !enabled.includes(l));
    if (missing.length > 0) report(`${awsName(t, "EKS cluster")}: control-plane logs ${missing.join(", ")} are off; add them to enabledClusterLogTypes.`);
  },
});

interface IngressRule {
  readonly from?: number;
  readonly to?: number;
  readonly protocol: string;
  readonly cidrs: string[];
}

function rulesOf(t: Target): IngressRule[] {
  const rule = (r: unknown, cidrs: string[]): IngressRule => ({ from: num(obj(r).fromPort), to: num(obj(r).toPort), protocol: String(obj(r).protocol ?? obj(r).ipProtocol ?? "tcp"), cidrs });
  if (t.type === "aws:ec2/securityGroup:SecurityGroup") return arr(t.props.ingress).map((r) => rule(r, [...arr(obj(r).cidrBlocks), ...arr(obj(r).ipv6CidrBlocks)].map(String)));
  if (t.type === "aws:ec2/securityGroupRule:SecurityGroupRule" && t.props.type === "ingress") return [rule(t.props, [...arr(t.props.cidrBlocks), ...arr(t.props.ipv6CidrBlocks)].map(String))];
  if (t.type === "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule") return [rule(t.props, [str(t.props.cidrIpv4), str(t.props.cidrIpv6)].filter((c): c is string => !!c))];
  return [];
}

function isLoadBalancerGroup(group: Target | undefined, tag: string): boolean {
  return group !== undefined && obj(group.props.tags)[tag] === "true";
}

export const securityGroupOpenIngress = stackPolicy({
  name: "security-group-open-ingress",
  description: "No security group admits the whole internet, except HTTP(S) on load balancers.",
  enforcementLevel: "mandatory",
  config: {
    publicPorts: { type: "array", items: { type: "integer" }, default: [80, 443], description: "Ports a load balancer may open to the internet." },
    loadBalancerTag: { type: "string", default: "keel.dev/load-balancer", description: "Tag (value \"true\") marking a load balancer's security group." },
  },
  check(resources, report, config) {
    const tag = String(config.loadBalancerTag);
    const publicPorts = arr(config.publicPorts).map(Number);
    const groups = resources.filter((r) => r.type === "aws:ec2/securityGroup:SecurityGroup");
    for (const t of resources) {
      for (const rule of rulesOf(t)) {
        if (!rule.cidrs.some((c) => OPEN.includes(c))) continue;
        const group = t.type === "aws:ec2/securityGroup:SecurityGroup" ? t : groups.find((g) => g.urn === dependencyGroup(t, groups));
        const single = rule.from !== undefined && rule.from === rule.to && publicPorts.includes(rule.from);
        if (single && isLoadBalancerGroup(group, tag)) continue;
        const ports = rule.protocol === "-1" ? "all ports" : rule.from === rule.to ? `port ${rule.from}` : `ports ${rule.from}-${rule.to}`;
        report(t.urn, `${awsName(t, "security group rule")}: admits the internet on ${ports}; allow only the security groups or CIDRs that need it (load balancers tagged ${tag}=true may open ${publicPorts.join(", ")}).`);
      }
    }
  },
});

/** The security group a standalone rule belongs to: the one its props or dependencies name. */
function dependencyGroup(rule: Target, groups: readonly Target[]): string | undefined {
  const id = str(rule.props.securityGroupId);
  const byName = groups.find((g) => id !== undefined && (str(g.props.name) === id || g.name === id));
  return byName?.urn ?? groups.find((g) => rule.dependencies?.includes(g.urn))?.urn;
}
