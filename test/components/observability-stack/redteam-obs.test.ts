import { KubernetesPlatformArgs, ObservabilityStack, ObservabilityStackArgs } from "../../../components";
import { testPlatform } from "../../helpers/platform";
import { synthesize } from "../../helpers/synth";

/** Builds an ObservabilityStack under mocks; returns its error lines (none: []) and whether anything of it was registered. */
async function lines(args: Partial<ObservabilityStackArgs>, platformArgs: Partial<KubernetesPlatformArgs> = {}): Promise<{ lines: string[]; registered: boolean }> {
  let result: string[] = [];
  const s = await synthesize(() => {
    const platform = testPlatform(platformArgs);
    try {
      new ObservabilityStack("obs", { platform, ...args } as ObservabilityStackArgs);
    } catch (err) {
      result = (err as Error).message.split("\n");
    }
  });
  return { lines: result, registered: s.resources.some((r) => r.urn.includes("ObservabilityStack")) };
}

const P = 'ObservabilityStack "obs": ';

describe("ObservabilityStack: system namespaces", () => {
  it("never puts node logs (a namespace, a default deny, a privileged DaemonSet) in kube-system or default", async () => {
    const why = "expected a namespace of your own: \"default\" and every \"kube-*\" namespace belong to Kubernetes (keel would set their Pod Security labels and deny all traffic in them, cutting off what runs there, e.g. CoreDNS)";
    for (const namespace of ["kube-system", "default", "kube-node-lease"]) {
      const r = await lines({ nodeLogs: { namespace } });
      expect(r.lines).toEqual([`${P}nodeLogs.namespace is ${JSON.stringify(namespace)}; ${why}`]);
      expect(r.registered).toBe(false);
    }
    expect((await lines({ nodeLogs: { namespace: "shop-node-logs" } })).lines).toEqual([]);
  });
});

describe("ObservabilityStack: durations in range, not only parsed", () => {
  it("refuses a Loki retention that is not whole 24h index periods", async () => {
    expect((await lines({ loki: { retention: "1h" } })).lines).toEqual([`${P}loki.retention is "1h"; expected a multiple of 24h such as "168h": Loki's retention deletes whole 24h index periods, and Loki refuses a shorter one`]);
    expect((await lines({ loki: { retention: "36h" } })).lines).toHaveLength(1);
    expect((await lines({ loki: { retention: "24h" } })).lines).toEqual([]);
  });

  it("refuses a Prometheus retention Prometheus would ignore or cannot represent", async () => {
    const why = "expected a duration from 2h (one TSDB block; 0 would silently mean Prometheus' default 15d) to 290y (the longest duration Prometheus can represent)";
    for (const retention of ["10ms", "0d", "1000y"]) {
      expect((await lines({ prometheus: { retention } })).lines).toEqual([`${P}prometheus.retention is ${JSON.stringify(retention)}; ${why}`]);
    }
    expect((await lines({ prometheus: { retention: "2h" } })).lines).toEqual([]);
  });

  it("keeps the scrape interval between 1s and the 5m staleness window", async () => {
    const why = "expected a duration from 1s to 5m: 0 silently means Prometheus' default (1m), and above 5m (Prometheus' staleness window) every series goes stale between scrapes";
    for (const scrapeInterval of ["0s", "1d", "500ms"]) {
      expect((await lines({ prometheus: { scrapeInterval } })).lines).toEqual([`${P}prometheus.scrapeInterval is ${JSON.stringify(scrapeInterval)}; ${why}`]);
    }
    expect((await lines({ prometheus: { scrapeInterval: "5m" } })).lines).toEqual([]);
  });

  it("refuses a store volume smaller than its write-ahead log needs", async () => {
    expect((await lines({ loki: { storage: "1Ki" } })).lines).toEqual([`${P}loki.storage is "1Ki"; expected at least 1Gi: the write-ahead log is cut in 128MiB segments, and blocks or chunks being compacted need room beside it`]);
    expect((await lines({ loki: { storage: "1Gi" } })).lines).toEqual([]);
  });
});
