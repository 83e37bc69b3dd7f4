/** The `.ts` loader's disk cache: a warm run skips TypeScript, a changed file is transpiled again. */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ROOT } from "../helpers/cli";

function load(dir: string, env: NodeJS.ProcessEnv = {}): string {
  const script = `require(${JSON.stringify(path.join(ROOT, "bin", "register-ts.js"))}).register(${JSON.stringify(dir)});
const m = require(${JSON.stringify(path.join(dir, "a.ts"))});
console.log(m.value, require.cache[require.resolve("typescript", { paths: [${JSON.stringify(ROOT)}] })] ? "ts-loaded" : "ts-not-loaded");`;
  const r = spawnSync(process.execPath, ["-e", script], { encoding: "utf8", env: { ...process.env, ...env } });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout.trim();
}

describe("the .ts loader's cache", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "keel-ts-cache-"));
    fs.mkdirSync(path.join(dir, "node_modules"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const cached = () => fs.readdirSync(path.join(dir, "node_modules", ".cache", "keel-ts")).filter((f) => f.endsWith(".js"));

  it("transpiles once, then answers from node_modules/.cache/keel-ts without loading TypeScript", () => {
    fs.writeFileSync(path.join(dir, "a.ts"), "export const value: number = 1;\n");
    expect(load(dir)).toBe("1 ts-loaded");
    expect(load(dir)).toBe("1 ts-not-loaded");
    expect(cached()).toHaveLength(1);
  });

  it("transpiles a changed file again (the key is the content)", () => {
    fs.writeFileSync(path.join(dir, "a.ts"), "export const value: number = 1;\n");
    load(dir);
    fs.writeFileSync(path.join(dir, "a.ts"), "export const value: number = 2;\n");
    expect(load(dir)).toBe("2 ts-loaded");
    expect(cached()).toHaveLength(2);
  });

  it("KEEL_TS_CACHE=0 writes and reads nothing", () => {
    fs.writeFileSync(path.join(dir, "a.ts"), "export const value: number = 3;\n");
    expect(load(dir, { KEEL_TS_CACHE: "0" })).toBe("3 ts-loaded");
    expect(fs.existsSync(path.join(dir, "node_modules", ".cache", "keel-ts"))).toBe(false);
  });
});
