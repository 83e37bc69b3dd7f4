/**
 * The policy pack loads the way `pulumi preview --policy-pack policies` loads it: through
 * @pulumi/pulumi's policy-pack runner (TypeScript via ts-node, type-checked), printing the port
 * of its gRPC analyzer, which answers GetAnalyzerInfo.
 */
import * as path from "path";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import type { AnalyzerInfo } from "@pulumi/pulumi/proto/analyzer_pb";
import { RunningPack, startPack, unary } from "../../offline/check/pack";
import { ROOT } from "../helpers/cli";

let pack: RunningPack;
afterAll(() => pack?.stop());

describe("policy pack", () => {
  it("serves its analyzer over gRPC and describes every policy", async () => {
    pack = await startPack(path.join(ROOT, "policies"));
    expect(pack.port).toBeGreaterThan(0);
    const info = await unary<Empty, AnalyzerInfo>(pack.client.getAnalyzerInfo.bind(pack.client), new Empty());
    expect(info.getName()).toBe("keel");
    expect(info.getVersion()).toBe("0.1.0");
    const policies = info.getPoliciesList();
    expect(policies.length).toBeGreaterThan(40);
    for (const p of policies) {
      expect(p.getName()).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(p.getDescription()).toMatch(/^[A-Z].*\.$/);
    }
  });
});
