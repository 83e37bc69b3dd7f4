/**
 * Kubernetes' own code as the reference for keel's policies: Pod Security admission and RBAC
 * rule matching, built from their Go modules (test-real/k8s-reference) and asked over stdin.
 */
import { spawnSync } from "child_process";
import { goBuild } from "./tools";

export interface PodQuestion {
  readonly id: string;
  /** privileged, baseline or restricted. */
  readonly level: string;
  /** "latest" or "v1.NN". */
  readonly version: string;
  readonly metadata: Record<string, unknown>;
  readonly spec: Record<string, unknown>;
}

export interface RbacQuestion {
  readonly id: string;
  readonly rules: readonly Record<string, unknown>[];
  /** One rule naming exactly what is asked: { verbs: [v], apiGroups: [g], resources: [r], resourceNames?: [n] }. */
  readonly request: Record<string, unknown>;
}

export interface Answers {
  readonly pods: readonly { id: string; allowed: boolean; reasons: string[] }[];
  readonly rbac: readonly { id: string; allowed: boolean }[];
}

let binary: string | undefined;

/** Asks Kubernetes' code; builds it on first use. */
export function askKubernetes(questions: { pods?: readonly PodQuestion[]; rbac?: readonly RbacQuestion[] }): Answers {
  binary ??= goBuild("k8s-reference", "k8s-reference");
  const r = spawnSync(binary, [], { input: JSON.stringify({ pods: questions.pods ?? [], rbac: questions.rbac ?? [] }), encoding: "utf8", timeout: 120_000, maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`k8s-reference failed (exit ${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as Answers;
}
