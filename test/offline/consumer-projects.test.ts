/** keel synth on consumers' project layouts: a pack of their own in policies/, the program named by package.json. */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { synth } from "../../offline/synth";
import { ROOT } from "../helpers/cli";

const PROJECT = path.join(ROOT, "test", "fixtures", "own-pack");
const PACKAGE_MAIN = path.join(ROOT, "test", "fixtures", "package-main");

it("takes the environment's levels from keel's pack, not the project's policies/", async () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "keel-own-pack-"));
  try {
    await synth({ stack: "dev", dir: PROJECT, out });
    const written = JSON.parse(fs.readFileSync(path.join(out, "dev", "policy-pack-config.json"), "utf8"));
    const keelDev = JSON.parse(fs.readFileSync(path.join(ROOT, "policies", "config", "dev.json"), "utf8"));
    expect(written["replicas-minimum"]).toEqual(keelDev["replicas-minimum"]);
    expect(written["run-as-non-root"]).toEqual(keelDev["run-as-non-root"]);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});

it("runs the program package.json's main names when Pulumi.yaml has none", async () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "keel-package-main-"));
  try {
    await synth({ stack: "dev", dir: PACKAGE_MAIN, out });
    const plan = JSON.parse(fs.readFileSync(path.join(out, "dev", "plan.json"), "utf8")) as { resources: { name: string; inputs: { data?: Record<string, string> } }[] };
    expect(plan.resources.find((r) => r.name === "settings")?.inputs.data).toEqual({ region: "eu-west-1" });
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});
