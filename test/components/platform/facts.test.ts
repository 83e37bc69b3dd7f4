/** KubernetesPlatform's cluster facts: what the whole-stack checks judge with, filled from the distribution and the args. */
import { KubernetesPlatform, resolveKubernetesPlatformArgs } from "../../../components";
import { synthesize } from "../../helpers/synth";

describe("KubernetesPlatform cluster facts", () => {
  it("fill a kind cluster's defaults: storage class, enforcing CNI, API server", () => {
    const r = resolveKubernetesPlatformArgs("shop", { system: "shop", cluster: { distribution: "kind" } });
    expect(r.storageClass).toBe("standard");
    expect(r.podCidrs).toEqual(["10.244.0.0/16"]);
    expect(r.facts).toMatchObject({
      platform: "kind",
      apiServer: { cidrs: ["172.18.0.0/16"], port: 6443 },
      networkPolicy: { enforced: true, ipBlocks: true },
      storageClasses: { names: ["standard"], default: "standard" },
      ingressController: { className: "nginx", namespace: "ingress-nginx", podLabels: { "app.kubernetes.io/name": "ingress-nginx" } },
      prometheus: { namespace: "monitoring", podLabels: { "app.kubernetes.io/name": "prometheus" } },
      dns: { namespace: "kube-system", podLabels: { "k8s-app": "kube-dns" }, port: 53 },
      issuers: [{ kind: "ClusterIssuer", name: "letsencrypt-prod", solver: "http01" }],
    });
  });

  it("assume nothing on a generic cluster: no API server, CNI or storage facts", () => {
    const r = resolveKubernetesPlatformArgs("shop", { system: "shop" });
    expect(r.storageClass).toBeUndefined();
    expect(r.podCidrs).toEqual(["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7"]);
    expect(r.facts.apiServer).toBeUndefined();
    expect(r.facts.networkPolicy).toBeUndefined();
    expect(r.facts.storageClasses).toBeUndefined();
    expect(r.facts.platform).toBe("kubernetes (shop)");
  });

  it("know no solver for an issuer they were not told about", () => {
    expect(resolveKubernetesPlatformArgs("shop", { system: "shop", clusterIssuer: "corp-ca" }).facts.issuers).toEqual([]);
    expect(resolveKubernetesPlatformArgs("shop", { system: "shop", clusterIssuer: "corp-ca", cluster: { issuers: [{ kind: "ClusterIssuer", name: "corp-ca", solver: "ca" }] } }).facts.issuers).toEqual([{ kind: "ClusterIssuer", name: "corp-ca", solver: "ca" }]);
  });

  it("require a storage class on EKS, and reasons for external objects and user images", () => {
    expect(() =>
      resolveKubernetesPlatformArgs("shop", {
        system: "shop",
        cluster: { distribution: "eks", apiServer: { cidrs: ["10.0.0.0/16x"], port: 0 } },
        externalObjects: [{ kind: "secret", name: "", reason: "vault" }],
        userImages: [{ reference: "ghcr.io/acme/x:1", reason: "" }],
      }),
    ).toThrow(
      [
        'KubernetesPlatform "shop": storageClass is undefined; expected a StorageClass name: EKS clusters have no default class (keel creates the one named, encrypted gp3, unless cluster.storageClasses lists it)',
        'KubernetesPlatform "shop": cluster.apiServer.cidrs[0] is "10.0.0.0/16x"; expected an IPv4 or IPv6 CIDR such as "10.244.0.0/16" or "fd00::/64"',
        'KubernetesPlatform "shop": cluster.apiServer.port is 0; expected a port number such as 6443',
        'KubernetesPlatform "shop": externalObjects[0].kind is "secret"; expected a Kubernetes kind such as "Secret"',
        'KubernetesPlatform "shop": externalObjects[0].name is ""; expected the object\'s name (lowercase letters, digits, \'-\' and \'.\', at most 253 characters)',
        'KubernetesPlatform "shop": externalObjects[0].reason is "vault"; expected a reason of 10 characters or more (who provides it, and how)',
        'KubernetesPlatform "shop": userImages[0].reason is ""; expected a reason of 10 characters or more (who provides it, and how)',
      ].join("\n"),
    );
  });

  it("are registered as the platform's output, and admit cert-manager's HTTP-01 solver where it denies by default", async () => {
    const s = await synthesize(() => new KubernetesPlatform("shop", { system: "shop", cluster: { distribution: "k3s" } }));
    const platform = s.resources.find((r) => r.type === "keel:components:KubernetesPlatform");
    expect(s.run.componentOutputs.get(platform?.urn ?? "")?.clusterFacts).toMatchObject({ platform: "k3s", storageClasses: { names: ["local-path"], default: "local-path" } });
    const solver = s.objects.filter((o) => o.kind === "NetworkPolicy" && o.metadata.name === "acme-http01-solver");
    expect(solver.map((o) => o.metadata.namespace).sort()).toEqual(["data", "monitoring", "shop", "storage"]);
    expect(solver[0].spec).toEqual({
      podSelector: { matchLabels: { "acme.cert-manager.io/http01-solver": "true" } },
      policyTypes: ["Ingress"],
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ingress-nginx" } }, podSelector: { matchLabels: { "app.kubernetes.io/name": "ingress-nginx" } } }], ports: [{ port: 8089, protocol: "TCP" }] }],
    });
    const noHttp01 = await synthesize(() => new KubernetesPlatform("shop", { system: "shop", clusterIssuer: "corp-ca", cluster: { issuers: [{ kind: "ClusterIssuer", name: "corp-ca", solver: "ca" }] } }));
    expect(noHttp01.objects.filter((o) => o.metadata.name === "acme-http01-solver")).toEqual([]);
  });
});

