/**
 * The keel project's entry point: read and validate the stack config, run the blueprint it
 * names, export the blueprint's outputs.
 */
import { blueprints, readStackConfig } from "./stacks";

const stack = readStackConfig();
export const outputs = blueprints[stack.blueprint](stack);
export const blueprint = stack.blueprint;
export const environment = stack.environment.name;
