/** KubernetesPlatform with an Istio mesh: injection labels, STRICT mTLS, the sidecars' NetworkPolicy, the facts, the refusals. */
import * as pulumi from "@pulumi/pulumi";
import { ApiService, KubernetesPlatform, meshIngressBackend, resolveKubernetesPlatformArgs } from "../../../components";
import { platformProblems as problems } from "../../helpers/platform";
import { synthesize } from "../../helpers/synth";

const P = 'KubernetesPlatform "shop": ';
const NO_CNI = (standard: string) =>
  `${P}mesh.istio.cni is false; expected true: Pod Security "${standard}" forbids the NET_ADMIN and NET_RAW capabilities of Istio's istio-init container, so sidecar injection without the Istio CNI plugin is rejected by the namespaces keel creates; install Istio with its CNI node agent (istio-cni) and set mesh.istio.cni: true`;

const meshed = (istio: Record<string, unknown> = {}, more: Record<string, unknown> = {}) => synthesize(() => new KubernetesPlatform("shop", { system: "shop", mesh: { istio: { cni: true, ...istio } }, ...more }));
const byNamespace = (objects: readonly { metadata: { namespace?: string } }[]) => objects.map((o) => o.metadata.namespace).sort();


/** Cluster DNS (kube-dns in kube-system, the platform default), both protocols. */
const DNS = { to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }], ports: [{ port: 53, protocol: "UDP" }, { port: 53, protocol: "TCP" }] };

