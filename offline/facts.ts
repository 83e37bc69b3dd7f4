/**
 * The facts the whole-stack policies judge with, in the pack config format: the platform's
 * cluster facts (what `KubernetesPlatform` registered as its `clusterFacts` output) and keel's
 * image manifest, laid over an environment's config file. `keel synth` writes the result as
 * `out/<stack>/policy-pack-config.json` for `pulumi preview --policy-pack-config`; `keel check`
 * builds the same object in memory.
 */
import { IMAGE_MANIFEST } from "../components/core/images";
import type { RunResult } from "./runtime";
import { unwrap } from "./values";

/** The whole-stack policies and the settings each takes. A test keeps this in step with the pack's schemas. */
export const FACT_SETTINGS: Readonly<Record<string, readonly ("cluster" | "images")[]>> = {
  "stack-references": ["cluster"],
  "stack-flows": ["cluster"],
  "helper-readiness": ["cluster", "images"],
  "image-contents": ["images"],
  "stack-prerequisites": ["cluster", "images"],
};

/** Components whose `clusterFacts` output the checks use: a system's platform first; an aws platform's own (its stack runs no system) only when there is none. */
const PLATFORM_TYPES = ["keel:components:KubernetesPlatform", "keel:components:AwsPlatform"];

type Facts = Record<string, unknown>;

/** The cluster facts of a run: the platform's. Two platforms' facts are merged (lists joined; the first wins otherwise). */
export function clusterFactsOf(run: RunResult): Facts | undefined {
  const found = PLATFORM_TYPES.map((type) => run.resources.filter((r) => r.type === type))
    .find((list) => list.length > 0) ?? [];
  const facts = found
    .map((r) => unwrap(run.componentOutputs.get(r.urn)?.clusterFacts) as Facts | undefined)
    .filter((f): f is Facts => typeof f === "object" && f !== null);
  if (facts.length === 0) return undefined;
  const merged: Facts = { ...facts[0] };
  for (const f of facts.slice(1)) {
    for (const key of ["issuers", "external", "userImages"]) merged[key] = [...((merged[key] as unknown[]) ?? []), ...((f[key] as unknown[]) ?? [])];
  }
  return merged;
}

/** `base` (an environment's pack config) with the facts set on every whole-stack policy. */
export function withFacts(base: Record<string, unknown>, cluster: Facts | undefined): Record<string, unknown> {
  const config: Record<string, unknown> = { ...base };
  for (const [policy, settings] of Object.entries(FACT_SETTINGS)) {
    const entry = config[policy];
    const given = typeof entry === "string" ? { enforcementLevel: entry } : typeof entry === "object" && entry !== null ? (entry as Record<string, unknown>) : {};
    const added: Record<string, unknown> = {};
    if (settings.includes("cluster") && cluster && given.cluster === undefined) added.cluster = cluster;
    if (settings.includes("images") && given.images === undefined) added.images = IMAGE_MANIFEST;
    config[policy] = { ...given, ...added };
  }
  return config;
}
