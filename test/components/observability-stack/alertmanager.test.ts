/** Alertmanager's cluster advertises the pod's own address, whatever range the pod network uses. */
import { ObservabilityStack } from "../../../components";
import { testPlatform } from "../../helpers/platform";
import { at, synthesize } from "../../helpers/synth";

async function alertmanager(replicas: number, podCidrs?: string[]) {
  const s = await synthesize(() => new ObservabilityStack("obs", { platform: testPlatform(podCidrs ? { cluster: { podCidrs } } : {}), alertmanager: { replicas } }));
  return (at(s.object("StatefulSet", "obs-alertmanager"), "spec.template.spec") as { containers: { args: string[]; env?: unknown[] }[] }).containers[0];
}

describe("Alertmanager clustering", () => {
  it("advertises the pod IP, so pods outside RFC 1918 (100.64.0.0/10) still form a cluster", async () => {
    const c = await alertmanager(2, ["100.64.0.0/10"]);
    expect(c.args).toContain("--cluster.advertise-address=$(POD_IP):9094");
    expect(c.env).toEqual([{ name: "POD_IP", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } }]);
  });

  it("brackets an IPv6 pod address, and a single replica runs no cluster", async () => {
    expect((await alertmanager(2, ["fd00:10::/56"])).args).toContain("--cluster.advertise-address=[$(POD_IP)]:9094");
    const single = await alertmanager(1);
    expect(single.args).toContain("--cluster.listen-address=");
    expect(single.args.some((a) => a.startsWith("--cluster.advertise-address"))).toBe(false);
  });
});

describe("Alertmanager receivers", () => {
  async function attempt(alertmanager: Record<string, unknown>) {
    let message = "";
    await synthesize(() => {
      try {
        new ObservabilityStack("obs", { platform: testPlatform(), alertmanager });
      } catch (err) {
        message = (err as Error).message;
      }
    });
    return message;
  }

  it("refuses to send alerts nowhere when a receiver is required, unless told why", async () => {
    expect(await attempt({ requireReceiver: true })).toBe(
      'ObservabilityStack "obs": alertmanager has no receiver (slack or pagerduty) and requireReceiver is true; expected a receiver, or alertmanager.noReceiverReason saying who watches alerts instead',
    );
    expect(await attempt({ requireReceiver: true, noReceiverReason: "nobody" })).toBe('ObservabilityStack "obs": alertmanager.noReceiverReason is "nobody"; expected a reason of 20 characters or more (who watches alerts instead)');
    expect(await attempt({ requireReceiver: true, noReceiverReason: "the on-call engineer watches Grafana's alert list" })).toBe("");
    expect(await attempt({ requireReceiver: true, pagerduty: { routingKey: "0123456789abcdef" } })).toBe("");
    expect(await attempt({})).toBe("");
  });
});
