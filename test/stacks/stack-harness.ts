/** Reading the blueprints' stack config under the mock runtime, for the stack-config tests. */
import * as path from "path";
import { runInMockRuntime } from "../../offline/runtime";
import { readStackFile } from "../../offline/project";
import { StackConfig, readStackConfig } from "../../stacks/config";

export const ROOT = path.resolve(__dirname, "../..");

/** The dev stack's config as the engine passes it, with `changes` applied (undefined deletes a key). */
export function devConfig(changes: Record<string, string | undefined> = {}): Record<string, string> {
  const { config } = readStackFile({ dir: ROOT, name: "keel", main: path.join(ROOT, "index.ts") }, "dev");
  const out: Record<string, string> = { ...config };
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined) delete out[k];
    else out[k] = v;
  }
  return out;
}

/** readStackConfig under the mock runtime with this config: the config, or the error's lines. */
export async function read(config: Record<string, string>, secretKeys: string[] = []): Promise<StackConfig | string[]> {
  let result: StackConfig | string[] = [];
  await runInMockRuntime({ project: "keel", stack: "dev", config, secretKeys }, () => {
    try {
      result = readStackConfig();
    } catch (e) {
      result = (e as Error).message.split("\n");
    }
  });
  return result;
}
