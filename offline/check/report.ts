/** The `keel check` report: violations (mandatory first) and exemptions, as text or JSON. */
import { REDACTED } from "../values";
import type { Diagnostic } from "./analyze";

export interface ExemptionUse {
  readonly policy: string;
  readonly resource: string;
  readonly reason?: string;
  /** False when the exemption suppresses nothing any more. */
  readonly used: boolean;
  readonly message: string;
}

export interface CheckReport {
  readonly target: string;
  readonly pack: { readonly name: string; readonly version: string };
  readonly resources: number;
  readonly policies: number;
  readonly violations: readonly Diagnostic[];
  readonly exemptions: readonly ExemptionUse[];
  /** What the target must already have (policy stack-prerequisites). */
  readonly prerequisites: readonly string[];
  /** What the checks could not decide, and the fact or value they lacked. */
  readonly undecided: readonly string[];
}

export const AUDIT_POLICY = "exemption-audit";
export const PREREQUISITES_POLICY = "stack-prerequisites";
const AUDIT = /^exemption (used|unused): (\S+) on (.+?)(?:: (.*) \(suppresses \d+ violations?\)| suppresses nothing; .*)$/;

export function buildReport(target: string, pack: { name: string; version: string }, resources: number, policies: number, diagnostics: readonly Diagnostic[], secrets: readonly string[]): CheckReport {
  const scrub = (text: string) => secrets.reduce((t, s) => t.split(s).join(REDACTED), text);
  const violations = diagnostics
    .filter((d) => d.policy !== AUDIT_POLICY && d.policy !== PREREQUISITES_POLICY && d.level !== "disabled")
    .map((d) => ({ ...d, message: scrub(d.message) }))
    .sort((a, b) => (a.level === b.level ? 0 : a.level === "mandatory" ? -1 : b.level === "mandatory" ? 1 : 0) || a.policy.localeCompare(b.policy) || a.resource.localeCompare(b.resource) || a.message.localeCompare(b.message));
  const exemptions = diagnostics
    .filter((d) => d.policy === AUDIT_POLICY)
    .map((d) => {
      const m = AUDIT.exec(d.message);
      return { policy: m?.[2] ?? "?", resource: d.resource, reason: m?.[4] !== undefined ? scrub(m[4]) : undefined, used: m?.[1] === "used", message: scrub(d.message) };
    })
    .sort((a, b) => a.policy.localeCompare(b.policy) || a.resource.localeCompare(b.resource));
  const listed = (prefix: string) =>
    [...new Set(diagnostics.filter((d) => d.policy === PREREQUISITES_POLICY && d.level !== "disabled" && d.message.startsWith(prefix)).map((d) => scrub(d.message.slice(prefix.length))))].sort();
  return { target, pack, resources, policies, violations, exemptions, prerequisites: listed("prerequisite: "), undecided: listed("cannot decide: ") };
}

export function mandatoryCount(report: CheckReport): number {
  return report.violations.filter((v) => v.level === "mandatory").length;
}

export function reportText(report: CheckReport): string {
  const mandatory = mandatoryCount(report);
  const advisory = report.violations.length - mandatory;
  const lines = [
    `keel check: ${report.target}, pack ${report.pack.name} ${report.pack.version}: ${report.resources} resources, ${report.policies} policies`,
    `  ${mandatory} mandatory and ${advisory} advisory violation${advisory === 1 ? "" : "s"}; ${report.exemptions.length} exemption${report.exemptions.length === 1 ? "" : "s"}`,
  ];
  if (report.violations.length > 0) {
    const width = Math.max(6, ...report.violations.map((v) => v.policy.length));
    lines.push("", `${"LEVEL".padEnd(10)} ${"POLICY".padEnd(width)} MESSAGE`);
    for (const v of report.violations) lines.push(`${v.level.padEnd(10)} ${v.policy.padEnd(width)} ${v.message}`);
  }
  if (report.exemptions.length > 0) {
    lines.push("", "Exemptions:");
    for (const e of report.exemptions) lines.push(`  ${e.message}`);
  }
  if (report.prerequisites.length > 0) {
    lines.push("", "Prerequisites (the target must have these before pulumi up):");
    for (const p of report.prerequisites) lines.push(`  - ${p}`);
  }
  if (report.undecided.length > 0) {
    lines.push("", "Cannot decide (give the missing facts to the platform):");
    for (const u of report.undecided) lines.push(`  - ${u}`);
  }
  return lines.join("\n");
}
