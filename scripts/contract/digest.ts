/**
 * The contract's digest and its record in CHANGELOG.md. Pure.
 *
 * `api` covers contract/*.api.md, `urns` covers contract/urns/*.txt: the first 12 hex digits of
 * sha256 over each file's repository path, a NUL, its content and a NUL, files in sorted path
 * order (a renamed or removed stack changes it too). CHANGELOG.md records the contract as
 *
 *   Contract: api <12 hex>, urns <12 hex>
 *
 * and its first such line (the newest entry) must be the committed files' digest.
 */
import { createHash } from "crypto";

export interface ContractDigest {
  readonly api: string;
  readonly urns: string;
}

export const DIGEST_LINE = /Contract: api ([0-9a-f]{12}), urns ([0-9a-f]{12})/;

export function isApiReport(file: string): boolean {
  return /^contract\/[^/]+\.api\.md$/.test(file);
}

export function isUrnSnapshot(file: string): boolean {
  return /^contract\/urns\/[^/]+\.txt$/.test(file);
}

function digestOf(files: ReadonlyMap<string, string>, which: (file: string) => boolean): string {
  const hash = createHash("sha256");
  for (const file of [...files.keys()].filter(which).sort()) hash.update(`${file}\0${files.get(file)}\0`);
  return hash.digest("hex").slice(0, 12);
}

/** The digest of the contract files (repository-relative path to content; other paths are ignored). */
export function contractDigest(files: ReadonlyMap<string, string>): ContractDigest {
  return { api: digestOf(files, isApiReport), urns: digestOf(files, isUrnSnapshot) };
}

export function digestLine(d: ContractDigest): string {
  return `Contract: api ${d.api}, urns ${d.urns}`;
}

/** The newest contract CHANGELOG.md records (its first digest line), if any. */
export function recordedDigest(changelog: string): ContractDigest | undefined {
  const m = DIGEST_LINE.exec(changelog);
  return m ? { api: m[1], urns: m[2] } : undefined;
}

/**
 * undefined when CHANGELOG.md's newest record is `d`; otherwise the failure message, naming the
 * part of the contract that differs from that record.
 */
export function changelogProblem(changelog: string, d: ContractDigest): string | undefined {
  const recorded = recordedDigest(changelog);
  if (recorded && recorded.api === d.api && recorded.urns === d.urns) return undefined;
  const parts: string[] = [];
  if (!recorded || recorded.api !== d.api) parts.push("contract/*.api.md");
  if (!recorded || recorded.urns !== d.urns) parts.push("contract/urns/*.txt");
  const newest = recorded ? `its newest record is \`${digestLine(recorded)}\`` : "it has no `Contract:` line";
  return `the contract changed (${parts.join(", ")}) but CHANGELOG.md does not record it: describe the change under ## Unreleased and end the entry with \`${digestLine(d)}\` (${newest})`;
}
