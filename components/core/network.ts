/**
 * Network access as intent: who may reach whom, on which port. keel turns these rules into
 * NetworkPolicies on Kubernetes (and security-group rules on AWS), with deny-by-default
 * around them: a workload's own policy lists every allowed ingress and egress peer.
 */
import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { defaults } from "./defaults";
import { Validator } from "./errors";
import { LABEL_NAMESPACE_NAME, Labels } from "./labels";

export type NetworkProtocol = "TCP" | "UDP" | "SCTP";

export interface NetworkPort {
  readonly port: number;
  /** @default "TCP" */
  readonly protocol?: NetworkProtocol;
}

/** Pods of a workload (keel component or not) in a namespace, selected by labels. */
export interface WorkloadPeer {
  readonly kind: "workload";
  /** A name for diagrams and messages. */
  readonly name: string;
  readonly namespace: pulumi.Input<string>;
  readonly podLabels: Labels;
}

/** Every pod of a namespace, or the pods matching `podLabels` in it. */
export interface NamespacePeer {
  readonly kind: "namespace";
  readonly namespace: pulumi.Input<string>;
  readonly podLabels?: Labels;
}

/** Addresses outside the cluster, e.g. an identity provider or a managed database. */
export interface CidrPeer {
  readonly kind: "cidr";
  readonly cidr: string;
  readonly except?: readonly string[];
}

export type NetworkPeer = WorkloadPeer | NamespacePeer | CidrPeer;

/**
 * Something that can be reached or can reach: every keel workload component implements it,
 * so `allowTo: [db]` or `db.allowFrom(api)` work without any selector in user code.
 */
export interface NetworkEndpoint {
  /** The pods behind this endpoint. */
  readonly networkPeer: WorkloadPeer;
  /** The ports clients use when a rule names no ports. */
  readonly networkPorts: readonly NetworkPort[];
}

/** One allow rule: a peer, and the ports (on the receiving side) it may use. */
export interface NetworkRule {
  readonly peer: NetworkPeer | NetworkEndpoint;
  /** @default the endpoint's `networkPorts` for egress to an endpoint; the workload's ports for ingress */
  readonly ports?: readonly NetworkPort[];
}

export function isNetworkEndpoint(x: unknown): x is NetworkEndpoint {
  return typeof x === "object" && x !== null && "networkPeer" in x && "networkPorts" in x;
}

