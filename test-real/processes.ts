/** Running servers and scripts for the real tests, as the `postgres` user where PostgreSQL needs it. */
import { ChildProcess, execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export interface Result {
  readonly code: number;
  readonly output: string;
}

/** Runs a command to completion without blocking the event loop (fake servers keep answering). */
export function exec(command: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv; user?: string; input?: string; timeoutMs?: number } = {}): Promise<Result> {
  const [cmd, argv] = options.user && process.getuid?.() === 0 ? ["runuser", ["-u", options.user, "--", command, ...args]] : [command, [...args]];
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { env: { ...process.env, ...options.env }, stdio: ["pipe", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("error", reject);
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 120_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, output });
    });
    child.stdin.on("error", () => undefined); // the command may exit before reading its input
    child.stdin.end(options.input ?? "");
  });
}

/** Starts a long-running process; stop it with `stop()`. */
export function daemon(command: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv; user?: string } = {}): { child: ChildProcess; log: () => string; stop: (signal?: NodeJS.Signals) => Promise<void> } {
  const [cmd, argv] = options.user && process.getuid?.() === 0 ? ["runuser", ["-u", options.user, "--", command, ...args]] : [command, [...args]];
  // Its own process group, so a signal reaches the server behind runuser too.
  const child = spawn(cmd, argv, { env: { ...process.env, ...options.env }, stdio: ["ignore", "pipe", "pipe"], detached: true });
  let log = "";
  child.stdout?.on("data", (d) => (log += d));
  child.stderr?.on("data", (d) => (log += d));
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  return {
    child,
    log: () => log,
    stop: async (signal: NodeJS.Signals = "SIGINT") => {
      if (child.exitCode === null && child.signalCode === null && child.pid) process.kill(-child.pid, signal);
      await exited;
    },
  };
}

/** Polls `check` until it returns true (or throws after `timeoutMs`). */
export async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 30_000): Promise<void> {
  const start = Date.now();
  while (Date.now() - start < timeoutMs) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A fresh directory owned by `user` (so a server running as that user can write it). */
export function ownedDir(prefix: string, user?: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.chmodSync(dir, 0o755);
  if (user && process.getuid?.() === 0) {
    const uid = Number(execFileSync("id", ["-u", user]).toString().trim());
    const gid = Number(execFileSync("id", ["-g", user]).toString().trim());
    fs.chownSync(dir, uid, gid);
  }
  return dir;
}

/** Writes a file readable by everyone. */
export function writeFile(dir: string, name: string, content: string, mode = 0o644): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, content, { mode });
  fs.chmodSync(file, mode);
  return file;
}
