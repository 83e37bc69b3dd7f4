/**
 * The keel project's entry point: read and validate the stack config, run the blueprint it
 * names, export the blueprint's outputs.
 */
import { blueprints, readStackConfig } from "./stacks";

const stack = readStackConfig();
const result = Promise.resolve(blueprints[stack.blueprint](stack));
export const outputs = result;
export const blueprint = stack.blueprint;
export const environment = stack.environment.name;
// A platform stack's `platform` and `kubeconfig` go at the top, where systems' StackReferences read them.
if (stack.blueprint === "platform") {
  module.exports.platform = result.then((r) => (r as { platform: unknown }).platform);
  module.exports.kubeconfig = result.then((r) => (r as { kubeconfig: unknown }).kubeconfig);
}
