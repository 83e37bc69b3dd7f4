/**
 * A faster, equivalent `serializeResourceProperties` for the mock runtime. The SDK serializes
 * every input value through an async function (one promise per leaf), which dominates the
 * cost of large specs. Plain subtrees (no Output, Promise, Resource, Asset) serialize here
 * synchronously with the SDK's own rules: functions dropped, `undefined` omitted from objects
 * and `null` in arrays. Every other value goes to the SDK's `serializeProperty`, in the same
 * key order, so the result and the dependencies are the same. `test/offline/fast-serialize.test.ts`
 * checks that the recorded resources are identical with and without it.
 */

/* eslint-disable @typescript-eslint/no-explicit-any -- the SDK's internal modules are untyped here */
const ASYNC = Symbol("needs the SDK");

interface SdkParts {
  rpc: any;
  output: any;
  resource: any;
  asset: any;
}

export function installFastSerialization(sdk: SdkParts): () => void {
  const { rpc } = sdk;
  const isSpecial = (v: object): boolean =>
    v instanceof Promise ||
    sdk.output.Output.isInstance(v) ||
    sdk.output.isUnknown(v) ||
    sdk.resource.CustomResource.isInstance(v) ||
    sdk.resource.ComponentResource.isInstance(v) ||
    sdk.asset.Asset.isInstance(v) ||
    sdk.asset.Archive.isInstance(v);

  /** The serialized value, or ASYNC when the subtree holds something only the SDK can serialize. */
  const plain = (v: unknown): unknown => {
    if (typeof v === "function") return undefined;
    if (v === undefined || v === null || typeof v === "boolean" || typeof v === "number" || typeof v === "string") return v;
    if (typeof v !== "object" || isSpecial(v)) return ASYNC;
    if (Array.isArray(v)) {
      const out: unknown[] = [];
      for (const e of v) {
        const s = plain(e);
        if (s === ASYNC) return ASYNC;
        out.push(s === undefined ? null : s);
      }
      return out;
    }
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v)) {
      const s = plain((v as Record<string, unknown>)[k]);
      if (s === ASYNC) return ASYNC;
      if (s !== undefined) out[k] = s;
    }
    return out;
  };

  const serialize = async (ctx: string, v: unknown, deps: Set<unknown>, opts: unknown): Promise<unknown> => {
    const s = plain(v);
    if (s !== ASYNC) return s;
    if (typeof v !== "object" || v === null || isSpecial(v)) return rpc.serializeProperty(ctx, v, deps, opts);
    if (Array.isArray(v)) {
      const out: unknown[] = [];
      for (let i = 0; i < v.length; i++) {
        const e = await serialize(`${ctx}[${i}]`, v[i], deps, opts);
        out.push(e === undefined ? null : e);
      }
      return out;
    }
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v)) {
      const e = await serialize(`${ctx}.${k}`, (v as Record<string, unknown>)[k], deps, opts);
      if (e !== undefined) out[k] = e;
    }
    return out;
  };

  const filtered = async (label: string, props: Record<string, unknown>, accept: (k: string) => boolean, opts: unknown) => {
    const propertyToDependentResources = new Map<string, Set<unknown>>();
    const result: Record<string, unknown> = {};
    for (const k of Object.keys(props)) {
      if (!accept(k)) continue;
      const deps = new Set<unknown>();
      let v: unknown;
      try {
        v = await serialize(`${label}.${k}`, props[k], deps, opts);
      } catch (err) {
        if (err instanceof Error) {
          err.message = `error serializing property "${k}": ${err.message}`;
          throw err;
        }
        throw new Error(`error serializing property "${k}": ${String(err)}`);
      }
      if (v !== undefined) {
        result[k] = v;
        propertyToDependentResources.set(k, deps);
      }
    }
    return [result, propertyToDependentResources];
  };

  const original = { resource: rpc.serializeResourceProperties, properties: rpc.serializeProperties };
  rpc.serializeResourceProperties = (label: string, props: Record<string, unknown>, opts: unknown) => filtered(label, props, (k) => k !== "id" && k !== "urn", opts);
  rpc.serializeProperties = async (label: string, props: Record<string, unknown>, opts: unknown) => (await filtered(label, props, () => true, opts))[0];
  return () => {
    rpc.serializeResourceProperties = original.resource;
    rpc.serializeProperties = original.properties;
  };
}
