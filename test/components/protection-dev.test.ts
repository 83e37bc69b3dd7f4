/** The req1 dev stack protects nothing (prod: protection.test.ts); its own file, as the engine evaluates a program once per file. */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { synth } from "../../offline/synth";
import { ROOT } from "../helpers/cli";

it("protects nothing in the req1 dev stack, though it holds state", async () => {
  const { resources } = (await synth({ stack: "dev", dir: ROOT, out: fs.mkdtempSync(path.join(os.tmpdir(), "keel-protect-dev-")) })).run;
  const holdsState = resources.filter((r) => r.type.startsWith("random:") || r.type.endsWith(":StatefulSet"));
  expect(holdsState.length).toBeGreaterThan(10);
  expect(resources.filter((r) => r.protect || r.retainOnDelete).map((r) => `${r.type} ${r.name}`)).toEqual([]);
});