describe("KubernetesPlatform with an Istio mesh", () => {
  it("turns injection on in the app tier's namespace by default, and only there", async () => {
    const s = await meshed();
    const labels = Object.fromEntries(s.all("Namespace").map((n) => [n.metadata.name, n.metadata.labels ?? {}]));
    expect(labels.shop).toMatchObject({ "istio-injection": "enabled", "pod-security.kubernetes.io/enforce": "restricted" });
    for (const ns of ["data", "storage", "monitoring"]) {
      expect(labels[ns]["istio-injection"]).toBeUndefined();
      expect(labels[ns]["istio.io/rev"]).toBeUndefined();
    }
  });

  it("labels a revision's namespaces istio.io/rev (istio-injection would win over it), for every tier given", async () => {
    const s = await meshed({ revision: "1-24", tiers: ["app", "data"] });
    const labels = Object.fromEntries(s.all("Namespace").map((n) => [n.metadata.name, n.metadata.labels ?? {}]));
    for (const ns of ["shop", "data"]) {
      expect(labels[ns]["istio.io/rev"]).toBe("1-24");
      expect(labels[ns]["istio-injection"]).toBeUndefined();
    }
    expect(labels.storage["istio.io/rev"]).toBeUndefined();
    const policy = s.all("NetworkPolicy").find((p) => p.metadata.name === "istio-sidecar" && p.metadata.namespace === "data");
    expect((policy?.spec as { egress: unknown[] }).egress).toEqual([{ to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "istio-system" } }, podSelector: { matchLabels: { app: "istiod", "istio.io/rev": "1-24" } } }], ports: [{ port: 15012, protocol: "TCP" }] }, DNS]);
  });

  it("makes each meshed namespace STRICT, and admits the ingress controller's plaintext to cert-manager's HTTP-01 solver pods", async () => {
    const s = await meshed();
    const pas = s.all("PeerAuthentication");
    expect(pas.map((p) => [p.apiVersion, p.metadata.namespace, p.metadata.name, p.spec])).toEqual([
      ["security.istio.io/v1", "shop", "acme-http01-solver", { selector: { matchLabels: { "acme.cert-manager.io/http01-solver": "true" } }, mtls: { mode: "UNSET" }, portLevelMtls: { "8089": { mode: "PERMISSIVE" } } }],
      ["security.istio.io/v1", "shop", "default", { mtls: { mode: "STRICT" } }],
    ]);
    const ca = await meshed({}, { clusterIssuer: "corp-ca", cluster: { issuers: [{ kind: "ClusterIssuer", name: "corp-ca", solver: "ca" }] } });
    expect(ca.all("PeerAuthentication").map((p) => p.metadata.name)).toEqual(["default"]);
  });

  it("lets every pod's sidecar reach istiod on 15012 and Prometheus reach the merged metrics on 15020, in one policy per meshed namespace", async () => {
    const s = await meshed({}, { monitoring: { podLabels: { app: "prom" } } });
    const policies = s.all("NetworkPolicy").filter((p) => p.metadata.name === "istio-sidecar");
    expect(byNamespace(policies)).toEqual(["shop"]);
    expect(policies[0].spec).toEqual({
      podSelector: {},
      policyTypes: ["Ingress", "Egress"],
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } }, podSelector: { matchLabels: { app: "prom" } } }], ports: [{ port: 15020, protocol: "TCP" }] }],
      // DNS too: the sidecar resolves istiod's name, also in pods keel does not create (cert-manager's solvers).
      egress: [{ to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "istio-system" } }, podSelector: { matchLabels: { app: "istiod" } } }], ports: [{ port: 15012, protocol: "TCP" }] }, DNS],
    });
  });

  it("hands the mesh to the whole-stack checks (facts) and to components (target)", () => {
    const r = resolveKubernetesPlatformArgs("shop", { system: "shop", namespaces: { data: "shop" }, mesh: { istio: { cni: true, namespace: "mesh", istiodLabels: { app: "istiod", release: "x" }, ingressControllerInMesh: true } } });
    expect(r.facts.mesh).toEqual({ kind: "istio", namespace: "mesh", istiodLabels: { app: "istiod", release: "x" }, namespaces: ["shop"], cni: true, ingressControllerInMesh: true });
    // data shares the app tier's namespace: its pods get sidecars too.
    expect(r.mesh).toMatchObject({ tiers: ["app", "data"], namespaces: { app: "shop", data: "shop" } });
    expect(resolveKubernetesPlatformArgs("shop", { system: "shop" }).facts.mesh).toBeUndefined();
  });

  it("refuses sidecar injection without the CNI plugin where Pod Security forbids istio-init, with one message", () => {
    expect(problems({ mesh: { istio: { cni: false } } })).toEqual([NO_CNI("restricted")]);
    expect(problems({ mesh: { istio: {} } })).toEqual([NO_CNI("restricted")]);
    expect(problems({ podSecurityStandard: "baseline", mesh: { istio: {} } })).toEqual([NO_CNI("baseline")]);
    expect(problems({ podSecurityStandard: "privileged", mesh: { istio: {} } })).toEqual([]);
  });

  it("refuses a meshed monitoring tier, namespaces it does not create, and names Kubernetes would refuse", () => {
    expect(problems({ createNamespaces: false, mesh: { istio: { cni: true, tiers: ["app", "monitoring", "app"], namespace: "data", revision: "Canary", istiodLabels: {} } } })).toEqual([
      `${P}createNamespaces is false; expected true with mesh: keel turns sidecar injection on by labelling the namespaces it creates`,
      `${P}mesh.istio.tiers[2] is "app"; expected a tier not already listed (mesh.istio.tiers[0])`,
      `${P}mesh.istio.tiers is ["app","monitoring","app"]; expected tiers whose namespace is not the monitoring tier's ("monitoring"): Prometheus reaches pods by address, which Istio's docs say its sidecar must not intercept; it scrapes meshed pods in plaintext on 15020`,
      `${P}mesh.istio.namespace is "data"; expected istiod's own namespace, not one keel creates (keel would deny all traffic in it)`,
      `${P}mesh.istio.revision is "Canary"; expected an Istio revision name such as "1-24" (a DNS-1123 label)`,
      `${P}mesh.istio.istiodLabels is {}; expected at least one label (an empty selector would admit every pod of the namespace)`,
    ]);
    expect(problems({ mesh: { istio: { cni: true, tier: ["app"] } } })[0]).toMatch(/^KubernetesPlatform "shop": mesh\.istio\.tier is an unknown key; expected one of cni, tiers, /);
  });
});

