/**
 * The NetworkPolicy evaluator (policies/lib/network-model) against Kubernetes' documented
 * semantics (concepts/services-networking/network-policies and the networking.k8s.io/v1 API
 * reference: NetworkPolicySpec, NetworkPolicyPeer, NetworkPolicyPort), flow by flow.
 */
import { Endpoint, Flow, FlowVerdict, NetworkModel, PodGroup, Protocol, denyingSides, endpointName, inCidr, parsePolicy } from "../../policies/lib/network-model";

type Json = Record<string, unknown>;
type Port = PodGroup["ports"][number];

const group = (namespace: string, name: string, labels: Record<string, string>, ports: Port[] = [], hostNetwork?: boolean): PodGroup => ({
  id: `Deployment ${namespace}/${name}`,
  namespace,
  labels,
  ports,
  ...(hostNetwork === undefined ? {} : { hostNetwork }),
});
const pods = (g: PodGroup): Endpoint => ({ pods: g });
const address = (a: string, id = `address ${a}`): Endpoint => ({ address: a, id });
const flow = (from: Endpoint, to: Endpoint, port = 80, protocol: Protocol = "TCP"): Flow => ({ from, to, port, protocol });

const policy = (namespace: string, name: string, spec: Json): Json => ({ apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name, namespace }, spec });
const namespace = (name: string, labels?: Record<string, string>): Json => ({ apiVersion: "v1", kind: "Namespace", metadata: labels ? { name, labels } : { name } });
const model = (...objects: Json[]) => NetworkModel.fromObjects(objects);

const OPEN = { allowed: true, isolated: false, policies: [] };
const endpoint = (e: PodGroup | Endpoint): Endpoint => ("namespace" in e ? pods(e) : e);
const allows = (m: NetworkModel, from: PodGroup | Endpoint, to: PodGroup | Endpoint, port = 80, protocol: Protocol = "TCP"): boolean =>
  m.evaluate(flow(endpoint(from), endpoint(to), port, protocol)).allowed;

/** A model whose only policy isolates `to`'s ingress and admits the given peers (any port). */
const ingressFrom = (to: PodGroup, peers: Json[], ...more: Json[]) =>
  model(policy(to.namespace, "allow", { podSelector: { matchLabels: to.labels }, policyTypes: ["Ingress"], ingress: [{ from: peers }] }), ...more);
/** A model whose only policy isolates `to`'s ingress and admits every peer on the given ports. */
const ingressPorts = (to: PodGroup, ports: Json[]) =>
  model(policy(to.namespace, "allow", { podSelector: { matchLabels: to.labels }, policyTypes: ["Ingress"], ingress: [{ ports }] }));

const api = group("shop", "api", { app: "api" }, [{ name: "http", port: 8080, protocol: "TCP" }]);
const web = group("shop", "web", { app: "web" });
const db = group("shop", "db", { app: "db" });
const otherApi = group("other", "api", { app: "api" });

