/** The platform's node group counts the systems' DaemonSets once per node (`nodes.perNode`). */
import { KeelValidationError } from "../../../components";
import { platformPods } from "../../../components/platform/aws-platform-pods";
import { resolveAwsPlatformArgs } from "../../../components/platform/aws-resolve";

const pods = { ingressReplicas: 2, metricsAdapter: true, externalDns: true, externalSecrets: true, reloader: true, efs: false };
const base = { region: "eu-west-1", certificates: { email: "ops@example.com" }, nodes: { workloads: { cpu: "20", memory: "40Gi", pods: 100 }, instanceType: "m6i.2xlarge" } };
const millis = (q: string) => Number(q.replace(/m$/, ""));
const mebis = (q: string) => Number(q.replace(/Mi$/, ""));

describe("nodes.perNode", () => {
  it("adds the systems' DaemonSets once per node to the platform's own pods", () => {
    const without = platformPods(pods, 5);
    const withDaemons = platformPods({ ...pods, systemsPerNode: { cpu: "2100m", memory: "4200Mi", pods: 2 } }, 5);
    expect(millis(withDaemons.cpu) - millis(without.cpu)).toBe(5 * 2100);
    expect(mebis(withDaemons.memory) - mebis(without.memory)).toBe(5 * 4200);
    expect(withDaemons.pods - without.pods).toBe(10);
  });

  it("sizes a bigger node group for heavy DaemonSets (a Docker daemon on every node)", () => {
    const plain = resolveAwsPlatformArgs("shop", base).nodes.size.desiredSize;
    const heavy = resolveAwsPlatformArgs("shop", { ...base, nodes: { ...base.nodes, perNode: { cpu: "2100m", memory: "4200Mi", pods: 2 } } }).nodes.size.desiredSize;
    expect(heavy).toBeGreaterThan(plain);
  });

  it("names the field and the value of a bad figure", () => {
    let error: unknown;
    try {
      resolveAwsPlatformArgs("shop", { ...base, nodes: { ...base.nodes, perNode: { cpu: "lots", memory: "1Gi", pods: 0 } } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(KeelValidationError);
    expect((error as Error).message.split("\n")).toEqual([
      'AwsPlatform "shop": nodes.perNode.cpu is "lots"; expected a CPU quantity such as "6" or "5500m"',
      'AwsPlatform "shop": nodes.perNode.pods is 0; expected the number of DaemonSet pods the systems run on each node',
    ]);
  });
});
