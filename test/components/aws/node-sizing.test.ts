import { KeelValidationError } from "../../../components/core/errors";
import { INSTANCE_SHAPES, instanceArchitecture, instanceTypeProblem, kubeReservedCpu, nodeAllocatable, sizeNodeGroup } from "../../../components/aws/node-sizing";

const MI = 2 ** 20;

describe("INSTANCE_SHAPES", () => {
  it("holds eni-max-pods.txt's pod counts (ENIs x (IPs per ENI - 1) + 2)", () => {
    expect(INSTANCE_SHAPES["t3.large"]).toEqual({ vcpu: 2, memoryGiB: 8, maxPods: 35 });
    expect(INSTANCE_SHAPES["m6i.large"]).toEqual({ vcpu: 2, memoryGiB: 8, maxPods: 29 });
    expect(INSTANCE_SHAPES["m6i.xlarge"]).toEqual({ vcpu: 4, memoryGiB: 16, maxPods: 58 });
    expect(INSTANCE_SHAPES["m6i.2xlarge"]).toEqual({ vcpu: 8, memoryGiB: 32, maxPods: 58 });
    expect(INSTANCE_SHAPES["m7g.4xlarge"]).toEqual({ vcpu: 16, memoryGiB: 64, maxPods: 234 });
    expect(INSTANCE_SHAPES["c6i.xlarge"]).toEqual({ vcpu: 4, memoryGiB: 8, maxPods: 58 });
    expect(INSTANCE_SHAPES["r6i.large"]).toEqual({ vcpu: 2, memoryGiB: 16, maxPods: 29 });
    expect(Object.keys(INSTANCE_SHAPES)).toHaveLength(27);
  });

  it("knows Graviton types are arm64", () => {
    expect(instanceArchitecture("m7g.large")).toBe("arm64");
    expect(instanceArchitecture("m6g.2xlarge")).toBe("arm64");
    expect(instanceArchitecture("m6i.large")).toBe("x86_64");
    expect(instanceArchitecture("t3.large")).toBe("x86_64");
  });

  it("names the known types for an unknown one", () => {
    expect(instanceTypeProblem("m6i.xlarge")).toBeUndefined();
    expect(instanceTypeProblem("m5.large")).toMatch(/^expected one of the instance types keel sizes: t3\.large, t3\.xlarge, t3\.2xlarge, m6i\.large, .*r6i\.4xlarge$/);
    expect(instanceTypeProblem(42)).toBeDefined();
    expect(instanceTypeProblem("toString")).toBeDefined();
  });
});

describe("allocatable", () => {
  it("reserves CPU by EKS's tiers", () => {
    expect(kubeReservedCpu(2)).toBe(70);
    expect(kubeReservedCpu(4)).toBe(80);
    expect(kubeReservedCpu(8)).toBe(90);
    expect(kubeReservedCpu(16)).toBe(110);
  });

  it("subtracts 255Mi + 11Mi per pod and the 100Mi eviction threshold", () => {
    expect(nodeAllocatable(INSTANCE_SHAPES["m6i.xlarge"])).toEqual({ cpu: 3920, memoryBytes: (16384 - 255 - 11 * 58 - 100) * MI, pods: 58 });
    expect(nodeAllocatable(INSTANCE_SHAPES["t3.large"])).toEqual({ cpu: 1930, memoryBytes: 7452 * MI, pods: 35 });
  });
});

describe("sizeNodeGroup", () => {
  const base = { instanceType: "m6i.xlarge", workloads: { cpu: "6", memory: "14Gi", pods: 70 }, systemPods: { cpu: "1100m", memory: "2Gi", pods: 30 }, headroom: 0.3, minNodes: 2, zones: 3 };

  it("fits workloads and platform in (1 - headroom) of the group; CPU and pods decide here", () => {
    // CPU: 7.1 / (3.92 x 0.7) = 2.59 -> 3; memory 16Gi / (15.03Gi x 0.7) -> 2; pods 100 / (58 x 0.7) = 2.46 -> 3.
    const size = sizeNodeGroup(base);
    expect(size).toEqual({
      minSize: 3,
      desiredSize: 3,
      maxSize: 6,
      allocatable: { cpu: 3920, memoryBytes: 15391 * MI, pods: 58 },
      reason: "3 x m6i.xlarge: workloads 6 CPU / 14Gi / 70 pods + platform 1.1 CPU / 2Gi / 30 pods fit in 70% of 11.76 CPU / 45.1Gi / 174 pods",
    });
  });

  it("lets memory decide when it is the scarce resource", () => {
    const size = sizeNodeGroup({ ...base, instanceType: "c6i.xlarge", workloads: { cpu: "1", memory: "20Gi", pods: 10 }, systemPods: { cpu: "0", memory: "0", pods: 0 } });
    // c6i.xlarge: 8Gi - (255 + 638 + 100)Mi = 7199Mi; x 0.7 = 5039.3Mi; 20480 / 5039.3 = 4.06 -> 5.
    expect(size.desiredSize).toBe(5);
    expect(size.maxSize).toBe(10);
  });

  it("never goes below minNodes and says so", () => {
    const size = sizeNodeGroup({ ...base, workloads: { cpu: "100m", memory: "128Mi", pods: 1 }, systemPods: { cpu: "0", memory: "0", pods: 0 }, minNodes: 3 });
    expect([size.minSize, size.desiredSize, size.maxSize]).toEqual([3, 3, 6]);
    expect(size.reason).toBe("3 x m6i.xlarge: workloads 0.1 CPU / 0.1Gi / 1 pods + platform 0 CPU / 0Gi / 0 pods fit in 70% of 11.76 CPU / 45.1Gi / 174 pods (1 would do; minNodes is 3)");
  });

  it("takes maxNodes when given, and adds a zone's worth of room for a single node", () => {
    expect(sizeNodeGroup({ ...base, maxNodes: 4 }).maxSize).toBe(4);
    const one = sizeNodeGroup({ ...base, workloads: { cpu: "100m", memory: "128Mi", pods: 1 }, minNodes: 1 });
    expect([one.desiredSize, one.maxSize]).toEqual([1, 4]);
  });

  it("rejects maxNodes below what the capacity needs", () => {
    expect(() => sizeNodeGroup({ ...base, maxNodes: 2 })).toThrow('sizeNodeGroup "m6i.xlarge": maxNodes is 2; expected at least 3, the nodes the capacity needs');
  });

  it("rejects unknown types and quantities with exact messages", () => {
    let caught: unknown;
    try {
      sizeNodeGroup({ ...base, instanceType: "m5.large", workloads: { cpu: "lots", memory: "12GB", pods: -1 }, headroom: 1 });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(KeelValidationError);
    const problems = (caught as KeelValidationError).problems;
    expect(problems[0]).toMatch(/^instanceType is "m5\.large"; expected one of the instance types keel sizes: /);
    expect(problems.slice(1)).toEqual([
      'workloads.cpu is "lots"; expected cores ("0.5", "2") or millicores ("500m")',
      'workloads.memory is "12GB"; expected bytes with a unit such as "512Mi" or "2Gi"',
      "workloads.pods is -1; expected a whole number of pods, 0 or more",
      "headroom is 1; expected a fraction of at least 0 and below 1 (0.3 leaves 30% spare)",
    ]);
  });
});
