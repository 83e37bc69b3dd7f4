/**
 * Turns network intent into NetworkPolicies for one workload. The workload's main policy
 * selects its pods with both policy types, so everything not listed is denied; each later
 * `admit`/`reach` adds a policy (NetworkPolicies are additive).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Validator } from "../core/errors";
import type { Labels } from "../core/labels";
import type { KubernetesTarget } from "../platform/types";
import { childName } from "../core/naming";
import {
  DnsTarget,
  platformOfDns,
  NetworkEndpoint,
  NetworkPeer,
  NetworkPort,
  NetworkRule,
  dnsEgressRule,
  egressRule,
  ingressRule,
  isNetworkEndpoint,
  peerSlug,
  resolvePeer,
} from "../core/network";

export type IngressRule = k8s.types.input.networking.v1.NetworkPolicyIngressRule;
export type EgressRule = k8s.types.input.networking.v1.NetworkPolicyEgressRule;

export interface NetworkAccessContext {
  readonly name: string;
  readonly namespace: pulumi.Input<string>;
  /** Labels selecting the workload's pods. */
  readonly podSelector: Labels;
  /** Labels put on the NetworkPolicy objects. */
  readonly labels: Labels;
  readonly dns: DnsTarget;
  /** The workload's own ports: admitted peers may use them when a rule names none. */
  readonly ports: readonly NetworkPort[];
  readonly opts: pulumi.CustomResourceOptions;
}

/** Something whose NetworkPolicies keel manages: both ends of `allowTo`/`allowFrom` get a policy. */
export interface NetworkPolicyHolder extends NetworkEndpoint {
  readonly networkAccess: NetworkAccess;
}

export function isNetworkPolicyHolder(x: unknown): x is NetworkPolicyHolder {
  if (!isNetworkEndpoint(x) || !("networkAccess" in x)) return false;
  try {
    // A managed data store (RDS, ElastiCache, MSK) is an endpoint without a NetworkPolicy of its own.
    return x.networkPeer?.kind !== "managed";
  } catch {
    return true;
  }
}

export class NetworkAccess {
  /** The main policy: deny by default, with the rules known at construction. */
  public readonly policy: k8s.networking.v1.NetworkPolicy;
  /** The cluster DNS of the workload's platform (one object per platform: it identifies the platform). */
  public readonly dns: DnsTarget;
  /** The provider of the workload's cluster (undefined: the ambient kubeconfig). */
  public readonly provider?: pulumi.ProviderResource;
  private readonly usedNames = new Set<string>();

  constructor(
    private readonly ctx: NetworkAccessContext,
    rules: { readonly ingress: readonly IngressRule[]; readonly egress: readonly EgressRule[] },
  ) {
    this.dns = ctx.dns;
    this.provider = ctx.opts.provider;
    this.policy = this.create(childName(ctx.name, "netpol"), ["Ingress", "Egress"], [...rules.ingress], [dnsEgressRule(ctx.dns), ...rules.egress]);
  }

  /** Admits `peer` to this workload's pods on `ports` (default: the workload's ports). */
  admit(peer: NetworkPeer | NetworkEndpoint, ports?: readonly NetworkPort[]): k8s.networking.v1.NetworkPolicy {
    const rule = ingressRule({ peer, ports }, this.ctx.ports);
    return this.create(this.uniqueName(`from-${peerSlug(resolvePeer(peer))}`), ["Ingress"], [rule], undefined);
  }

  /** Lets this workload's pods reach `peer` on `ports` (default: the endpoint's ports). */
  reach(peer: NetworkPeer | NetworkEndpoint, ports?: readonly NetworkPort[]): k8s.networking.v1.NetworkPolicy {
    const rule = egressRule({ peer, ports });
    return this.create(this.uniqueName(`to-${peerSlug(resolvePeer(peer))}`), ["Egress"], undefined, [rule]);
  }

  private uniqueName(role: string): string {
    let candidate = childName(this.ctx.name, role);
    for (let i = 2; this.usedNames.has(candidate); i++) candidate = `${this.ctx.name}-${role}-${i}`;
    this.usedNames.add(candidate);
    return candidate;
  }

