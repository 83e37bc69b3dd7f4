import { emptyDirWrites } from "../../../components/workload/workload";

const volumes = [
  { name: "tmp", emptyDir: { sizeLimit: "64Mi" } },
  { name: "scratch", emptyDir: { sizeLimit: "10Gi" } },
  { name: "staging", emptyDir: { sizeLimit: "1Gi" } },
  { name: "shm", emptyDir: { medium: "Memory", sizeLimit: "1Gi" } },
  { name: "config", configMap: { name: "config" } },
];
const mount = (name: string, readOnly?: boolean) => ({ name, mountPath: `/${name}`, readOnly });

describe("emptyDirWrites", () => {
  it("charges each disk-backed volume once per pod: to the first app container writing it, else to the first init container", () => {
    const writes = emptyDirWrites(
      [
        // An init container fills "scratch" and "staging"; only "staging" stays its own.
        { init: true, mounts: [mount("tmp"), mount("scratch"), mount("staging")] },
        { init: false, mounts: [mount("tmp"), mount("config", true), mount("shm")] },
        // Reads "staging" only; writes "scratch", which outlives the init container.
        { init: false, mounts: [mount("tmp"), mount("scratch"), mount("staging", true)] },
      ],
      volumes,
    );
    expect(writes).toEqual([
      [{ volume: "staging", sizeLimit: "1Gi" }],
      [{ volume: "tmp", sizeLimit: "64Mi" }],
      [{ volume: "scratch", sizeLimit: "10Gi" }],
    ]);
  });

  it("refuses a disk-backed emptyDir without a sizeLimit (it could fill the node's disk)", () => {
    expect(() => emptyDirWrites([{ init: false, mounts: [mount("data")] }], [{ name: "data", emptyDir: {} }])).toThrow('keel: emptyDir "data" has no sizeLimit');
  });
});
