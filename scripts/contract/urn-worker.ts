/** The worker's body (see urn-worker.js): evaluates one stack and sends what it registered. */
import { evaluate } from "../../offline/synth";
import type { RegisteredResource, StackRun } from "./stacks";

async function main(): Promise<void> {
  const [dir, stack] = process.argv.slice(2);
  let message: { ok: true; run: StackRun } | { ok: false; error: string };
  try {
    const { project, run } = await evaluate({ stack, dir });
    const resources: RegisteredResource[] = run.resources.map((r) => ({ urn: r.urn, type: r.type, name: r.name, parent: r.parent, ...(r.options?.aliases ? { aliases: r.options.aliases } : {}) }));
    message = { ok: true, run: { project, stack, resources } };
  } catch (err) {
    message = { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
  process.send!(message, () => process.exit(0));
}

void main();