describe("NetworkModel", () => {
  it("allows everything to and from a pod no policy selects, even when a policy in another namespace selects its labels", () => {
    expect(model().evaluate(flow(pods(web), pods(api), 1234, "UDP"))).toEqual({ allowed: true, egress: OPEN, ingress: OPEN });
    // Deny-all ingress and egress in "other" selects pods labelled app=api there, not shop/api.
    const m = model(policy("other", "deny", { podSelector: {}, policyTypes: ["Ingress", "Egress"] }));
    expect(m.evaluate(flow(pods(web), pods(api)))).toEqual({ allowed: true, egress: OPEN, ingress: OPEN });
    expect(m.evaluate(flow(pods(api), pods(web)))).toEqual({ allowed: true, egress: OPEN, ingress: OPEN });
    // ...while other/api itself is isolated both ways.
    expect(m.evaluate(flow(pods(web), pods(otherApi)))).toEqual({ allowed: false, egress: OPEN, ingress: { allowed: false, isolated: true, policies: ["other/deny"] } });
    expect(m.evaluate(flow(pods(otherApi), pods(web)))).toEqual({ allowed: false, egress: { allowed: false, isolated: true, policies: ["other/deny"] }, ingress: OPEN });
  });

  it("defaults policyTypes to Ingress, plus Egress only when the policy has egress rules", () => {
    // Absent policyTypes, ingress rules only: ingress isolated, egress open.
    const ingressOnly = model(policy("shop", "p", { podSelector: { matchLabels: { app: "api" } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: "web" } } }] }] }));
    expect(allows(ingressOnly, web, api)).toBe(true);
    expect(allows(ingressOnly, db, api)).toBe(false);
    expect(ingressOnly.evaluate(flow(pods(api), pods(db), 5432))).toEqual({ allowed: true, egress: OPEN, ingress: OPEN });

    // Absent policyTypes and no ingress key at all: still isolates ingress (every policy affects ingress).
    const bare = model(policy("shop", "p", { podSelector: { matchLabels: { app: "api" } } }));
    expect(bare.evaluate(flow(pods(web), pods(api)))).toEqual({ allowed: false, egress: OPEN, ingress: { allowed: false, isolated: true, policies: ["shop/p"] } });
    expect(allows(bare, api, web)).toBe(true);

    // Absent policyTypes with egress rules: egress isolated too.
    const withEgress = model(policy("shop", "p", { podSelector: { matchLabels: { app: "api" } }, egress: [{ to: [{ podSelector: { matchLabels: { app: "db" } } }] }] }));
    expect(allows(withEgress, api, db)).toBe(true);
    expect(withEgress.evaluate(flow(pods(api), pods(web)))).toEqual({ allowed: false, egress: { allowed: false, isolated: true, policies: ["shop/p"] }, ingress: OPEN });
    expect(allows(withEgress, web, api)).toBe(false); // ingress isolated with no rules

    // Absent policyTypes with an empty egress list: Kubernetes defaults on len(egress) != 0, so egress stays open.
    const emptyEgress = model(policy("shop", "p", { podSelector: { matchLabels: { app: "api" } }, ingress: [{}], egress: [] }));
    expect(emptyEgress.evaluate(flow(pods(api), pods(web)))).toEqual({ allowed: true, egress: OPEN, ingress: OPEN });
    expect(parsePolicy(policy("shop", "p", { podSelector: {}, egress: [] })).egress).toBeUndefined();

    // policyTypes: [Egress] alone: ingress rules are ignored and ingress stays open; no egress rules = deny all egress.
    const egressOnly = model(policy("shop", "p", { podSelector: { matchLabels: { app: "api" } }, policyTypes: ["Egress"], ingress: [{ from: [{ podSelector: { matchLabels: { app: "none" } } }] }] }));
    expect(egressOnly.evaluate(flow(pods(web), pods(api)))).toEqual({ allowed: true, egress: OPEN, ingress: OPEN });
    expect(egressOnly.evaluate(flow(pods(api), pods(web)))).toEqual({ allowed: false, egress: { allowed: false, isolated: true, policies: ["shop/p"] }, ingress: OPEN });

    // An empty podSelector selects every pod of its namespace, none of another.
    const all = model(policy("shop", "deny", { podSelector: {}, policyTypes: ["Ingress"] }));
    expect(allows(all, otherApi, api)).toBe(false);
    expect(allows(all, otherApi, web)).toBe(false);
    expect(allows(all, otherApi, db)).toBe(false);
    expect(allows(all, api, otherApi)).toBe(true);
  });

  it("adds policies together: a default deny plus an allow admits what the allow admits", () => {
    const deny = policy("shop", "default-deny", { podSelector: {}, policyTypes: ["Ingress"], ingress: [] });
    const allow = policy("shop", "allow-web", { podSelector: { matchLabels: { app: "api" } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: "web" } } }] }] });
    const denyOnly = model(deny);
    expect(allows(denyOnly, web, api)).toBe(false);
    const m = model(deny, allow);
    expect(m.evaluate(flow(pods(web), pods(api)))).toEqual({ allowed: true, egress: OPEN, ingress: { allowed: true, isolated: true, policies: ["shop/default-deny", "shop/allow-web"] } });
    expect(m.evaluate(flow(pods(db), pods(api)))).toEqual({ allowed: false, egress: OPEN, ingress: { allowed: false, isolated: true, policies: ["shop/default-deny", "shop/allow-web"] } });
    // The allow does not select db, so only the deny applies there.
    expect(m.evaluate(flow(pods(web), pods(db)))).toEqual({ allowed: false, egress: OPEN, ingress: { allowed: false, isolated: true, policies: ["shop/default-deny"] } });
  });

  it("admits every source when a rule has no from or an empty from, and every port when it has no ports", () => {
    const outside = address("203.0.113.9", "the internet");
    for (const rule of [{}, { from: [] }, { from: [], ports: [] }]) {
      const m = model(policy("shop", "p", { podSelector: { matchLabels: { app: "api" } }, ingress: [rule] }));
      expect(allows(m, web, api, 1)).toBe(true);
      expect(allows(m, otherApi, api, 65535, "UDP")).toBe(true);
      expect(allows(m, outside, api, 8080)).toBe(true);
    }
    // A rule with ports but no from: every source, those ports only.
    const m = model(policy("shop", "p", { podSelector: { matchLabels: { app: "api" } }, ingress: [{ ports: [{ port: 8080 }] }] }));
    expect(allows(m, otherApi, api, 8080)).toBe(true);
    expect(allows(m, outside, api, 8080)).toBe(true);
    expect(allows(m, otherApi, api, 8081)).toBe(false);
    // A rule with from but no ports: those sources, every port and protocol.
    const n = ingressFrom(api, [{ podSelector: { matchLabels: { app: "web" } } }]);
    expect(allows(n, web, api, 1)).toBe(true);
    expect(allows(n, web, api, 53, "UDP")).toBe(true);
    expect(allows(n, web, api, 9, "SCTP")).toBe(true);
    expect(allows(n, db, api, 1)).toBe(false);
  });

  it("reads a podSelector alone as pods of the policy's namespace", () => {
    const m = ingressFrom(db, [{ podSelector: { matchLabels: { app: "api" } } }]);
    expect(allows(m, api, db, 5432)).toBe(true);
    expect(allows(m, otherApi, db, 5432)).toBe(false); // same labels, other namespace
    expect(allows(m, web, db, 5432)).toBe(false);
    // An empty podSelector alone: every pod of the policy's namespace, none outside it.
    const all = ingressFrom(db, [{ podSelector: {} }]);
    expect(allows(all, web, db)).toBe(true);
    expect(allows(all, otherApi, db)).toBe(false);
  });

  it("reads a namespaceSelector alone as every pod of the selected namespaces", () => {
    const m = ingressFrom(db, [{ namespaceSelector: { matchLabels: { team: "ops" } } }], namespace("ops", { team: "ops" }), namespace("shop", { team: "shop" }));
    expect(allows(m, group("ops", "monitor", { app: "prometheus" }), db)).toBe(true);
    expect(allows(m, group("ops", "anything", {}), db)).toBe(true);
    expect(allows(m, web, db)).toBe(false); // the policy's own namespace is not selected
    expect(allows(m, otherApi, db)).toBe(false);
    // An empty namespaceSelector: every pod of every namespace, but still no address.
    const any = ingressFrom(db, [{ namespaceSelector: {} }]);
    expect(allows(any, otherApi, db)).toBe(true);
    expect(allows(any, web, db)).toBe(true);
    expect(allows(any, address("10.0.0.7"), db)).toBe(false);
  });

  it("ANDs namespaceSelector and podSelector in one peer and ORs them as two peers (the documentation's example)", () => {
    const nsObjects = [namespace("alice-ns", { user: "alice" }), namespace("bob-ns", { user: "bob" })];
    const aliceClient = group("alice-ns", "client", { role: "client" });
    const aliceOther = group("alice-ns", "other", { role: "other" });
    const bobClient = group("bob-ns", "client", { role: "client" });
    const shopClient = group("shop", "client", { role: "client" });
    const ns = { namespaceSelector: { matchLabels: { user: "alice" } } };
    const pod = { podSelector: { matchLabels: { role: "client" } } };

    const and = ingressFrom(db, [{ ...ns, ...pod }], ...nsObjects);
    expect([aliceClient, aliceOther, bobClient, shopClient].map((g) => allows(and, g, db))).toEqual([true, false, false, false]);

    const or = ingressFrom(db, [ns, pod], ...nsObjects);
    expect([aliceClient, aliceOther, bobClient, shopClient].map((g) => allows(or, g, db))).toEqual([true, true, false, true]);
  });

  it("labels every namespace kubernetes.io/metadata.name and takes other namespace labels from Namespace objects", () => {
    const byName = ingressFrom(db, [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ops" } } }]);
    expect(allows(byName, group("ops", "monitor", {}), db)).toBe(true); // no Namespace object for ops
    expect(allows(byName, group("dev", "monitor", {}), db)).toBe(false);
    const withObject = ingressFrom(db, [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ops" } } }], namespace("ops", { team: "ops" }));
    expect(allows(withObject, group("ops", "monitor", {}), db)).toBe(true); // the object's labels add to it
    expect(withObject.labelsOfNamespace("ops")).toEqual({ team: "ops", "kubernetes.io/metadata.name": "ops" });
    expect(withObject.labelsOfNamespace("dev")).toEqual({ "kubernetes.io/metadata.name": "dev" });

    const byTeam = ingressFrom(db, [{ namespaceSelector: { matchLabels: { team: "ops" } } }], namespace("ops", { team: "ops" }), namespace("dev"));
    expect(allows(byTeam, group("ops", "monitor", {}), db)).toBe(true);
    expect(allows(byTeam, group("dev", "monitor", {}), db)).toBe(false); // a Namespace object without the label
    expect(allows(byTeam, group("qa", "monitor", {}), db)).toBe(false); // no Namespace object: only its name label
  });

  it("applies matchExpressions In, NotIn, Exists and DoesNotExist to pod selectors", () => {
    const tier = (t?: string) => group("shop", `tier-${t ?? "none"}`, t === undefined ? { app: "x" } : { app: "x", tier: t });
    const check = (expression: Json) => {
      const m = ingressFrom(db, [{ podSelector: { matchExpressions: [expression] } }]);
      return [tier("web"), tier("db"), tier()].map((g) => allows(m, g, db));
    };
    expect(check({ key: "tier", operator: "In", values: ["web", "api"] })).toEqual([true, false, false]);
    expect(check({ key: "tier", operator: "NotIn", values: ["db"] })).toEqual([true, false, true]);
    expect(check({ key: "tier", operator: "Exists" })).toEqual([true, true, false]);
    expect(check({ key: "tier", operator: "DoesNotExist" })).toEqual([false, false, true]);
    // matchLabels and matchExpressions are ANDed.
    const both = ingressFrom(db, [{ podSelector: { matchLabels: { app: "x" }, matchExpressions: [{ key: "tier", operator: "In", values: ["web"] }] } }]);
    expect(allows(both, tier("web"), db)).toBe(true);
    expect(allows(both, group("shop", "y", { app: "y", tier: "web" }), db)).toBe(false);
    // The policy's own podSelector takes expressions too: it isolates only the pods it selects.
    const isolating = model(policy("shop", "p", { podSelector: { matchExpressions: [{ key: "tier", operator: "In", values: ["db"] }] }, policyTypes: ["Ingress"] }));
    expect(allows(isolating, web, tier("db"))).toBe(false);
    expect(allows(isolating, web, tier("web"))).toBe(true);
  });

  it("applies matchExpressions In, NotIn, Exists and DoesNotExist to namespace selectors", () => {
    const nsObjects = [namespace("prod", { env: "prod" }), namespace("staging", { env: "staging" }), namespace("scratch")];
    const sources = ["prod", "staging", "scratch"].map((ns) => group(ns, "client", { app: "client" }));
    const check = (expression: Json) => {
      const m = ingressFrom(db, [{ namespaceSelector: { matchExpressions: [expression] } }], ...nsObjects);
      return sources.map((g) => allows(m, g, db));
    };
    expect(check({ key: "env", operator: "In", values: ["prod"] })).toEqual([true, false, false]);
    expect(check({ key: "env", operator: "NotIn", values: ["prod"] })).toEqual([false, true, true]);
    expect(check({ key: "env", operator: "Exists" })).toEqual([true, true, false]);
    expect(check({ key: "env", operator: "DoesNotExist" })).toEqual([false, false, true]);
    expect(check({ key: "kubernetes.io/metadata.name", operator: "In", values: ["staging", "scratch"] })).toEqual([false, true, true]);
  });

  it("decides both ends: the destination's ingress allowing a flow the source's egress denies still denies it", () => {
    const ingress = policy("shop", "db-ingress", { podSelector: { matchLabels: { app: "db" } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: "api" } } }], ports: [{ port: 5432 }] }] });
    const egress = policy("shop", "api-egress", { podSelector: { matchLabels: { app: "api" } }, policyTypes: ["Egress"], egress: [{ to: [{ podSelector: { matchLabels: { app: "web" } } }] }] });
    const egress2 = policy("shop", "api-egress-dns", { podSelector: { matchLabels: { app: "api" } }, policyTypes: ["Egress"], egress: [{ ports: [{ port: 53, protocol: "UDP" }] }] });
    const m = model(ingress, egress, egress2);
    const f = flow(pods(api), pods(db), 5432);
    const verdict: FlowVerdict = m.evaluate(f);
    expect(verdict).toEqual({
      allowed: false,
      egress: { allowed: false, isolated: true, policies: ["shop/api-egress", "shop/api-egress-dns"] },
      ingress: { allowed: true, isolated: true, policies: ["shop/db-ingress"] },
    });
    expect(denyingSides(f, verdict)).toBe("the egress of Deployment shop/api (policies shop/api-egress, shop/api-egress-dns)");

    // Now the egress allows it: the flow passes.
    const open = model(ingress, policy("shop", "api-egress", { podSelector: { matchLabels: { app: "api" } }, policyTypes: ["Egress"], egress: [{ to: [{ podSelector: { matchLabels: { app: "db" } } }] }] }));
    expect(open.evaluate(f)).toEqual({ allowed: true, egress: { allowed: true, isolated: true, policies: ["shop/api-egress"] }, ingress: { allowed: true, isolated: true, policies: ["shop/db-ingress"] } });

    // Both sides denying: wrong port for the ingress, wrong peer for the egress.
    const g = flow(pods(api), pods(db), 6379);
    const both = m.evaluate(g);
    expect(both.egress.allowed).toBe(false);
    expect(both.ingress.allowed).toBe(false);
    expect(denyingSides(g, both)).toBe("the egress of Deployment shop/api (policies shop/api-egress, shop/api-egress-dns) and the ingress of Deployment shop/db (policies shop/db-ingress)");

    // Only the ingress denying.
    const h = flow(pods(web), pods(db), 5432);
    const ingressOnly = m.evaluate(h);
    expect(ingressOnly).toEqual({ allowed: false, egress: OPEN, ingress: { allowed: false, isolated: true, policies: ["shop/db-ingress"] } });
    expect(denyingSides(h, ingressOnly)).toBe("the ingress of Deployment shop/db (policies shop/db-ingress)");
    expect(endpointName(pods(db))).toBe("Deployment shop/db");
    expect(endpointName(address("1.2.3.4", "the internet"))).toBe("the internet");
  });

  it("defaults a port's protocol to TCP and reads a port-less entry as every port of its protocol", () => {
    const tcp = ingressPorts(db, [{ port: 53 }]);
    expect(allows(tcp, web, db, 53, "TCP")).toBe(true);
    expect(allows(tcp, web, db, 53, "UDP")).toBe(false);
    expect(allows(tcp, web, db, 54, "TCP")).toBe(false);

    const udp = ingressPorts(db, [{ protocol: "UDP" }]);
    expect(allows(udp, web, db, 1, "UDP")).toBe(true);
    expect(allows(udp, web, db, 65535, "UDP")).toBe(true);
    expect(allows(udp, web, db, 53, "TCP")).toBe(false);
    expect(allows(udp, web, db, 53, "SCTP")).toBe(false);

    const sctp = ingressPorts(db, [{ protocol: "SCTP", port: 3868 }]);
    expect(allows(sctp, web, db, 3868, "SCTP")).toBe(true);
    expect(allows(sctp, web, db, 3868, "TCP")).toBe(false);
  });

  it("reads endPort as a range inclusive at both ends", () => {
    const m = ingressPorts(db, [{ port: 32000, endPort: 32768 }]);
    expect([31999, 32000, 32400, 32768, 32769].map((p) => allows(m, web, db, p))).toEqual([false, true, true, true, false]);
    expect(allows(m, web, db, 32000, "UDP")).toBe(false);
  });

  it("matches a named ingress port against the destination pod's container port of that name and protocol", () => {
    const m = ingressPorts(api, [{ port: "http" }]);
    expect(allows(m, web, api, 8080)).toBe(true);
    expect(allows(m, web, api, 80)).toBe(false); // the name resolves to 8080 on this pod
    expect(allows(m, web, api, 8080, "UDP")).toBe(false);
    // A pod without a port of that name: nothing matches.
    const unnamed = group("shop", "api", { app: "api" }, [{ port: 8080, protocol: "TCP" }]);
    expect(allows(m, web, unnamed, 8080)).toBe(false);
    const otherName = group("shop", "api", { app: "api" }, [{ name: "metrics", port: 8080, protocol: "TCP" }]);
    expect(allows(m, web, otherName, 8080)).toBe(false);
    // Name and protocol must both match the container port.
    const dnsPod = group("shop", "dns", { app: "dns" }, [{ name: "dns", port: 53, protocol: "UDP" }, { name: "dns-tcp", port: 53, protocol: "TCP" }]);
    const dns = ingressPorts(dnsPod, [{ port: "dns", protocol: "UDP" }]);
    expect(allows(dns, web, dnsPod, 53, "UDP")).toBe(true);
    expect(allows(dns, web, dnsPod, 53, "TCP")).toBe(false);
    const dnsTcpAsUdp = ingressPorts(dnsPod, [{ port: "dns-tcp", protocol: "UDP" }]);
    expect(allows(dnsTcpAsUdp, web, dnsPod, 53, "UDP")).toBe(false);
  });

  it("resolves a named egress port against the destination pod's ports", () => {
    const m = model(policy("shop", "web-egress", { podSelector: { matchLabels: { app: "web" } }, policyTypes: ["Egress"], egress: [{ ports: [{ port: "http" }] }] }));
    expect(allows(m, web, api, 8080)).toBe(true); // api names 8080 "http"
    const other = group("shop", "other", { app: "other" }, [{ name: "http", port: 9090, protocol: "TCP" }]);
    expect(allows(m, web, other, 9090)).toBe(true);
    expect(allows(m, web, other, 8080)).toBe(false); // the source-independent name means 9090 there
    expect(allows(m, web, db, 8080)).toBe(false); // db has no port named http
    expect(allows(m, web, address("198.51.100.1"), 8080)).toBe(false); // an address has no named ports
  });

  it("reads a numeric string port as that number", () => {
    const m = ingressPorts(db, [{ port: "8080" }]);
    expect(allows(m, web, db, 8080)).toBe(true);
    expect(allows(m, web, db, 8081)).toBe(false);
    expect(allows(m, web, db, 8080, "UDP")).toBe(false);
  });

  it("matches an ipBlock against addresses inside its CIDR and outside its except, never against pods", () => {
    const m = ingressFrom(api, [{ ipBlock: { cidr: "172.17.0.0/16", except: ["172.17.1.0/24"] } }]);
    expect(allows(m, address("172.17.0.5"), api)).toBe(true);
    expect(allows(m, address("172.17.255.255"), api)).toBe(true);
    expect(allows(m, address("172.17.1.5"), api)).toBe(false); // in except
    expect(allows(m, address("172.18.0.5"), api)).toBe(false); // outside
    expect(allows(m, address("172.17.2.0/24"), api)).toBe(true); // a CIDR wholly inside
    expect(allows(m, address("172.16.0.0/12"), api)).toBe(false); // a CIDR wider than the block
    expect(allows(m, address("172.17.0.0/16"), api)).toBe(false); // a CIDR partly in except
    // keel's documented choice: pod addresses are never matched by ipBlock, even 0.0.0.0/0.
    const everything = ingressFrom(api, [{ ipBlock: { cidr: "0.0.0.0/0" } }]);
    expect(allows(everything, web, api)).toBe(false);
    expect(allows(everything, address("8.8.8.8"), api)).toBe(true);
    expect(allows(everything, address("2001:db8::1"), api)).toBe(false); // an IPv6 address is not in an IPv4 block
  });

  it("matches IPv6 ipBlocks", () => {
    const m = ingressFrom(api, [{ ipBlock: { cidr: "2001:db8::/32", except: ["2001:db8:1::/48"] } }]);
    expect(allows(m, address("2001:db8:2::5"), api)).toBe(true);
    expect(allows(m, address("2001:DB8:ffff:ffff:ffff:ffff:ffff:ffff"), api)).toBe(true);
    expect(allows(m, address("2001:db8:1::5"), api)).toBe(false);
    expect(allows(m, address("2001:db9::1"), api)).toBe(false);
    expect(allows(m, address("10.0.0.1"), api)).toBe(false);
    const all = ingressFrom(api, [{ ipBlock: { cidr: "::/0" } }]);
    expect(allows(all, address("::1"), api)).toBe(true);
    expect(allows(all, address("fe80::1"), api)).toBe(true);
  });

  it("tests inCidr for addresses and for CIDRs taken as a whole", () => {
    expect(inCidr("10.1.2.0/24", "10.1.0.0/16")).toBe(true);
    expect(inCidr("10.1.0.0/16", "10.1.2.0/24")).toBe(false);
    expect(inCidr("10.1.0.0/16", "10.1.0.0/16")).toBe(true);
    expect(inCidr("10.1.2.3", "10.1.2.0/24")).toBe(true);
    expect(inCidr("10.1.3.0", "10.1.2.0/24")).toBe(false);
    expect(inCidr("10.1.2.3", "10.1.2.3/32")).toBe(true);
    expect(inCidr("10.1.2.4", "10.1.2.3/32")).toBe(false);
    expect(inCidr("192.168.0.1", "0.0.0.0/0")).toBe(true);
    expect(inCidr("2001:db8::/48", "2001:db8::/32")).toBe(true);
    expect(inCidr("2001:db8::/32", "2001:db8::/48")).toBe(false);
    expect(inCidr("::ffff", "::/112")).toBe(true);
    expect(inCidr("10.0.0.1", "::/0")).toBe(false);
    expect(inCidr("not-an-ip", "0.0.0.0/0")).toBe(false);
  });

  it("never isolates hostNetwork pods, while the other end's policies still apply", () => {
    const deny = policy("kube-system", "deny", { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
    const agent = group("kube-system", "agent", { app: "agent" }, [], true);
    const plain = group("kube-system", "plain", { app: "plain" });
    const m = model(deny);
    expect(m.evaluate(flow(pods(web), pods(agent)))).toEqual({ allowed: true, egress: OPEN, ingress: OPEN });
    expect(m.evaluate(flow(pods(agent), pods(web)))).toEqual({ allowed: true, egress: OPEN, ingress: OPEN });
    expect(allows(m, web, plain)).toBe(false);
    expect(m.evaluate(flow(pods(agent), pods(plain)))).toEqual({ allowed: false, egress: OPEN, ingress: { allowed: false, isolated: true, policies: ["kube-system/deny"] } });
  });

  it("allows egress to the API server address only through an ipBlock egress rule", () => {
    const apiServer = address("172.18.0.3/32", "the Kubernetes API server (172.18.0.3/32)");
    const deny = policy("shop", "deny-egress", { podSelector: {}, policyTypes: ["Egress"] });
    const toApiServer = policy("shop", "to-api-server", {
      podSelector: { matchLabels: { app: "api" } },
      policyTypes: ["Egress"],
      egress: [{ to: [{ ipBlock: { cidr: "172.18.0.0/16" } }], ports: [{ port: 6443 }] }],
    });
    const f = flow(pods(api), apiServer, 6443);
    const denied = model(deny).evaluate(f);
    expect(denied).toEqual({ allowed: false, egress: { allowed: false, isolated: true, policies: ["shop/deny-egress"] }, ingress: OPEN });
    expect(denyingSides(f, denied)).toBe("the egress of Deployment shop/api (policies shop/deny-egress)");

    const m = model(deny, toApiServer);
    expect(m.evaluate(f)).toEqual({ allowed: true, egress: { allowed: true, isolated: true, policies: ["shop/deny-egress", "shop/to-api-server"] }, ingress: OPEN });
    expect(allows(m, api, apiServer, 443)).toBe(false);
    expect(allows(m, web, apiServer, 6443)).toBe(false); // the rule selects api only
    // A pod-only egress rule does not reach an address; an all-namespaces one neither.
    const podsOnly = model(policy("shop", "p", { podSelector: { matchLabels: { app: "api" } }, policyTypes: ["Egress"], egress: [{ to: [{ namespaceSelector: {} }], ports: [{ port: 6443 }] }] }));
    expect(allows(podsOnly, api, apiServer, 6443)).toBe(false);
  });
});
