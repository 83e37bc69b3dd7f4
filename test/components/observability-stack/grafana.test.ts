/** Grafana runs one replica: its users and sessions are a SQLite file per replica. */
import { ObservabilityStack } from "../../../components";
import { environments } from "../../../stacks/environments";
import { testPlatform } from "../../helpers/platform";
import { at, synthesize } from "../../helpers/synth";

const REASON =
  "Grafana keeps users, sessions and preferences in a SQLite file of its own, so a second replica behind the Service would log users out at random; dashboards and datasources are provisioned from ConfigMaps and come back with the pod";

async function build(replicas: number) {
  let message = "";
  const s = await synthesize(() => {
    try {
      new ObservabilityStack("obs", { platform: testPlatform(), grafana: { replicas } });
    } catch (err) {
      message = (err as Error).message;
    }
  });
  return { s, message };
}

describe("Grafana's replicas", () => {
  it("refuses more than one (no shared database), before registering anything", async () => {
    const { s, message } = await build(2);
    expect(message).toBe(
      'ObservabilityStack "obs": grafana.replicas is 2; expected 1: Grafana keeps users, sessions and preferences in a SQLite file per replica, so with more than one users are logged out at random (ObservabilityStack gives Grafana no shared database)',
    );
    expect(s.resources.filter((r) => r.urn.includes("ObservabilityStack"))).toEqual([]);
  });

  it("runs one, exempt from replicas-minimum with the reason", async () => {
    const { s, message } = await build(1);
    expect(message).toBe("");
    const grafana = s.object("Deployment", "obs-grafana");
    expect(at(grafana, "spec.replicas")).toBe(1);
    expect(at(grafana, "metadata.annotations")).toEqual({ "exempt.keel.dev/replicas-minimum": REASON });
    expect(s.all("PodDisruptionBudget").map((p) => p.metadata.name)).not.toContain("obs-grafana");
  });

  it("is one in every environment profile", () => {
    expect([environments.dev.observability.grafanaReplicas, environments.prod.observability.grafanaReplicas]).toEqual([1, 1]);
  });
});
