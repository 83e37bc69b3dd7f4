import { BlueprintName, StackConfig } from "./config";
import { req1 } from "./req1";

/** Every blueprint, by the name `keel:blueprint` selects. */
export const blueprints: Readonly<Record<BlueprintName, (stack: StackConfig) => object>> = { req1 };

export { readStackConfig } from "./config";
export { environments } from "./environments";
