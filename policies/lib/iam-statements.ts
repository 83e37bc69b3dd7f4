/**
 * IAM statements broader than least privilege: the one check the pack's iam-least-privilege
 * policy and keel's own IAM documents (components/aws/iam.ts) share.
 */

const list = (v: unknown): unknown[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);
const obj = (v: unknown): Record<string, unknown> => (typeof v === "object" && v !== null ? (v as Record<string, unknown>) : {});

/** An IAM policy document's statements, from JSON text or an object; undefined when it cannot be read (not JSON, e.g. unknown during preview). */
export function documentStatements(document: unknown): Record<string, unknown>[] | undefined {
  let doc: unknown = document;
  if (typeof document === "string") {
    try {
      doc = JSON.parse(document);
    } catch {
      return undefined;
    }
  }
  if (typeof doc !== "object" || doc === null) return undefined;
  return list((doc as Record<string, unknown>).Statement).map(obj);
}

/**
 * Why a policy document (JSON text or object) is broader than least privilege, one line per
 * statement: an Allow of "*" (or a whole service, "iam:*") on resource "*", or an Allow through
 * NotAction/NotResource. undefined when the document cannot be read (not JSON, e.g. unknown
 * during preview): the policy cannot decide, so it reports nothing.
 */
export function statementProblems(document: unknown): string[] | undefined {
  const statements = documentStatements(document);
  if (!statements) return undefined;
  const problems: string[] = [];
  statements.forEach((s, i) => {
    if (s.Effect !== "Allow") return;
    if (s.NotAction !== undefined || s.NotResource !== undefined) problems.push(`statement ${i} allows through NotAction/NotResource; list the actions and resources it needs`);
    const resources = list(s.Resource).map(String);
    const everyResource = resources.includes("*");
    for (const action of list(s.Action).map(String)) {
      if (action === "*" && (everyResource || resources.length === 0)) problems.push(`statement ${i} allows action "*" on resource "*"; name the actions and resources it needs`);
      else if (/^[A-Za-z0-9-]+:\*$/.test(action) && everyResource) problems.push(`statement ${i} allows every ${action.split(":")[0]} action ("${action}") on resource "*"; name the actions it needs`);
    }
  });
  return problems;
}
