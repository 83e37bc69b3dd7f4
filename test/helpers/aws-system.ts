/** A system on the aws platform for component tests: req1's platform-prod shape (stack-refs), system "shop". */
import * as fs from "fs";
import * as path from "path";
import { AwsPlatform, AwsPlatformShape, AwsSystemArgs, AwsSystemPlatform } from "../../components";

/** platform-prod's exported shape, as `keel synth` reads it offline. */
export function platformProdShape(): AwsPlatformShape {
  const file = path.join(__dirname, "..", "..", "stack-refs", "organization", "keel", "platform-prod.json");
  return (JSON.parse(fs.readFileSync(file, "utf8")) as { platform: AwsPlatformShape }).platform;
}

/** A system "shop" attached to platform-prod (call inside a synthesize program). */
export function testAwsSystem(args: Partial<AwsSystemArgs> = {}, shape: AwsPlatformShape = platformProdShape(), name = "shop"): AwsSystemPlatform {
  return AwsPlatform.fromExisting(name, { system: "shop", ...args, shape, kubeconfig: "apiVersion: v1\nkind: Config\n" });
}
