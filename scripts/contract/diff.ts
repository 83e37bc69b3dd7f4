/** A line diff for the guard's messages: added and removed lines, with a little context, capped. Pure. */

export interface DiffOp {
  readonly op: " " | "+" | "-";
  readonly line: string;
}

/** An LCS line diff (common head and tail trimmed first; very large middles fall back to a set difference). */
export function lineDiff(oldText: string, newText: string): DiffOp[] {
  const a = splitLines(oldText);
  const b = splitLines(newText);
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const x = a.slice(head, a.length - tail);
  const y = b.slice(head, b.length - tail);
  const ops: DiffOp[] = a.slice(0, head).map((line) => ({ op: " ", line }));
  ops.push(...middle(x, y));
  ops.push(...a.slice(a.length - tail).map((line) => ({ op: " " as const, line })));
  return ops;
}

function splitLines(text: string): string[] {
  if (text === "") return [];
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

function middle(x: readonly string[], y: readonly string[]): DiffOp[] {
  if (x.length * y.length > 4_000_000) {
    const inY = new Set(y);
    const inX = new Set(x);
    return [...x.filter((l) => !inY.has(l)).map((line) => ({ op: "-" as const, line })), ...y.filter((l) => !inX.has(l)).map((line) => ({ op: "+" as const, line }))];
  }
  const n = x.length;
  const m = y.length;
  // lcs[i][j]: the LCS length of x[i..] and y[j..], row-major in one array.
  const lcs = new Uint32Array((n + 1) * (m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i * (m + 1) + j] = x[i] === y[j] ? lcs[(i + 1) * (m + 1) + j + 1] + 1 : Math.max(lcs[(i + 1) * (m + 1) + j], lcs[i * (m + 1) + j + 1]);
    }
  }
  const ops: DiffOp[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && x[i] === y[j]) {
      ops.push({ op: " ", line: x[i] });
      i++;
      j++;
    } else if (i < n && (j === m || lcs[(i + 1) * (m + 1) + j] >= lcs[i * (m + 1) + j + 1])) {
      // Removals before additions, as in `git diff`.
      ops.push({ op: "-", line: x[i++] });
    } else {
      ops.push({ op: "+", line: y[j++] });
    }
  }
  return ops;
}

export interface DiffCounts {
  readonly added: number;
  readonly removed: number;
}

export function countChanges(ops: readonly DiffOp[]): DiffCounts {
  return { added: ops.filter((o) => o.op === "+").length, removed: ops.filter((o) => o.op === "-").length };
}

/**
 * The changed lines as `+ line` / `- line`, each run of changes after up to `context` unchanged
 * lines (`  line`), "..." between runs; at most `max` changed lines, then "... and N more".
 * `note(line)` may add an indented note under a removed line.
 */
export function formatDiff(ops: readonly DiffOp[], options: { context?: number; max?: number; note?: (removed: string) => string | undefined } = {}): string[] {
  const context = options.context ?? 2;
  const max = options.max ?? 20;
  const out: string[] = [];
  let shown = 0;
  let lastPrinted = -1;
  const total = ops.filter((o) => o.op !== " ").length;
  for (let k = 0; k < ops.length && shown < max; k++) {
    const o = ops[k];
    if (o.op === " ") continue;
    const from = Math.max(lastPrinted + 1, k - context);
    if (lastPrinted >= 0 && from > lastPrinted + 1) out.push("  ...");
    for (let c = from; c < k; c++) if (ops[c].op === " ") out.push(`  ${ops[c].line}`);
    out.push(`${o.op} ${o.line}`);
    if (o.op === "-" && options.note) {
      const note = options.note(o.line);
      if (note) out.push(`      -> ${note}`);
    }
    lastPrinted = k;
    shown++;
  }
  if (total > shown) out.push(`  ... and ${total - shown} more changed lines`);
  return out;
}
