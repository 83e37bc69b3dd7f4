/** stack-flows: every flow the stack needs is allowed at both ends; what cannot be decided is said. */
import { neededFlows } from "../../policies/lib/needed-flows";
import { readFacts } from "../../policies/lib/cluster-facts";
import { StackObjects } from "../../policies/lib/stack-objects";
import { stackFlows } from "../../policies/stack/flows";
import { stackPrerequisites } from "../../policies/stack/prerequisites";
import { stackViolations } from "./harness";
import { FACTS, fixture, get, k8s, netpol } from "./stack-fixture";

type Props = Record<string, unknown>;
type Fixture = ReturnType<typeof fixture>;
const run = (f: Fixture, facts: Props = FACTS) => stackViolations(stackFlows, f.all, { cluster: facts }).map((v) => v.message);
const rules = (f: Fixture, name: string, direction: "ingress" | "egress") => get(f.byName(name), "spec")[direction] as Props[];

describe("stack-flows", () => {
  it("passes a stack whose NetworkPolicies admit every flow it needs", () => {
    expect(run(fixture())).toEqual([]);
  });

  it("reports a client blocked by its store's ingress, naming both ends, the port, the reason and the denying side", () => {
    const f = fixture();
    rules(f, "data-db-NetworkPolicy", "ingress").splice(0);
    expect(run(f)).toEqual([
      'blocked flow Deployment shop/api -> StatefulSet data/db on 5432/TCP (env DATABASE_URL (Secret shop/db-url) -> db.data.svc.cluster.local:5432): denied by the ingress of StatefulSet data/db (policies data/default-deny, data/db); admit Deployment shop/api in a NetworkPolicy selecting StatefulSet data/db.',
    ]);
  });

  it("reports a client blocked by its own egress", () => {
    const f = fixture();
    rules(f, "shop-api-NetworkPolicy", "egress").splice(1, 1);
    expect(run(f)).toEqual([
      "blocked flow Deployment shop/api -> StatefulSet data/db on 5432/TCP (env DATABASE_URL (Secret shop/db-url) -> db.data.svc.cluster.local:5432): denied by the egress of Deployment shop/api (policies shop/default-deny, shop/api); allow egress to StatefulSet data/db in a NetworkPolicy selecting Deployment shop/api.",
    ]);
  });

  it("reports a connection to a port the Service does not expose, whatever the policies", () => {
    const f = fixture();
    f.all.push(k8s("kubernetes:core/v1:Secret", { apiVersion: "v1", kind: "Secret", metadata: { name: "db-url", namespace: "shop" }, stringData: { url: "postgres://app:pw@db.data.svc:5433/app" } }));
    f.all.splice(f.all.indexOf(f.byName("shop-db-url-Secret")), 1);
    expect(run(f)).toEqual([
      "Deployment shop/api: env DATABASE_URL (Secret shop/db-url) names db.data.svc:5433, but Service data/db has no port 5433 (ports: pg=5432); connections there fail whatever the NetworkPolicies allow.",
    ]);
  });

  it("reports DNS blocked (UDP and TCP separately)", () => {
    const f = fixture();
    const dns = rules(f, "data-db-NetworkPolicy", "egress")[0];
    dns.ports = [{ port: 53, protocol: "TCP" }];
    expect(run(f)).toEqual([
      "blocked flow StatefulSet data/db -> cluster DNS (namespace kube-system) on 53/UDP (cluster DNS (UDP)): denied by the egress of StatefulSet data/db (policies data/default-deny, data/db); allow egress to cluster DNS (namespace kube-system) in a NetworkPolicy selecting StatefulSet data/db.",
    ]);
  });

  it("resolves DNS port names (dns, dns-tcp) as CoreDNS declares them", () => {
    const f = fixture();
    rules(f, "data-db-NetworkPolicy", "egress")[0].ports = [{ port: "dns", protocol: "UDP" }, { port: "dns-tcp", protocol: "TCP" }];
    expect(run(f)).toEqual([]);
    rules(f, "data-db-NetworkPolicy", "egress")[0].ports = [{ port: "domain", protocol: "UDP" }, { port: "dns-tcp", protocol: "TCP" }];
    expect(run(f)).toHaveLength(1);
  });

  it("cannot decide the flows of an Ingress of another class than the known controller's", () => {
    const f = fixture();
    rules(f, "shop-api-NetworkPolicy", "ingress")[0].ports = [{ port: 8081 }];
    get(f.byName("shop-api-Ingress"), "spec").ingressClassName = "traefik";
    expect(run(f).filter((m) => m.includes("ingress controller"))).toEqual([]);
    expect(stackViolations(stackPrerequisites, f.all, { cluster: FACTS }).map((v) => v.message)).toContain(
      "cannot decide: flows to the backends of Ingress shop/api: its class traefik is not the class of the controller the facts describe (nginx)",
    );
  });

  it("reports the ingress controller blocked from a backend on a named target port", () => {
    const f = fixture();
    rules(f, "shop-api-NetworkPolicy", "ingress")[0].ports = [{ port: 8081 }];
    expect(run(f)).toEqual([
      "blocked flow the ingress controller (namespace ingress-nginx) -> Deployment shop/api on 8080/TCP (Ingress shop/api backend api:80): denied by the ingress of Deployment shop/api (policies shop/default-deny, shop/api); admit the ingress controller (namespace ingress-nginx) in a NetworkPolicy selecting Deployment shop/api.",
      "blocked flow Prometheus (namespace monitoring) -> Deployment shop/api on 8080/TCP (scrape (prometheus.io/scrape annotation)): denied by the ingress of Deployment shop/api (policies shop/default-deny, shop/api); admit Prometheus (namespace monitoring) in a NetworkPolicy selecting Deployment shop/api.",
    ]);
  });

  it("reports cert-manager's HTTP-01 solver blocked, only where the issuer solves HTTP-01", () => {
    const f = fixture();
    f.all.splice(f.all.indexOf(f.byName("shop-acme-solver-NetworkPolicy")), 1);
    expect(run(f)).toEqual([
      "blocked flow the ingress controller (namespace ingress-nginx) -> cert-manager's HTTP-01 solver pods (namespace shop) on 8089/TCP (ACME HTTP-01 challenge): denied by the ingress of cert-manager's HTTP-01 solver pods (namespace shop) (policies shop/default-deny); admit the ingress controller (namespace ingress-nginx) in a NetworkPolicy selecting cert-manager's HTTP-01 solver pods (namespace shop).",
    ]);
    expect(run(f, { ...FACTS, issuers: [{ kind: "ClusterIssuer", name: "letsencrypt", solver: "dns01" }] })).toEqual([]);
    f.all.push(k8s("kubernetes:cert-manager.io/v1:ClusterIssuer", { apiVersion: "cert-manager.io/v1", kind: "ClusterIssuer", metadata: { name: "letsencrypt" }, spec: { selfSigned: {} } }));
    expect(run(f)).toEqual([]);
  });

  it("reports a ServiceMonitor endpoint nobody admits", () => {
    const f = fixture();
    get(f.byName("shop-api-Deployment"), "spec.template.metadata").annotations = {};
    get(f.byName("shop-api-Service"), "metadata").labels = { "app.kubernetes.io/name": "api" };
    get(f.byName("shop-api-Deployment"), "spec.template.spec").containers = [
      { ...(get(f.byName("shop-api-Deployment"), "spec.template.spec").containers as Props[])[0], ports: [{ name: "http", containerPort: 8080 }, { name: "metrics", containerPort: 9100 }] },
    ];
    (get(f.byName("shop-api-Service"), "spec").ports as Props[]).push({ name: "metrics", port: 9100, targetPort: "metrics" });
    f.all.push(k8s("kubernetes:monitoring.coreos.com/v1:ServiceMonitor", { apiVersion: "monitoring.coreos.com/v1", kind: "ServiceMonitor", metadata: { name: "api", namespace: "shop" }, spec: { selector: { matchLabels: { "app.kubernetes.io/name": "api" } }, endpoints: [{ port: "metrics" }] } }));
    expect(run(f)).toEqual([
      "blocked flow Prometheus (namespace monitoring) -> Deployment shop/api on 9100/TCP (scrape (ServiceMonitor shop/api)): denied by the ingress of Deployment shop/api (policies shop/default-deny, shop/api); admit Prometheus (namespace monitoring) in a NetworkPolicy selecting Deployment shop/api.",
    ]);
  });

  it("reports members of a replicated cluster that cannot reach each other (peers named in a mounted config file)", () => {
    const f = fixture();
    const sts = get(f.byName("data-db-StatefulSet"), "spec");
    sts.replicas = 2;
    f.all.push(k8s("kubernetes:core/v1:ConfigMap", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "db-peers", namespace: "data" }, data: { "peers.conf": "peer db-0.db-headless.data.svc.cluster.local:5432\npeer db-1.db-headless:5432\n" } }));
    const pod = get(f.byName("data-db-StatefulSet"), "spec.template.spec");
    pod.volumes = [{ name: "peers", configMap: { name: "db-peers" } }];
    expect(run(f)).toEqual([
      "blocked flow StatefulSet data/db -> StatefulSet data/db on 5432/TCP (file peers.conf (ConfigMap data/db-peers) -> db-0.db-headless.data.svc.cluster.local:5432): denied by the egress of StatefulSet data/db (policies data/default-deny, data/db) and the ingress of StatefulSet data/db (policies data/default-deny, data/db); admit StatefulSet data/db in a NetworkPolicy selecting StatefulSet data/db.",
    ]);
    sts.replicas = 1; // one pod reaching itself is never filtered
    expect(run(f)).toEqual([]);
  });

  it("checks the API server for pods that mount a token on purpose", () => {
    const f = fixture();
    get(f.byName("data-db-StatefulSet"), "spec.template.spec").automountServiceAccountToken = true;
    expect(run(f)).toEqual([
      "blocked flow StatefulSet data/db -> the Kubernetes API server (172.18.0.0/16) on 6443/TCP (calls the Kubernetes API (mounts a service account token)): denied by the egress of StatefulSet data/db (policies data/default-deny, data/db); allow egress to the Kubernetes API server (172.18.0.0/16) in a NetworkPolicy selecting StatefulSet data/db.",
    ]);
    rules(f, "data-db-NetworkPolicy", "egress").push({ to: [{ ipBlock: { cidr: "172.16.0.0/12" } }], ports: [{ port: 6443 }] });
    expect(run(f)).toEqual([]);
  });

  it("decides nothing it lacks facts for, and says so as prerequisites", () => {
    const f = fixture();
    f.all.splice(f.all.indexOf(f.byName("shop-acme-solver-NetworkPolicy")), 1);
    get(f.byName("data-db-StatefulSet"), "spec.template.spec").automountServiceAccountToken = true;
    expect(run(f, {})).toEqual([]);
    const lines = stackViolations(stackPrerequisites, f.all, { cluster: {} }).map((v) => v.message).filter((m) => m.startsWith("cannot decide"));
    expect(lines).toEqual([
      "cannot decide: whether the CNI enforces NetworkPolicies (cluster fact networkPolicy); without enforcement the stack's isolation does not hold",
      "cannot decide: DNS from 2 workload(s): the cluster fact dns (namespace and pod labels of cluster DNS) is missing",
      "cannot decide: flows from the ingress controller to 1 Ingress backend(s): the cluster fact ingressController (namespace and pod labels) is missing",
      "cannot decide: flows from Prometheus to 1 scrape target(s): the cluster fact prometheus (namespace and pod labels) is missing",
      "cannot decide: flows to the Kubernetes API server from StatefulSet data/db: the cluster fact apiServer (address range and port) is missing",
    ]);
  });

  it("judges no flow where the CNI does not enforce NetworkPolicies, and lists that as a prerequisite", () => {
    const f = fixture();
    rules(f, "data-db-NetworkPolicy", "ingress").splice(0);
    const facts = { ...FACTS, networkPolicy: { enforced: false, ipBlocks: false } };
    expect(run(f, facts)).toEqual([]);
    expect(stackViolations(stackPrerequisites, f.all, { cluster: facts }).map((v) => v.message)).toContain("prerequisite: a CNI that enforces NetworkPolicies: kind does not, so every pod can reach every other");
  });

  it("needs no scraping when the facts place Prometheus in a namespace the stack creates but leaves empty", () => {
    const f = fixture();
    rules(f, "shop-api-NetworkPolicy", "ingress")[0].from = [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ingress-nginx" } }, podSelector: { matchLabels: { "app.kubernetes.io/name": "ingress-nginx" } } }];
    expect(run(f)).toHaveLength(1);
    f.all.push(k8s("kubernetes:core/v1:Namespace", { apiVersion: "v1", kind: "Namespace", metadata: { name: "monitoring" } }));
    expect(run(f)).toEqual([]);
    expect(stackViolations(stackPrerequisites, f.all, { cluster: FACTS }).map((v) => v.message)).toContain(
      "cannot decide: scraping of 1 target(s): no Prometheus runs in namespace monitoring, which the stack creates (add an ObservabilityStack, or point the platform's monitoring facts at the Prometheus that scrapes them)",
    );
  });

  it("finds hosts in URLs, host:port pairs, *.svc names and host variables, and ignores other words", () => {
    const f = fixture();
    const container = (get(f.byName("shop-api-Deployment"), "spec.template.spec").containers as Props[])[0];
    container.env = [
      { name: "A", value: "redis+sentinel://db-0.db-headless.data:5432,db.data.svc:5432/mymaster" },
      { name: "LOG_LEVEL", value: "db" },
      { name: "DB_HOST", value: "db.data" },
      { name: "OTHER", value: "see db-headless.data.svc.cluster.local" },
    ];
    const found = neededFlows(new StackObjects(f.all), readFacts(FACTS)).flows.filter((x) => x.why.startsWith("env")).map((x) => x.why);
    expect(found).toEqual(["env A -> db-0.db-headless.data:5432", "env A -> db.data.svc:5432", "env DB_HOST -> db.data", "env OTHER -> db-headless.data.svc.cluster.local"]);
  });
});

describe("stack-prerequisites", () => {
  it("lists what the target must have", () => {
    const f = fixture();
    f.all.push(netpol("shop", "extra", { podSelector: {}, policyTypes: ["Ingress"] }));
    expect(stackViolations(stackPrerequisites, f.all, { cluster: FACTS, images: [{ reference: "postgres:16.4-alpine", user: { uid: 70, gid: 70 }, uids: [70], writablePaths: [], tools: ["sh"], source: "x" }] }).map((v) => v.message)).toEqual([
      "prerequisite: cert-manager ClusterIssuer letsencrypt (http01)",
      "prerequisite: IngressClass nginx served by an ingress controller (namespace ingress-nginx, pods app.kubernetes.io/name=ingress-nginx)",
      "prerequisite: DNS name shop.example.com pointing at the ingress controller's load balancer",
      "prerequisite: StorageClass standard (kind provides it)",
      "prerequisite: image ghcr.io/acme/api:1.0.0 (user-provided: built by the shop team's CI and pushed to GHCR; keel cannot verify offline that it exists or what it contains)",
    ]);
  });
});
