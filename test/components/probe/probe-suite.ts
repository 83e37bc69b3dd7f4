/** The bad-input probe as a jest suite (see bad-input.ts), shared by bad-input.test.ts and bad-input-aws.test.ts. */
import { runInMockRuntime } from "../../../offline/runtime";
import { KubernetesPlatform } from "../../../components";
import { describeValue } from "../../../components/core/errors";
import { Outcome, ProbeTarget, attempt, mutations } from "./bad-input";

/** The probe's suite over `targets`: each component, every mutation of its valid args. */
export function probeComponents(targets: readonly ProbeTarget[]): void {
  describe.each(targets.map((t) => [t.component, t] as const))("bad input to %s", (_component, target) => {
    it("never crashes, never passes an unknown key, always names the component", async () => {
      const outcomes: Outcome[] = [];
      let baseOk = false;
      await runInMockRuntime({ project: "probe", stack: "probe", config: {}, secretKeys: [], duplicateObjects: "ignore" }, async () => {
        // Each attempt on a platform of its own: what one component claims (its Ingress routes)
        // must not decide another attempt.
        const platformFor = (i: number) => new KubernetesPlatform(`probe${i}`, { system: "probe", createNamespaces: false, defaultDeny: false });
        target.make("base", target.base(platformFor(-1)));
        baseOk = true;
        mutations(target.base(platformFor(-2))).forEach((m, i) => {
          const platform = platformFor(i);
          outcomes.push(attempt(target, `p${i}`, { ...m, args: "platform" in m.args ? { ...m.args, platform } : m.args }));
        });
      });
      expect(baseOk).toBe(true);
      const bad = outcomes.filter((o) => o.result !== "ok" && o.result !== "rejected").map((o) => `${o.result}: ${o.mutation.kind} ${o.mutation.path}${o.mutation.kind === "replace" ? ` = ${describeValue(o.mutation.value)}` : ""}${o.message ? ` -> ${o.message.split("\n")[0]}` : ""}`);
      expect(bad).toEqual([]);
      expect(outcomes.length).toBeGreaterThan(10);
    }, 60_000);
  });
}
