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

  it("without it, Prometheus admits its own readers only (Grafana)", async () => {
    const s = await synthesize(() => new ObservabilityStack("obs", { platform: testPlatform(), ...minimal, grafana: {} }));
    expect(s.all("NetworkPolicy").map((p) => p.metadata.name).filter((n) => n.startsWith("obs-prometheus-from-"))).toEqual(["obs-prometheus-from-obs-grafana"]);
  });

  it("with the Prometheus operator, admits the peer to the operator's Prometheus pods", async () => {
    const s = await synthesize(() => {
      const obs = new ObservabilityStack("obs", { platform: testPlatform({ operators: { prometheusOperator: true } }), ...minimal });
      obs.allowPrometheusQueriesFrom(peers.namespace("custom-metrics"));
    });
    const admitting = s.all("NetworkPolicy").filter((p) => JSON.stringify(p.spec).includes('"custom-metrics"'));
    expect(admitting.map((p) => [at(p, "spec.ingress.0.ports"), at(p, "spec.podSelector.matchLabels")])).toEqual([[[{ port: 9090, protocol: "TCP" }], expect.any(Object)]]);
    expect(Object.keys(at(admitting[0], "spec.podSelector.matchLabels") as object).length).toBeGreaterThan(0);
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