  private create(name: string, policyTypes: string[], ingress: IngressRule[] | undefined, egress: EgressRule[] | undefined): k8s.networking.v1.NetworkPolicy {
    return new k8s.networking.v1.NetworkPolicy(
      name,
      {
        metadata: { name, namespace: this.ctx.namespace, labels: this.ctx.labels },
        spec: { podSelector: { matchLabels: this.ctx.podSelector }, policyTypes, ingress, egress },
      },
      this.ctx.opts,
    );
  }
}

/**
 * Applies construction-time rules to the other side: for `allowTo: [db]` where `db` is a keel
 * component, `db` admits this workload; for `allowFrom: [web]`, `web` may reach it.
 */
export function mirrorRules(self: NetworkEndpoint, allowFrom: readonly NetworkRule[], allowTo: readonly NetworkRule[]): void {
  for (const rule of allowTo) {
    if (isNetworkPolicyHolder(rule.peer)) rule.peer.networkAccess.admit(self.networkPeer, rule.ports);
  }
  for (const rule of allowFrom) {
    if (isNetworkPolicyHolder(rule.peer)) rule.peer.networkAccess.reach(self, rule.ports ?? self.networkPorts);
  }
}

/** Allows `source` to reach `target`: an egress policy on the source and an ingress policy on the target, where keel manages them. */
export function connect(source: NetworkPeer | NetworkEndpoint, target: NetworkPeer | NetworkEndpoint, ports?: readonly NetworkPort[]): void {
  if (isNetworkPolicyHolder(source)) source.networkAccess.reach(target, ports);
  if (isNetworkPolicyHolder(target)) target.networkAccess.admit(source, ports);
}

/**
 * Why `peer` (a keel component: a connection's store, an `allowTo`/`allowFrom` peer) cannot be
 * reached from a workload on platform `platform`/`dns`: it runs on another platform or another
 * cluster, where no Service name resolves and no NetworkPolicy of this one applies. Undefined
 * when it is on the same platform, or is not a keel component.
 */
export function foreignPeerProblem(peer: unknown, platform: { readonly name: string; readonly dns: DnsTarget; readonly provider?: pulumi.ProviderResource }): string | undefined {
  if (!isNetworkPolicyHolder(peer)) return undefined;
  let access: NetworkAccess;
  try {
    access = peer.networkAccess;
  } catch {
    return undefined;
  }
  if (!(access instanceof NetworkAccess) || access.dns === platform.dns) return undefined;
  const other = platformOfDns(access.dns);
  const where = other === undefined ? "another platform" : `platform "${other}"`;
  const cluster = access.provider !== platform.provider ? " (another cluster)" : "";
  return `is on ${where}${cluster}; expected a peer on platform "${platform.name}", where this component runs (its Service names and NetworkPolicies do not reach across platforms)`;
}

/**
 * Records an error for each connection store and each `allowTo`/`allowFrom` peer of `args` that
 * runs on another platform or cluster than `platform`.
 */
export function checkPeerPlatforms(
  v: Validator,
  platform: { readonly name: string; readonly kubernetes: KubernetesTarget },
  args: { readonly connections?: readonly unknown[]; readonly allowTo?: readonly unknown[]; readonly allowFrom?: readonly unknown[] },
): void {
  const here = { name: platform.name, dns: platform.kubernetes.dns, provider: platform.kubernetes.provider };
  const check = (field: string, peer: unknown) => {
    const problem = foreignPeerProblem(peer, here);
    if (!problem) return;
    const name = isNetworkPolicyHolder(peer) ? peer.networkPeer?.name : undefined;
    v.fail(`${field}${name ? ` ("${name}")` : ""} ${problem}`);
  };
  const list = (x: readonly unknown[] | undefined) => (Array.isArray(x) ? x : []);
  list(args.connections).forEach((use, i) => {
    const c = (typeof use === "object" && use !== null && "connection" in use ? (use as { connection: unknown }).connection : use) as { endpoint?: unknown } | null;
    if (typeof c === "object" && c !== null) check(`connections[${i}]`, c.endpoint);
  });
  for (const key of ["allowTo", "allowFrom"] as const) {
    list(args[key]).forEach((rule, i) => {
      if (typeof rule === "object" && rule !== null) check(`${key}[${i}].peer`, (rule as { peer?: unknown }).peer);
    });
  }
}
