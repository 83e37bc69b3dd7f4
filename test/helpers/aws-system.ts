/** A system on the aws platform for component tests: req1's platform-prod shape (stack-refs), system "shop". */
import * as fs from "fs";
import * as path from "path";
import { AwsPlatform, AwsPlatformShape, AwsSystemArgs, AwsSystemPlatform, Platform } from "../../components";
import { testPlatform } from "./platform";
import { synthesize } from "./synth";

/** platform-prod's exported shape, as `keel synth` reads it offline. */
export function platformProdShape(): AwsPlatformShape {
  const file = path.join(__dirname, "..", "..", "stack-refs", "organization", "keel", "platform-prod.json");
  return (JSON.parse(fs.readFileSync(file, "utf8")) as { platform: AwsPlatformShape }).platform;
}

/** A system "shop" attached to platform-prod (call inside a synthesize program). */
export function testAwsSystem(args: Partial<AwsSystemArgs> = {}, shape: AwsPlatformShape = platformProdShape(), name = "shop"): AwsSystemPlatform {
  return AwsPlatform.fromExisting(name, { system: "shop", ...args, shape, kubeconfig: "apiVersion: v1\nkind: Config\n" });
}

/**
 * Builds one component per case (`[args, onKubernetes?]`) in one program, on platform-prod's system
 * "shop" or on a KubernetesPlatform: the error message per case, "" when it was built.
 */
export async function messagesOf<A>(cases: Readonly<Record<string, readonly [A, boolean?]>>, make: (key: string, platform: Platform, args: A) => unknown): Promise<Record<string, string>> {
  const messages: Record<string, string> = {};
  await synthesize(() => {
    const aws = testAwsSystem();
    const kubernetes = testPlatform();
    for (const [key, [args, onKubernetes]] of Object.entries(cases)) {
      try {
        make(key, onKubernetes ? kubernetes : aws, args);
        messages[key] = "";
      } catch (e) {
        messages[key] = (e as Error).message;
      }
    }
  });
  return messages;
}
