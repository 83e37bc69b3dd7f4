/**
 * The policy pack as the Pulumi CLI runs it: a separate process whose first line of output is
 * the port of its gRPC analyzer. keel talks to it with the analyzer client of @pulumi/pulumi.
 */
import { ChildProcess, spawn } from "child_process";
import * as path from "path";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import { SynthError } from "../runtime";
import { ServiceError, grpc } from "./sdk-modules";

export { findPack } from "./find-pack";

export interface RunningPack {
  readonly client: AnalyzerClient;
  readonly port: number;
  stop(): void;
}

/**
 * Starts the pack in `dir` with @pulumi/pulumi's policy-pack runner, the program the Pulumi
 * CLI's analyzer plugin runs (TypeScript through ts-node, type-checked), and connects to it.
 */
export async function startPack(dir: string): Promise<RunningPack> {
  let runner: string;
  try {
    runner = path.join(path.dirname(require.resolve("@pulumi/pulumi/package.json", { paths: [dir, __dirname] })), "cmd", "run-policy-pack");
  } catch {
    throw new SynthError(`cannot find @pulumi/pulumi for the policy pack in ${dir}; run npm install there`);
  }
  // The runner's first argument is the engine's address; the analyzer protocol never calls back.
  const child: ChildProcess = spawn(process.execPath, [runner, "127.0.0.1:0", "."], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  // The child is stopped whatever goes wrong before the caller holds it (it would outlive keel).
  try {
    return await connect(child, dir);
  } catch (err) {
    child.kill();
    throw err;
  }
}

async function connect(child: ChildProcess, dir: string): Promise<RunningPack> {
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    let err = "";
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      const newline = out.indexOf("\n");
      if (newline >= 0) {
        const port = Number(out.slice(0, newline).trim());
        if (Number.isInteger(port) && port > 0) resolve(port);
        else reject(new SynthError(`the policy pack printed ${JSON.stringify(out.slice(0, newline))} instead of its port`));
      }
    });
    child.stderr?.on("data", (d: Buffer) => (err += d.toString()));
    child.on("exit", (code) => reject(new SynthError(`the policy pack in ${dir} exited with code ${code} before serving:\n${err.trim()}`)));
  });
  child.removeAllListeners("exit");
  const client = new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), { "grpc.max_receive_message_length": 400 * 1024 * 1024, "grpc.max_send_message_length": 400 * 1024 * 1024 });
  return {
    client,
    port,
    stop() {
      client.close();
      child.kill();
    },
  };
}

/** Promisifies one unary analyzer call. */
export function unary<Req, Res>(call: (req: Req, cb: (err: ServiceError | null, res: Res) => void) => unknown, req: Req): Promise<Res> {
  return new Promise((resolve, reject) => call(req, (err, res) => (err ? reject(err) : resolve(res))));
}
