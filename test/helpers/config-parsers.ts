/**
 * Readers of the files keel generates, written from each format's specification, so tests can
 * prove a generated file means what the arguments meant (and hostile values to feed them).
 */

/** What hostile input looks like: quotes, substitutions, separators, line breaks, escapes, unicode. */
export const HOSTILE = [
  "plain",
  "",
  " leading and trailing ",
  "it's",
  'say "hi"',
  "$(touch /tmp/keel-pwned)",
  "`touch /tmp/keel-pwned`",
  "${HOME}",
  "a; rm -rf /",
  "a && b || c | d & e",
  "line1\nline2",
  "cr\rlf\r\n",
  "tab\there",
  "back\\slash\\",
  "\\'",
  "''\"\"",
  "#comment",
  "!bang",
  "key=value: x",
  "*?[a]~",
  "-n",
  "ünïcødé ✓ 🎉",
  "\u0001\u001f\u007f",
  "%p %f %%",
];

/** postgresql.conf's quoted string, read as guc-file.l and GUC_scanstr do. */
export function readPgValue(text: string): string {
  const m = /^'((?:[^'\\\n]|\\.|'')*)'$/.exec(text);
  if (!m) throw new Error(`not one postgresql.conf string: ${text}`);
  return m[1].replace(/''|\\([0-7]{1,3}|.)/g, (all, esc: string | undefined) => {
    if (all === "''") return "'";
    const e = esc as string;
    if (/^[0-7]+$/.test(e)) return String.fromCharCode(parseInt(e, 8));
    return ({ b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" } as Record<string, string>)[e] ?? e;
  });
}

/** java.util.Properties.load, from its specification: logical lines, comments, separators, escapes. */
export function parseProperties(text: string): Map<string, string> {
  const result = new Map<string, string>();
  const physical = text.split(/\r\n|\r|\n/);
  for (let i = 0; i < physical.length; i++) {
    let line = physical[i].replace(/^[ \t\f]+/, "");
    if (line === "" || line.startsWith("#") || line.startsWith("!")) continue;
    // A line ending in an odd number of backslashes continues on the next (its leading blanks dropped).
    while (/(^|[^\\])(\\\\)*\\$/.test(line) && i + 1 < physical.length) line = line.slice(0, -1) + physical[++i].replace(/^[ \t\f]+/, "");
    let k = 0;
    let key = "";
    while (k < line.length) {
      const c = line[k];
      if (c === "\\") {
        key += line.slice(k, k + 2);
        k += 2;
        continue;
      }
      if (c === "=" || c === ":" || c === " " || c === "\t" || c === "\f") break;
      key += c;
      k++;
    }
    let rest = line.slice(k).replace(/^[ \t\f]*/, "");
    if (rest.startsWith("=") || rest.startsWith(":")) rest = rest.slice(1).replace(/^[ \t\f]*/, "");
    result.set(unescapeProperties(key), unescapeProperties(rest));
  }
  return result;
}

function unescapeProperties(s: string): string {
  return s.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_, e: string) => (e.length === 5 ? String.fromCharCode(parseInt(e.slice(1), 16)) : ({ t: "\t", n: "\n", r: "\r", f: "\f" } as Record<string, string>)[e] ?? e));
}

/** redis.conf's argument splitting (sds.c, sdssplitargs), for one line. */
export function redisSplitArgs(line: string): string[] | undefined {
  const args: string[] = [];
  let i = 0;
  const bytes = Buffer.from(line, "utf8");
  const out: number[] = [];
  while (true) {
    while (i < bytes.length && " \n\r\t\0".includes(String.fromCharCode(bytes[i]))) i++;
    if (i >= bytes.length) return args;
    out.length = 0;
    let inq = false;
    let insq = false;
    for (;;) {
      const c = bytes[i];
      if (inq) {
        if (c === undefined) return undefined;
        if (c === 0x5c && bytes[i + 1] === 0x78 && /^[0-9a-fA-F]{2}$/.test(String.fromCharCode(bytes[i + 2] ?? 0, bytes[i + 3] ?? 0))) {
          out.push(parseInt(String.fromCharCode(bytes[i + 2], bytes[i + 3]), 16));
          i += 3;
        } else if (c === 0x5c && bytes[i + 1] !== undefined) {
          i++;
          const e = String.fromCharCode(bytes[i]);
          out.push(({ n: 10, r: 13, t: 9, b: 8, a: 7 } as Record<string, number>)[e] ?? bytes[i]);
        } else if (c === 0x22) {
          if (bytes[i + 1] !== undefined && !" \n\r\t".includes(String.fromCharCode(bytes[i + 1]))) return undefined;
          i++;
          break;
        } else out.push(c);
      } else if (insq) {
        if (c === undefined) return undefined;
        if (c === 0x5c && bytes[i + 1] === 0x27) {
          out.push(0x27);
          i++;
        } else if (c === 0x27) {
          if (bytes[i + 1] !== undefined && !" \n\r\t".includes(String.fromCharCode(bytes[i + 1]))) return undefined;
          i++;
          break;
        } else out.push(c);
      } else if (c === undefined || " \n\r\t\0".includes(String.fromCharCode(c))) break;
      else if (c === 0x22) inq = true;
      else if (c === 0x27) insq = true;
      else out.push(c);
      i++;
    }
    args.push(Buffer.from(out).toString("utf8"));
  }
}


/**
 * postgresql.conf as guc-file.l reads it: `name [=] value` per line, '#' comments, values a
 * quoted string (GUC_scanstr), or a bare word/number. Throws on a line it cannot read.
 */
export function parsePostgresqlConf(text: string): Map<string, string> {
  const settings = new Map<string, string>();
  for (const raw of text.split("\n")) {
    const line = raw.replace(/^\s+/, "");
    if (line === "" || line.startsWith("#")) continue;
    const m = /^([A-Za-z_][A-Za-z0-9_$.]*)\s*=?\s*('(?:[^'\\\n]|\\.|'')*'|[^\s#']+)\s*(#.*)?$/.exec(line);
    if (!m) throw new Error(`postgresql.conf line not readable: ${JSON.stringify(raw)}`);
    settings.set(m[1].toLowerCase(), m[2].startsWith("'") ? readPgValue(m[2]) : m[2]);
  }
  return settings;
}
