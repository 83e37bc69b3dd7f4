/** One host and path, one component: a second component routing it is an error naming both. */
import { ApiService, ObservabilityStack } from "../../../components";
import { testPlatform } from "../../helpers/platform";
import { synthesize } from "../../helpers/synth";

const image = "ghcr.io/acme/api:1.0.0";

describe("Ingress routes across components", () => {
  it("refuses a host and path another component already routes on the platform, before registering anything", async () => {
    let message = "";
    const s = await synthesize(() => {
      const platform = testPlatform();
      new ApiService("shop", { platform, image, ingress: { host: "shop.example.com" } });
      try {
        new ApiService("shop-v2", { platform, image, ingress: { host: "shop.example.com", paths: ["/", "/v2"] } });
      } catch (e) {
        message = (e as Error).message;
      }
    });
    expect(message).toBe(
      'ApiService "shop-v2": ingress routes shop.example.com/, which ApiService "shop" already routes on this platform; expected each host and path served by one component (give one of them another host or path)',
    );
    expect(s.resources.filter((r) => r.name.startsWith("shop-v2"))).toEqual([]);
  });

  it("counts additional hosts and Grafana's Ingress too", async () => {
    let message = "";
    await synthesize(() => {
      const platform = testPlatform();
      new ObservabilityStack("obs", { platform, grafana: { ingress: { host: "grafana.example.com" } } });
      try {
        new ApiService("api", { platform, image, ingress: { host: "api.example.com", additionalHosts: ["grafana.example.com"] } });
      } catch (e) {
        message = (e as Error).message;
      }
    });
    expect(message).toContain('ingress routes grafana.example.com/, which ObservabilityStack "obs" already routes on this platform');
  });

  it("allows other paths of one host, and the same route on another platform", async () => {
    const s = await synthesize(() => {
      const platform = testPlatform();
      new ApiService("web", { platform, image, ingress: { host: "shop.example.com", paths: ["/"] } });
      new ApiService("api", { platform, image, ingress: { host: "shop.example.com", paths: ["/api"] } });
      const other = testPlatform({ namespaces: { app: "other-app", data: "other-data", storage: "other-storage", monitoring: "other-monitoring" } }, "other");
      new ApiService("web2", { platform: other, image, ingress: { host: "shop.example.com", paths: ["/"] } });
    });
    expect(s.all("Ingress").map((i) => i.metadata.name).sort()).toEqual(["api", "web", "web2"]);
  });
});