describe("KubernetesPlatform issuers and storage", () => {
  it("create a self-signed CA issuer after its CA certificate, and Ingresses after the issuer", async () => {
    const { ApiService } = await import("../../../components");
    const s = await synthesize(() => {
      const platform = new KubernetesPlatform("shop", { system: "shop", createIssuer: { type: "self-signed-ca" } });
      new ApiService("api", { platform, image: "ghcr.io/shop/api:1.0.0", ingress: { host: "shop.example.com" } });
    });
    const byName = (type: string, name: string) => s.resources.find((r) => r.type === type && r.name === name);
    const issuer = byName("kubernetes:cert-manager.io/v1:ClusterIssuer", "shop-issuer");
    const ca = byName("kubernetes:cert-manager.io/v1:Certificate", "shop-ca-certificate");
    expect(issuer?.inputs).toMatchObject({ metadata: { name: "shop-ca" }, spec: { ca: { secretName: "shop-ca" } } });
    expect(ca?.inputs).toMatchObject({ metadata: { name: "shop-ca", namespace: "cert-manager" }, spec: { isCA: true, secretName: "shop-ca", issuerRef: { kind: "ClusterIssuer", name: "shop-selfsigned" } } });
    expect(issuer?.dependencies).toContain(ca?.urn);
    expect(byName("kubernetes:networking.k8s.io/v1:Ingress", "api-ingress")?.dependencies).toContain(issuer?.urn);
    expect(s.object("Ingress", "api").metadata.annotations?.["cert-manager.io/cluster-issuer"]).toBe("shop-ca");
    // A CA issuer solves nothing over HTTP: no solver policy.
    expect(s.objects.filter((o) => o.metadata.name === "acme-http01-solver")).toEqual([]);
  });

  it("create a Let's Encrypt issuer solving HTTP-01 through the ingress class", () => {
    const r = resolveKubernetesPlatformArgs("shop", { system: "shop", createIssuer: { type: "acme", email: "ops@shop.example" } });
    expect(r.clusterIssuer).toBe("shop-letsencrypt");
    expect(r.facts.issuers).toEqual([{ kind: "ClusterIssuer", name: "shop-letsencrypt", solver: "http01", managed: true }]);
    expect(() => resolveKubernetesPlatformArgs("shop", { system: "shop", clusterIssuer: "x", createIssuer: { type: "acme", email: "ops" }, operators: { certManager: false } })).toThrow(
      [
        'KubernetesPlatform "shop": createIssuer is {"type":"acme","email":"ops"}; expected operators.certManager to be true: the issuer is a cert-manager resource',
        'KubernetesPlatform "shop": createIssuer.email is "ops"; expected an e-mail address such as "ops@example.com"',
        'KubernetesPlatform "shop": clusterIssuer and createIssuer are both set; give one (createIssuer names its issuer "shop-...")',
      ].join("\n"),
    );
  });

  it("create the encrypted gp3 class it names on EKS, unless the cluster has it", async () => {
    const s = await synthesize(() => new KubernetesPlatform("shop", { system: "shop", storageClass: "gp3", cluster: { distribution: "eks" } }));
    expect(s.object("StorageClass", "gp3")).toMatchObject({ provisioner: "ebs.csi.aws.com", parameters: { type: "gp3", encrypted: "true" }, volumeBindingMode: "WaitForFirstConsumer" });
    const has = await synthesize(() => new KubernetesPlatform("shop", { system: "shop", storageClass: "gp3", cluster: { distribution: "eks", storageClasses: ["gp3"] } }));
    expect(has.objects.filter((o) => o.kind === "StorageClass")).toEqual([]);
  });
});

describe("KubernetesPlatform on a shared cluster", () => {
  it("never adopts existing objects: its provider fails on a namespace that exists", async () => {
    const s = await synthesize(() => new KubernetesPlatform("shop", { system: "shop", context: "prod" }));
    expect(s.resources.find((r) => r.type === "pulumi:providers:kubernetes")?.inputs).toMatchObject({ context: "prod", upsertExistingObjects: "false" });
  });
});