describe("meshIngressBackend", () => {
  const backend = (platform: KubernetesPlatform, tier: "app" | "data" = "app") =>
    meshIngressBackend(platform.kubernetes, { name: "api", tier, namespace: platform.kubernetes.namespaces[tier], podLabels: { "app.kubernetes.io/name": "api" }, ports: [8080, 9090, 8080], serviceName: "api" }, { parent: platform });

  it("admits the plaintext of a controller outside the mesh on the backend's pod ports, keeping the namespace's mode elsewhere", async () => {
    let annotations: unknown;
    const s = await synthesize(() => {
      const platform = new KubernetesPlatform("shop", { system: "shop", mesh: { istio: { cni: true } } });
      annotations = backend(platform).annotations;
      expect(backend(platform, "data").peerAuthentication).toBeUndefined();
    });
    expect(annotations).toEqual({});
    const pa = s.all("PeerAuthentication").find((p) => p.metadata.name === "api-ingress");
    expect([pa?.metadata.namespace, pa?.spec]).toEqual(["shop", { selector: { matchLabels: { "app.kubernetes.io/name": "api" } }, mtls: { mode: "UNSET" }, portLevelMtls: { "8080": { mode: "PERMISSIVE" }, "9090": { mode: "PERMISSIVE" } } }]);
  });

  it("routes a controller in the mesh through the Service (so its sidecar speaks mTLS), and does nothing without a mesh", async () => {
    await synthesize(() => {
      const inMesh = new KubernetesPlatform("shop", { system: "shop", mesh: { istio: { cni: true, ingressControllerInMesh: true } } });
      const r = backend(inMesh);
      expect([r.annotations, r.peerAuthentication]).toEqual([{ "nginx.ingress.kubernetes.io/service-upstream": "true", "nginx.ingress.kubernetes.io/upstream-vhost": "api.shop.svc" }, undefined]);
      const plain = new KubernetesPlatform("other", { system: "other", createNamespaces: false });
      expect(meshIngressBackend(plain.kubernetes, { name: "x", tier: "app", namespace: pulumi.output("other"), podLabels: { a: "b" }, ports: [80], serviceName: "x" }, {})).toEqual({ annotations: {} });
    });
  });
});

describe("the mesh with keel's other settings", () => {
  it("opens no sidecar holes where nothing is denied: without defaultDeny a policy selecting every pod would isolate them", async () => {
    const open = await meshed({}, { defaultDeny: false });
    expect(open.all("NetworkPolicy")).toEqual([]);
    expect(open.all("PeerAuthentication").map((p) => p.metadata.name)).toContain("default");
    const closed = await meshed();
    expect(closed.all("NetworkPolicy").map((p) => `${p.metadata.namespace}/${p.metadata.name}`)).toContain("shop/istio-sidecar");
  });

  it("gives an ApiService's Ingress the Service route when the controller is in the mesh, and a PERMISSIVE port when it is not", async () => {
    const ingressOf = async (ingressControllerInMesh: boolean) => {
      const s = await synthesize(() => {
        const platform = new KubernetesPlatform("shop", { system: "shop", mesh: { istio: { cni: true, ingressControllerInMesh } } });
        new ApiService("api", { platform, image: "ghcr.io/acme/api:1.0.0", replicas: 2, port: 8080, ingress: { host: "shop.example.com" } });
      });
      return { annotations: s.object("Ingress", "api").metadata.annotations ?? {}, peerAuthentications: s.all("PeerAuthentication").map((p) => p.metadata.name) };
    };
    const inMesh = await ingressOf(true);
    expect(inMesh.annotations).toMatchObject({ "nginx.ingress.kubernetes.io/service-upstream": "true", "nginx.ingress.kubernetes.io/upstream-vhost": "api.shop.svc" });
    expect(inMesh.peerAuthentications).not.toContain("api-ingress");
    const outside = await ingressOf(false);
    expect(outside.annotations).not.toHaveProperty("nginx.ingress.kubernetes.io/service-upstream");
    expect(outside.peerAuthentications).toContain("api-ingress");
  });
});

describe("KubernetesPlatform metrics API facts", () => {
  it("know k3s' metrics-server, take what the owner states over the distribution's, and know nothing elsewhere", () => {
    expect(resolveKubernetesPlatformArgs("shop", { system: "shop", cluster: { distribution: "k3s" } }).facts.metricsApis).toEqual({ resource: true });
    expect(resolveKubernetesPlatformArgs("shop", { system: "shop", cluster: { distribution: "k3s", metricsApis: { resource: false, custom: true } } }).facts.metricsApis).toEqual({ resource: false, custom: true });
    expect(resolveKubernetesPlatformArgs("shop", { system: "shop", cluster: { distribution: "kind" } }).facts.metricsApis).toBeUndefined();
  });
});
