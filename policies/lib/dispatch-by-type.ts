/**
 * @pulumi/policy calls every resource policy for every resource, unless the policy names one
 * type (`__pulumiType`, the SDK's fast path). Most of keel's policies apply to several kinds
 * (every workload kind, Role and ClusterRole, ...), so for each resource the SDK would set up
 * and await each of them (resource options, a proxy, an args object) only for the check to
 * return at once: with 70 policies, most of the time a small resource takes.
 *
 * The SDK's Analyze and Remediate handlers read the request's type and then, synchronously,
 * iterate the pack's policy list. This module makes that list's iterator hand out, right after
 * a request's type was read, only the policies that apply to it (each keel policy says so with
 * its appliesTo, attached by define.ts). Any other iteration (construction, stack analysis)
 * gets every policy; array methods (GetAnalyzerInfo's) never use the iterator. Stack policies
 * and policies that are not keel's are always handed out. What reaches each policy is unchanged.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
import type { Policy } from "@pulumi/policy";

export const APPLIES_TO = "__keelAppliesTo";

interface Request {
  getType(): string;
}

function appliesTo(policy: Policy): ((type: string) => boolean) | undefined {
  const validate = (policy as { validateResource?: unknown }).validateResource;
  if (typeof validate !== "function") return undefined;
  const f = (validate as unknown as Record<string, unknown>)[APPLIES_TO];
  return typeof f === "function" ? (f as (type: string) => boolean) : undefined;
}

/** The list to give `new PolicyPack`: `policies`, iterated per request type as described above. */
export function dispatchByType(policies: readonly Policy[]): Policy[] {
  const all = [...policies];
  const byType = new Map<string, Policy[]>();
  let pendingType: string | undefined;
  const proto = (require("@pulumi/pulumi/proto/analyzer_pb") as { AnalyzeRequest: { prototype: Request } }).AnalyzeRequest.prototype;
  const getType = proto.getType;
  proto.getType = function (this: Request): string {
    const type = getType.call(this);
    pendingType = type;
    return type;
  };
  const list = [...all];
  Object.defineProperty(list, Symbol.iterator, {
    value: function (): Iterator<Policy> {
      const type = pendingType;
      pendingType = undefined;
      if (type === undefined) return all[Symbol.iterator]();
      let applicable = byType.get(type);
      if (!applicable) {
        applicable = all.filter((p) => appliesTo(p)?.(type) ?? true);
        byType.set(type, applicable);
      }
      return applicable[Symbol.iterator]();
    },
  });
  return list;
}
