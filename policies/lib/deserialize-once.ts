/**
 * @pulumi/policy deserializes a resource's properties once per policy (45 times per resource
 * here, and once per stack policy for every resource of the stack). The result depends only
 * on the request, so the pack deserializes each request's properties once and shares the
 * (read-only) result between policies. Policies never mutate props; remediations clone them.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
type Deserialize = (struct: object, keepUnknowns?: boolean) => Record<string, unknown>;

export function deserializePropertiesOnce(): void {
  const mod = require("@pulumi/policy/deserialize") as { deserializeProperties: Deserialize };
  const original = mod.deserializeProperties;
  const cache = new WeakMap<object, Map<boolean, Record<string, unknown>>>();
  mod.deserializeProperties = (struct, keepUnknowns = false) => {
    let byMode = cache.get(struct);
    if (!byMode) cache.set(struct, (byMode = new Map()));
    let value = byMode.get(keepUnknowns);
    if (!value) byMode.set(keepUnknowns, (value = original(struct, keepUnknowns)));
    return value;
  };
}
