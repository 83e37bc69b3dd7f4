/**
 * Passwords given to well-known programs on their command line (mysql and mariadb tools, sshpass,
 * redis-cli, openssl), in argument lists and in shell text.
 */
import { pointsElsewhere, unquote } from "./secret-names";


/** mysql's client programs take `-p<password>` glued (and, written by mistake for it, `-p <password>`). */
const MYSQL_FAMILY = /^(?:mysql|mariadb)(?:dump|admin|import|check|show|slap|pump|binlog)?$|^mariadb-(?:dump|admin|import|check|show|slap|binlog)$/;

interface ProgramFlags {
  /** Flags whose next argument is the password. */
  readonly separate: readonly string[];
  /** Flags the password may be glued to (`-pS3cret`). */
  readonly glued: readonly string[];
  /** For a wrapper (sshpass): its other flags that take a value; its first other argument is the command it runs, whose flags are its own. */
  readonly wrapperValued?: readonly string[];
}
const MYSQL_FLAGS: ProgramFlags = { separate: ["-p"], glued: ["-p"] };
const SSHPASS_FLAGS: ProgramFlags = { separate: ["-p"], glued: ["-p"], wrapperValued: ["-f", "-d", "-P"] };
const REDIS_CLI_FLAGS: ProgramFlags = { separate: ["-a", "--pass"], glued: [] };

function programFlags(token: string): ProgramFlags | undefined {
  const base = token.slice(token.lastIndexOf("/") + 1);
  if (MYSQL_FAMILY.test(base)) return MYSQL_FLAGS;
  if (base === "sshpass") return SSHPASS_FLAGS;
  if (base === "redis-cli") return REDIS_CLI_FLAGS;
  return undefined;
}

/** openssl's password arguments: `-pass pass:<password>` (`env:`, `file:`, `fd:` and `stdin` point elsewhere). */
const OPENSSL_PASS_FLAG = /^-pass(?:in|out)?$/;

/**
 * Passwords in an argument list: after mysql, mariadb and their tools (`-p<pw>`, `-p <pw>`),
 * sshpass (`-p <pw>`), redis-cli (`-a <pw>`, `--pass <pw>`), and openssl's `-pass pass:<pw>`
 * anywhere. The first argument that names one of these programs starts its arguments; `-p` after
 * any other program (`-p 8080`) is not a password. Calls `found` with the index of the argument
 * that holds the password and the flag.
 */
export function programPasswords(args: readonly (string | undefined)[], found: (index: number, flag: string) => void): void {
  let flags: ProgramFlags | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === undefined) continue;
    const next = args[i + 1];
    if (OPENSSL_PASS_FLAG.test(arg) && next !== undefined && next.startsWith("pass:")) {
      if (!pointsElsewhere(unquote(next.slice(5)))) found(i + 1, arg);
      i++;
      continue;
    }
    const program = programFlags(unquote(arg));
    if (program !== undefined) {
      flags = program;
      continue;
    }
    if (flags === undefined) continue;
    if (flags.separate.includes(arg)) {
      if (next !== undefined && !/^[-<>|]/.test(next) && !pointsElsewhere(unquote(next))) found(i + 1, arg);
      i++;
      continue;
    }
    const glued = flags.glued.find((g) => arg.startsWith(g) && arg.length > g.length && !arg.startsWith("--"));
    if (glued !== undefined) {
      if (!pointsElsewhere(unquote(arg.slice(glued.length)))) found(i, glued);
      continue;
    }
    if (flags.wrapperValued !== undefined) {
      if (flags.wrapperValued.includes(arg)) i++;
      else if (!arg.startsWith("-")) flags = undefined;
    }
  }
}

const PROGRAM_HINT = /mysql|mariadb|sshpass|redis-cli|-pass/;

/** The same passwords in shell text: each command (split at newlines, `;`, `&`, `|`) on its own. Linear: one split, one pass. */
export function shellPasswords(text: string): string[] {
  if (!PROGRAM_HINT.test(text)) return [];
  const flags = new Set<string>();
  for (const command of text.replace(/\\\r?\n/g, " ").split(/\r?\n|\\n|[;&|]/)) {
    if (!PROGRAM_HINT.test(command)) continue;
    programPasswords(command.split(/[ \t]+/).filter((t) => t !== ""), (_index, flag) => flags.add(flag));
  }
  return [...flags];
}

