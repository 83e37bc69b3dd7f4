/** ObservabilityStack.allowPrometheusQueriesFrom: who else may query Prometheus (e.g. prometheus-adapter for HPAs). */
import { ObservabilityStack, peers } from "../../../components";
import { testPlatform } from "../../helpers/platform";
import { at, synthesize } from "../../helpers/synth";

const minimal = { grafana: false, alertmanager: false, collector: false, loki: false, tempo: false, nodeLogs: false, pushgateway: false, kubeStateMetrics: false } as const;

describe("ObservabilityStack.allowPrometheusQueriesFrom", () => {
  it("admits the peer on Prometheus' port 9090 only, in a policy of its own", async () => {
    const s = await synthesize(() => {
      const obs = new ObservabilityStack("obs", { platform: testPlatform(), ...minimal });
      obs.allowPrometheusQueriesFrom(peers.namespace("custom-metrics", { "app.kubernetes.io/name": "prometheus-adapter" }));
    });
    const policy = s.all("NetworkPolicy").find((p) => p.metadata.name === "obs-prometheus-from-ns-custom-metrics");
    expect(at(policy, "spec.ingress")).toEqual([
      {
        from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "custom-metrics" } }, podSelector: { matchLabels: { "app.kubernetes.io/name": "prometheus-adapter" } } }],
        ports: [{ port: 9090, protocol: "TCP" }],
      },
    ]);
    expect(at(policy, "spec.policyTypes")).toEqual(["Ingress"]);
  });

  it("without it, nothing outside the stack's own readers is admitted", async () => {
    const s = await synthesize(() => new ObservabilityStack("obs", { platform: testPlatform(), ...minimal }));
    expect(s.all("NetworkPolicy").map((p) => p.metadata.name).filter((n) => n.startsWith("obs-prometheus-from-"))).toEqual([]);
  });

  it("refuses when Prometheus is off, naming the stack", async () => {
    let message = "";
    await synthesize(() => {
      const obs = new ObservabilityStack("obs", { platform: testPlatform(), ...minimal, prometheus: false });
      try {
        obs.allowPrometheusQueriesFrom(peers.namespace("custom-metrics"));
      } catch (e) {
        message = (e as Error).message;
      }
    });
    expect(message).toBe('ObservabilityStack "obs": allowPrometheusQueriesFrom needs Prometheus, and prometheus is false');
  });
});
