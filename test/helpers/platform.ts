import { KubernetesPlatform, KubernetesPlatformArgs } from "../../components";

/** A KubernetesPlatform for tests: system "shop", namespaces created. */
export function testPlatform(args: Partial<KubernetesPlatformArgs> = {}): KubernetesPlatform {
  return new KubernetesPlatform("shop", { system: "shop", ...args });
}
