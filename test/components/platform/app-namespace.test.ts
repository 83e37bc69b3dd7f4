/** KubernetesPlatform.appNamespace: an extra app namespace created with the tiers' defaults. */
import { ApiService, KubernetesPlatform } from "../../../components";
import { synthesize } from "../../helpers/synth";

const P = 'KubernetesPlatform "shop": appNamespace is ';

describe("KubernetesPlatform.appNamespace", () => {
  it("creates the namespace like a tier's (restricted, default deny, HTTP-01 solver admitted) and places a service there", async () => {
    const s = await synthesize(() => {
      const platform = new KubernetesPlatform("shop", { system: "shop", createIssuer: { type: "acme", email: "ops@example.com" } });
      const frontend = platform.appNamespace("shop-frontend");
      expect(platform.appNamespace("shop-frontend")).toBe(frontend);
      new ApiService("web", { platform: frontend, image: "ghcr.io/acme/web:1.0.0", replicas: 2 });
    });
    expect(s.object("Namespace", "shop-frontend").metadata.labels).toMatchObject({ "pod-security.kubernetes.io/enforce": "restricted", "app.kubernetes.io/part-of": "shop", "app.kubernetes.io/managed-by": "keel" });
    const policies = s.all("NetworkPolicy").filter((p) => p.metadata.namespace === "shop-frontend").map((p) => p.metadata.name).sort();
    expect(policies).toEqual(["acme-http01-solver", "default-deny", "web-netpol"]);
    expect(s.object("Deployment", "web").metadata.namespace).toBe("shop-frontend");
  });

  it("refuses a tier's namespace, Kubernetes' own, a bad name, and a platform that creates no namespaces, before creating anything", async () => {
    const attempt = (namespace: string, args: { createNamespaces?: boolean } = {}) => {
      let message = "";
      return synthesize(() => {
        const platform = new KubernetesPlatform("shop", { system: "shop", ...args });
        try {
          platform.appNamespace(namespace);
        } catch (e) {
          message = (e as Error).message;
        }
      }).then((s) => ({ message, namespaces: s.all("Namespace").map((n) => n.metadata.name).filter((n) => n === namespace) }));
    };
    expect(await attempt("data")).toEqual({ message: `${P}"data"; expected a namespace the platform does not already create (a tier's namespace, or an earlier appNamespace)`, namespaces: ["data"] });
    expect((await attempt("kube-system")).message).toMatch(/^KubernetesPlatform "shop": appNamespace is "kube-system"; expected a namespace of your own/);
    expect(await attempt("Shop_Front")).toEqual({ message: `${P}"Shop_Front"; expected a DNS-1123 label such as "shop-frontend"`, namespaces: [] });
    expect(await attempt("shop-frontend", { createNamespaces: false })).toEqual({ message: `${P}"shop-frontend"; expected createNamespaces: true (keel creates the namespace with its defaults)`, namespaces: [] });
  });
});
