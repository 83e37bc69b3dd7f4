/**
 * The policy pack loads the way the Pulumi CLI loads it: a process whose first line of output
 * is the port of its gRPC analyzer, answering GetAnalyzerInfo.
 */
import { ChildProcess, spawn } from "child_process";
import * as path from "path";
import * as grpc from "@grpc/grpc-js";
import { ROOT } from "../helpers/cli";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const analyzerGrpc = require("@pulumi/pulumi/proto/analyzer_grpc_pb");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const emptyProto = require("google-protobuf/google/protobuf/empty_pb");

let pack: ChildProcess;

afterAll(() => pack?.kill());

function startPack(): Promise<number> {
  const loader = `require(${JSON.stringify(path.join(ROOT, "bin", "register-ts.js"))}).register(process.cwd()); require("./index.ts");`;
  pack = spawn(process.execPath, ["-e", loader], { cwd: path.join(ROOT, "policies") });
  return new Promise((resolve, reject) => {
    let out = "";
    pack.stdout?.on("data", (d) => {
      out += d;
      const line = out.split("\n")[0];
      if (out.includes("\n")) resolve(Number(line));
    });
    pack.stderr?.on("data", (d) => reject(new Error(String(d))));
    pack.on("exit", (code) => reject(new Error(`policy pack exited with ${code}`)));
  });
}

describe("policy pack", () => {
  it("serves its analyzer over gRPC and names itself", async () => {
    const port = await startPack();
    expect(port).toBeGreaterThan(0);
    const client = new analyzerGrpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    const info = await new Promise<{ getName(): string; getVersion(): string }>((resolve, reject) =>
      client.getAnalyzerInfo(new emptyProto.Empty(), (err: Error | null, res: { getName(): string; getVersion(): string }) => (err ? reject(err) : resolve(res))),
    );
    expect(info.getName()).toBe("keel");
    expect(info.getVersion()).toBe("0.1.0");
    client.close();
  });
});