/** Helpers to name peers without writing selectors. */
export const peers = {
  /** Pods in `namespace` matching `podLabels`. */
  workload(name: string, namespace: pulumi.Input<string>, podLabels: Labels): WorkloadPeer {
    return { kind: "workload", name, namespace, podLabels };
  },
  /** All pods of a namespace (optionally narrowed by labels). */
  namespace(namespace: pulumi.Input<string>, podLabels?: Labels): NamespacePeer {
    return { kind: "namespace", namespace, podLabels };
  },
  /** An address range outside the cluster. */
  cidr(cidr: string, except?: readonly string[]): CidrPeer {
    return { kind: "cidr", cidr, except };
  },
  /** Any IPv4 address outside the cluster's private ranges, e.g. a public HTTPS API. */
  internet(): CidrPeer {
    return { kind: "cidr", cidr: "0.0.0.0/0", except: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"] };
  },
};

const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

export function isIpv4Cidr(value: string): boolean {
  const m = CIDR.exec(value);
  return !!m && m.slice(1, 5).every((o) => Number(o) <= 255) && Number(m[5]) <= 32;
}

/** Checks the ports and CIDRs of a list of rules; problems go to `v` under `field[i]`. */
export function validateRules(v: Validator, field: string, rules: readonly NetworkRule[] = []): void {
  rules.forEach((rule, i) => {
    const peer = resolvePeer(rule.peer);
    if (peer.kind === "cidr") {
      v.require(isIpv4Cidr(peer.cidr), `${field}[${i}].peer.cidr`, peer.cidr, "expected an IPv4 CIDR such as \"203.0.113.0/24\"");
      for (const ex of peer.except ?? []) v.require(isIpv4Cidr(ex), `${field}[${i}].peer.except`, ex, "expected an IPv4 CIDR");
    }
    validatePorts(v, `${field}[${i}].ports`, rule.ports ?? []);
  });
}

export function validatePorts(v: Validator, field: string, ports: readonly NetworkPort[]): void {
  ports.forEach((p, j) => {
    v.require(Number.isInteger(p.port) && p.port >= 1 && p.port <= 65535, `${field}[${j}].port`, p.port, "expected a port from 1 to 65535");
  });
}

export function resolvePeer(peer: NetworkPeer | NetworkEndpoint): NetworkPeer {
  return isNetworkEndpoint(peer) ? peer.networkPeer : peer;
}

/** A peer as a NetworkPolicy `from`/`to` entry. Namespaces match on `kubernetes.io/metadata.name`. */
export function toPolicyPeer(peer: NetworkPeer): k8s.types.input.networking.v1.NetworkPolicyPeer {
  switch (peer.kind) {
    case "cidr":
      return { ipBlock: { cidr: peer.cidr, except: peer.except ? [...peer.except] : undefined } };
    case "namespace":
      return {
        namespaceSelector: { matchLabels: { [LABEL_NAMESPACE_NAME]: peer.namespace } },
        podSelector: peer.podLabels ? { matchLabels: peer.podLabels } : undefined,
      };
    case "workload":
      return {
        namespaceSelector: { matchLabels: { [LABEL_NAMESPACE_NAME]: peer.namespace } },
        podSelector: { matchLabels: peer.podLabels },
      };
  }
}

export function toPolicyPorts(ports: readonly NetworkPort[]): k8s.types.input.networking.v1.NetworkPolicyPort[] {
  return ports.map((p) => ({ port: p.port, protocol: p.protocol ?? "TCP" }));
}

/** The egress rule every workload needs: cluster DNS on port 53, UDP and TCP. */
export function dnsEgressRule(dns: DnsTarget = defaults.dns): k8s.types.input.networking.v1.NetworkPolicyEgressRule {
  return {
    to: [toPolicyPeer({ kind: "namespace", namespace: dns.namespace, podLabels: dns.podLabels })],
    ports: [
      { port: dns.port, protocol: "UDP" },
      { port: dns.port, protocol: "TCP" },
    ],
  };
}

export interface DnsTarget {
  readonly namespace: string;
  readonly podLabels: Labels;
  readonly port: number;
}

/** Builds an ingress rule admitting `rule.peer` on `rule.ports` (or `defaultPorts`). */
export function ingressRule(rule: NetworkRule, defaultPorts: readonly NetworkPort[]): k8s.types.input.networking.v1.NetworkPolicyIngressRule {
  return { from: [toPolicyPeer(resolvePeer(rule.peer))], ports: toPolicyPorts(rule.ports ?? defaultPorts) };
}

/** Builds an egress rule reaching `rule.peer` on `rule.ports` (or the endpoint's own ports). */
export function egressRule(rule: NetworkRule): k8s.types.input.networking.v1.NetworkPolicyEgressRule {
  const ports = rule.ports ?? (isNetworkEndpoint(rule.peer) ? rule.peer.networkPorts : []);
  return { to: [toPolicyPeer(resolvePeer(rule.peer))], ports: ports.length > 0 ? toPolicyPorts(ports) : undefined };
}

/** A short, stable name for a peer, for child resource names: `api`, `ns-data`, `cidr-10-0-0-0-8`. */
export function peerSlug(peer: NetworkPeer): string {
  switch (peer.kind) {
    case "workload":
      return peer.name;
    case "namespace":
      return typeof peer.namespace === "string" ? `ns-${peer.namespace}` : "ns";
    case "cidr":
      return `cidr-${peer.cidr.replace(/[./]/g, "-")}`;
  }
}
