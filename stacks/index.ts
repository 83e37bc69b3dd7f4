import { awsPlatform } from "./aws-platform";
import { BlueprintName, StackConfig } from "./config";
import { bookworm } from "./bookworm";
import { composerp } from "./composerp";
import { req1 } from "./req1";
import { todo } from "./todo";
import { vibebox } from "./vibebox";

/** Every blueprint, by the name `keel:blueprint` selects. */
export const blueprints: Readonly<Record<BlueprintName, (stack: StackConfig) => object | Promise<object>>> = { req1, bookworm, todo, vibebox, composerp, platform: awsPlatform };

export { readStackConfig } from "./config";
export { environments } from "./environments";
