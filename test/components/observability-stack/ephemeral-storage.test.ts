/** Ephemeral storage of the ObservabilityStack's containers: 64Mi/256Mi for logs plus the emptyDir volumes each writes. */
import { ObservabilityStack, ObservabilityStackArgs } from "../../../components";
import { testPlatform } from "../../helpers/platform";
import { at, synthesize } from "../../helpers/synth";

const resourcesOf = (pod: unknown) => at(pod, "containers.0.resources") as { requests: Record<string, string>; limits: Record<string, string> };
const figures = (pod: unknown) => [resourcesOf(pod).requests["ephemeral-storage"], resourcesOf(pod).limits["ephemeral-storage"]];

describe("ObservabilityStack ephemeral storage", () => {
  it("charges each part's emptyDir volumes to its container, the node-log collector's positions included", async () => {
    const s = await synthesize(() => new ObservabilityStack("obs", { platform: testPlatform() }));
    // Grafana: /tmp 64Mi + data 1Gi + logs 64Mi; Alertmanager: /tmp + data 256Mi; the collector: positions 64Mi (no /tmp).
    expect(figures(at(s.object("Deployment", "obs-grafana"), "spec.template.spec"))).toEqual(["1216Mi", "1408Mi"]);
    expect(figures(at(s.object("StatefulSet", "obs-alertmanager"), "spec.template.spec"))).toEqual(["384Mi", "576Mi"]);
    expect(figures(at(s.object("DaemonSet", "obs-node-logs"), "spec.template.spec"))).toEqual(["128Mi", "320Mi"]);
    // Prometheus keeps its data on a claim: /tmp only.
    expect(figures(at(s.object("StatefulSet", "obs-prometheus"), "spec.template.spec"))).toEqual(["128Mi", "320Mi"]);
  });

  it("refuses a limit below what a part's container writes, before any resource", async () => {
    let message = "";
    const args: Partial<ObservabilityStackArgs> = { grafana: { resources: { limits: { ephemeralStorage: "1Gi" } } } };
    const s = await synthesize(() => {
      try {
        new ObservabilityStack("obs", { platform: testPlatform(), ...args });
      } catch (e) {
        message = (e as Error).message;
      }
    });
    expect(message).toBe(
      'ObservabilityStack "obs": grafana.resources.limits.ephemeralStorage is "1Gi"; expected at least "1152Mi", the sizeLimits of the disk-backed emptyDir volumes the container writes (tmp "64Mi", data "1Gi", logs "64Mi"), with room for its logs on top: the kubelet evicts the pod once its ephemeral storage passes the limit',
    );
    expect(s.resources.filter((r) => r.urn.includes("ObservabilityStack"))).toEqual([]);
  });
});
