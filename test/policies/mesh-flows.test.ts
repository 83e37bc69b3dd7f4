/** The flows an Istio mesh needs (sidecars to istiod, Prometheus to the merged metrics), STRICT mTLS against plaintext clients, and Istio's prerequisites. */
import { ApiService, KubernetesPlatform, ObservabilityStack } from "../../components";
import { readFacts } from "../../policies/lib/cluster-facts";
import type { Target } from "../../policies/lib/define";
import { neededFlows } from "../../policies/lib/needed-flows";
import { StackObjects } from "../../policies/lib/stack-objects";
import { stackFlows } from "../../policies/stack/flows";
import { stackPrerequisites } from "../../policies/stack/prerequisites";
import { synthesize, unwrap } from "../helpers/synth";
import { stackViolations } from "./harness";
import { FACTS, fixture, get, k8s, netpol } from "./stack-fixture";

type Props = Record<string, unknown>;
type Fixture = ReturnType<typeof fixture>;

const MESH = { kind: "istio", namespace: "istio-system", istiodLabels: { app: "istiod" }, namespaces: ["shop"], cni: true, ingressControllerInMesh: false };
const MESHED = { ...FACTS, mesh: MESH };
const API = { "app.kubernetes.io/name": "api" };
const byName = (ns: string, labels: Props) => ({ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": ns } }, podSelector: { matchLabels: labels } });
const pa = (name: string, spec: Props) => k8s("kubernetes:security.istio.io/v1:PeerAuthentication", { apiVersion: "security.istio.io/v1", kind: "PeerAuthentication", metadata: { name, namespace: "shop" }, spec });

/** The fixture's shop namespace meshed as the platform does it, with the API's Ingress backend admitting the controller's plaintext. */
function meshedFixture(): Fixture {
  const f = fixture();
  f.all.push(
    pa("default", { mtls: { mode: "STRICT" } }),
    pa("acme-http01-solver", { selector: { matchLabels: { "acme.cert-manager.io/http01-solver": "true" } }, mtls: { mode: "UNSET" }, portLevelMtls: { "8089": { mode: "PERMISSIVE" } } }),
    pa("api-ingress", { selector: { matchLabels: API }, mtls: { mode: "UNSET" }, portLevelMtls: { "8080": { mode: "PERMISSIVE" } } }),
    netpol("shop", "istio-sidecar", {
      podSelector: {},
      policyTypes: ["Ingress", "Egress"],
      ingress: [{ from: [byName("monitoring", { "app.kubernetes.io/name": "prometheus" })], ports: [{ port: 15020, protocol: "TCP" }] }],
      egress: [{ to: [byName("istio-system", { app: "istiod" })], ports: [{ port: 15012, protocol: "TCP" }] }],
    }),
  );
  return f;
}

const run = (f: Fixture, facts: Props = MESHED) => stackViolations(stackFlows, f.all, { cluster: facts }).map((v) => v.message);
const sidecarRules = (f: Fixture, direction: "ingress" | "egress") => get(f.byName("shop-istio-sidecar-NetworkPolicy"), "spec")[direction] as Props[];
const whys = (f: Fixture, facts: Props) => neededFlows(new StackObjects(f.all), readFacts(facts)).flows.map((x) => `${"pods" in x.from ? x.from.pods.id : x.from.id} -> ${"pods" in x.to ? x.to.pods.id : x.to.id} ${x.ports.map((p) => p.port).join("|")} (${x.why})`);

describe("stack-flows in an Istio mesh", () => {
  it("passes a meshed stack whose NetworkPolicies let the sidecars reach istiod and Prometheus reach them", () => {
    expect(run(meshedFixture())).toEqual([]);
  });

  it("reports the sidecars cut off from istiod (15012), naming the flow", () => {
    const f = meshedFixture();
    sidecarRules(f, "egress").splice(0);
    expect(run(f)).toEqual([
      "blocked flow Deployment shop/api -> istiod (namespace istio-system) on 15012/TCP (Istio sidecar xDS (15012)): denied by the egress of Deployment shop/api (policies shop/default-deny, shop/api, shop/istio-sidecar); allow egress to istiod (namespace istio-system) in a NetworkPolicy selecting Deployment shop/api.",
    ]);
  });

  it("reports Prometheus cut off from the merged metrics (15020)", () => {
    const f = meshedFixture();
    sidecarRules(f, "ingress").splice(0);
    expect(run(f)).toEqual([
      "blocked flow Prometheus (namespace monitoring) -> Deployment shop/api on 15020/TCP (Istio merged metrics (15020)): denied by the ingress of Deployment shop/api (policies shop/default-deny, shop/api, shop/istio-sidecar); admit Prometheus (namespace monitoring) in a NetworkPolicy selecting Deployment shop/api.",
    ]);
  });

  it("needs neither flow without mesh facts, nor for a pod that opts out of injection", () => {
    const f = meshedFixture();
    const istio = (lines: string[]) => lines.filter((l) => /1501[2]|15020/.test(l));
    expect(istio(whys(f, FACTS))).toEqual([]);
    expect(whys(f, FACTS)).toContain("Prometheus (namespace monitoring) -> Deployment shop/api 8080 (scrape (prometheus.io/scrape annotation))");
    expect(istio(whys(f, MESHED))).toEqual([
      "Deployment shop/api -> istiod (namespace istio-system) 15012 (Istio sidecar xDS (15012))",
      "Prometheus (namespace monitoring) -> Deployment shop/api 15020 (Istio merged metrics (15020))",
    ]);
    // Istio rewrote the scrape annotations to its agent: the app's port is no scrape target any more.
    expect(whys(f, MESHED).filter((w) => w.includes("prometheus.io/scrape"))).toEqual([]);
    get(f.byName("shop-api-Deployment"), "spec.template.metadata").labels = { ...API, "sidecar.istio.io/inject": "false" };
    expect(istio(whys(f, MESHED))).toEqual([]);
  });

  it("reports a client outside the mesh sending plaintext into a STRICT port, whatever the NetworkPolicies allow", () => {
    const f = meshedFixture();
    f.all.splice(f.all.indexOf(f.byName("shop-api-ingress-PeerAuthentication")), 1);
    expect(run(f)).toEqual([
      'Deployment shop/api: the ingress controller (namespace ingress-nginx) connects in plaintext on 8080/TCP (Ingress shop/api backend api:80) from outside the mesh, and PeerAuthentication shop/default makes its sidecar accept only mTLS there (STRICT); admit plaintext on that port with a PeerAuthentication selecting its pods (portLevelMtls: {"8080": {mode: PERMISSIVE}}), or put the ingress controller (namespace ingress-nginx) in the mesh.',
    ]);
    expect(run(f, { ...MESHED, mesh: { ...MESH, ingressControllerInMesh: true } })).toEqual([]);
  });

  it("scrapes the app's own port when merging is off, which STRICT refuses to Prometheus", () => {
    const f = meshedFixture();
    const meta = get(f.byName("shop-api-Deployment"), "spec.template.metadata");
    meta.annotations = { ...(meta.annotations as Props), "prometheus.istio.io/merge-metrics": "false" };
    get(f.byName("shop-api-ingress-PeerAuthentication"), "spec").portLevelMtls = { "8080": { mode: "UNSET" } };
    expect(run(f)).toEqual([
      'Deployment shop/api: the ingress controller (namespace ingress-nginx) connects in plaintext on 8080/TCP (Ingress shop/api backend api:80) from outside the mesh, and PeerAuthentication shop/default makes its sidecar accept only mTLS there (STRICT); admit plaintext on that port with a PeerAuthentication selecting its pods (portLevelMtls: {"8080": {mode: PERMISSIVE}}), or put the ingress controller (namespace ingress-nginx) in the mesh.',
      'Deployment shop/api: Prometheus (namespace monitoring) connects in plaintext on 8080/TCP (scrape (prometheus.io/scrape annotation)) from outside the mesh, and PeerAuthentication shop/default makes its sidecar accept only mTLS there (STRICT); admit plaintext on that port with a PeerAuthentication selecting its pods (portLevelMtls: {"8080": {mode: PERMISSIVE}}), or put Prometheus (namespace monitoring) in the mesh.',
    ]);
  });
});

describe("stack-prerequisites in an Istio mesh", () => {
  const lines = (f: Fixture, facts: Props) => stackViolations(stackPrerequisites, f.all, { cluster: facts }).map((v) => v.message).filter((m) => /istio|Istio|sidecar/.test(m));

  it("lists istiod, the CNI agent, the injection webhook and the PeerAuthentication CRD", () => {
    expect(lines(meshedFixture(), MESHED)).toEqual([
      "prerequisite: the CRDs of Istio security.istio.io (PeerAuthentication)",
      "prerequisite: Istio's istiod in namespace istio-system (pods app=istiod), serving the sidecars of namespaces shop on 15012 (xDS and certificates)",
      "prerequisite: the Istio CNI node agent (istio-cni DaemonSet): it redirects the meshed pods' traffic, so they carry the unprivileged istio-validation init container that Pod Security restricted admits",
      "prerequisite: Istio's sidecar injection webhook (istiod port 15017) reachable from the API server, for the namespaces labelled istio-injection=enabled (shop)",
    ]);
    expect(lines(fixture(), FACTS)).toEqual([]);
  });

  it("asks an ingress controller in a meshed namespace to opt out, a revision's label, and native sidecars for Jobs and init containers", () => {
    const f = meshedFixture();
    f.all.push(
      k8s("kubernetes:batch/v1:Job", { apiVersion: "batch/v1", kind: "Job", metadata: { name: "migrate", namespace: "shop" }, spec: { template: { metadata: { labels: { job: "migrate" } }, spec: { restartPolicy: "Never", initContainers: [{ name: "wait", image: "ghcr.io/acme/api:1.0.0" }], containers: [{ name: "m", image: "ghcr.io/acme/api:1.0.0" }] } } } }),
      k8s("kubernetes:batch/v1:Job", { apiVersion: "batch/v1", kind: "Job", metadata: { name: "opted-out", namespace: "shop" }, spec: { template: { metadata: { labels: { "sidecar.istio.io/inject": "false" } }, spec: { restartPolicy: "Never", containers: [{ name: "m", image: "ghcr.io/acme/api:1.0.0" }] } } } }),
    );
    const facts = { ...MESHED, ingressController: { ...FACTS.ingressController, namespace: "shop" }, mesh: { ...MESH, revision: "1-24", istiodLabels: { app: "istiod", "istio.io/rev": "1-24" } } };
    expect(lines(f, facts).slice(1)).toEqual([
      "prerequisite: Istio's istiod in namespace istio-system (pods app=istiod,istio.io/rev=1-24, revision 1-24), serving the sidecars of namespaces shop on 15012 (xDS and certificates)",
      "prerequisite: the Istio CNI node agent (istio-cni DaemonSet): it redirects the meshed pods' traffic, so they carry the unprivileged istio-validation init container that Pod Security restricted admits",
      "prerequisite: Istio's sidecar injection webhook (istiod port 15017) reachable from the API server, for the namespaces labelled istio.io/rev=1-24 (shop)",
      'prerequisite: the ingress controller\'s pods (namespace shop) opt out of sidecar injection (label sidecar.istio.io/inject: "false"): their namespace is meshed, and the cluster facts place the controller outside the mesh',
      'prerequisite: native sidecars in the meshed namespaces (Kubernetes 1.29+; Istio\'s ENABLE_NATIVE_SIDECARS, on by default since Istio 1.27): with a classic sidecar the pods of Job shop/migrate never finish, and the init containers of Job shop/migrate have no network (the CNI plugin sends their traffic to a proxy not started yet); or label those pods sidecar.istio.io/inject: "false"',
    ]);
  });
});

describe("a meshed platform, end to end", () => {
  /** The synthesized resources as the pack sees them, and the platform's facts. */
  async function meshedStack(): Promise<{ targets: Target[]; facts: unknown }> {
    let facts: unknown;
    const s = await synthesize(() => {
      const platform = new KubernetesPlatform("shop", { system: "shop", cluster: { distribution: "kind" }, mesh: { istio: { cni: true } } });
      facts = platform.facts;
      // ApiService's Ingress calls meshIngressBackend itself (components/workload/ingress.ts).
      new ApiService("api", { platform, image: "ghcr.io/acme/api:1.0.0", replicas: 2, ingress: { host: "shop.example.com" }, metrics: { path: "/metrics", port: 9090 } });
      new ObservabilityStack("obs", { platform, grafana: false, alertmanager: false, collector: false, loki: false, tempo: false, nodeLogs: false });
    });
    const targets = s.resources.filter((r) => r.custom && r.type.startsWith("kubernetes:") && !r.type.startsWith("pulumi:")).map((r) => ({ type: r.type, urn: r.urn, name: r.name, props: unwrap(r.inputs) as Props }));
    return { targets, facts };
  }

  it("lets keel's own objects carry the sidecar flows; without the backend's PeerAuthentication the Ingress is refused under STRICT", async () => {
    const stack = await meshedStack();
    expect(stack.targets.filter((t) => t.type.endsWith("PeerAuthentication")).map((t) => t.name)).toContain("api-ingress-plaintext");
    expect(stackViolations(stackFlows, stack.targets, { cluster: stack.facts }).map((v) => v.message)).toEqual([]);
    // One mutation: the backend's port-level exception removed.
    const without = stack.targets.filter((t) => t.name !== "api-ingress-plaintext");
    expect(stackViolations(stackFlows, without, { cluster: stack.facts }).map((v) => v.message)).toEqual([
      expect.stringMatching(/^Deployment shop\/api: the ingress controller \(namespace ingress-nginx\) connects in plaintext on 8080\/TCP \(Ingress shop\/api backend api:80\) from outside the mesh, and PeerAuthentication shop\/default makes its sidecar accept only mTLS there \(STRICT\)/),
    ]);
    const flows = neededFlows(new StackObjects(stack.targets), readFacts(stack.facts)).flows.map((f) => f.why);
    expect(flows).toEqual(expect.arrayContaining(["Istio sidecar xDS (15012)", "Istio merged metrics (15020)"]));
  });
});
