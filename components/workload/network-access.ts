/**
 * Turns network intent into NetworkPolicies for one workload. The workload's main policy
 * selects its pods with both policy types, so everything not listed is denied; each later
 * `admit`/`reach` adds a policy (NetworkPolicies are additive).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Labels } from "../core/labels";
import { childName } from "../core/naming";
import {
  DnsTarget,
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

type IngressRule = k8s.types.input.networking.v1.NetworkPolicyIngressRule;
type EgressRule = k8s.types.input.networking.v1.NetworkPolicyEgressRule;

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
  return isNetworkEndpoint(x) && "networkAccess" in x;
}

export class NetworkAccess {
  /** The main policy: deny by default, with the rules known at construction. */
  public readonly policy: k8s.networking.v1.NetworkPolicy;
  private readonly usedNames = new Set<string>();

  constructor(
    private readonly ctx: NetworkAccessContext,
    rules: { readonly ingress: readonly IngressRule[]; readonly egress: readonly EgressRule[] },
  ) {
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
