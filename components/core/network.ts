/**
 * Network access as intent: who may reach whom, on which port. keel turns these rules into
 * NetworkPolicies on Kubernetes (and security-group rules on AWS), with deny-by-default
 * around them: a workload's own policy lists every allowed ingress and egress peer.
 */
import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { defaults } from "./defaults";
import { findDuplicates } from "./duplicates";
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

function ipv4Number(address: string): number {
  return address.split(".").reduce((n, octet) => n * 256 + Number(octet), 0);
}

/** True when `inner` is a strict sub-range of `outer` (both IPv4 CIDRs). */
export function cidrContains(outer: string, inner: string): boolean {
  const [oa, op] = outer.split("/");
  const [ia, ip] = inner.split("/");
  if (Number(ip) <= Number(op)) return false;
  const size = 2 ** (32 - Number(op));
  return Math.floor(ipv4Number(ia) / size) === Math.floor(ipv4Number(oa) / size);
}

/** Checks the ports and CIDRs of a list of rules; problems go to `v` under `field[i]`. */
export function validateRules(v: Validator, field: string, rules: readonly NetworkRule[] = []): void {
  if (!Array.isArray(rules)) {
    v.require(false, field, typeof rules, "expected a list of rules such as [{ peer, ports }]");
    return;
  }
  rules.forEach((rule, i) => {
    if (typeof rule !== "object" || rule === null || typeof rule.peer !== "object" || rule.peer === null) {
      v.require(false, `${field}[${i}].peer`, rule === null || typeof rule !== "object" ? rule : rule.peer, "expected a peer: a keel component, or peers.workload(...), peers.namespace(...), peers.cidr(...)");
      return;
    }
    const peer = resolvePeer(rule.peer);
    if (peer.kind === "cidr") {
      v.require(isIpv4Cidr(peer.cidr), `${field}[${i}].peer.cidr`, peer.cidr, "expected an IPv4 CIDR such as \"203.0.113.0/24\"");
      (Array.isArray(peer.except) ? peer.except : []).forEach((ex, j) => {
        if (!v.require(isIpv4Cidr(ex), `${field}[${i}].peer.except[${j}]`, ex, "expected an IPv4 CIDR")) return;
        if (isIpv4Cidr(peer.cidr)) v.require(cidrContains(peer.cidr, ex), `${field}[${i}].peer.except[${j}]`, ex, `expected a range inside ${peer.cidr} and smaller than it (Kubernetes refuses other exceptions)`);
      });
    }
    validatePorts(v, `${field}[${i}].ports`, rule.ports ?? []);
  });
}

export const PROTOCOLS: readonly NetworkProtocol[] = ["TCP", "UDP", "SCTP"];

export function validatePorts(v: Validator, field: string, ports: readonly NetworkPort[]): void {
  if (!Array.isArray(ports)) {
    v.require(false, field, typeof ports, "expected a list of ports such as [{ port: 443 }]");
    return;
  }
  ports.forEach((p, j) => {
    v.require(Number.isInteger(p?.port) && p.port >= 1 && p.port <= 65535, `${field}[${j}].port`, p?.port, "expected a port from 1 to 65535");
    if (p?.protocol !== undefined) v.require(PROTOCOLS.includes(p.protocol), `${field}[${j}].protocol`, p.protocol, `expected one of ${PROTOCOLS.join(", ")} (upper case)`);
  });
  for (const d of findDuplicates(ports, (p) => (p && Number.isInteger(p.port) ? `${p.port}/${p.protocol ?? "TCP"}` : undefined))) {
    v.require(false, `${field}[${d.index}].port`, ports[d.index].port, `expected a port not already listed by ${field}[${d.first}]`);
  }
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

/**
 * Every platform resolves its own DnsTarget object, and every workload's NetworkAccess keeps
 * its platform's: so the object tells which platform a workload or store is on.
 */
const PLATFORM_OF_DNS = new WeakMap<DnsTarget, string>();

/** Records that `dns` is the DnsTarget of the platform named `platform`. */
export function notePlatformDns(dns: DnsTarget, platform: string): DnsTarget {
  PLATFORM_OF_DNS.set(dns, platform);
  return dns;
}

/** The name of the platform whose DnsTarget `dns` is, when known. */
export function platformOfDns(dns: DnsTarget): string | undefined {
  return PLATFORM_OF_DNS.get(dns);
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
