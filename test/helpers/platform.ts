import { KubernetesPlatform, KubernetesPlatformArgs } from "../../components";

/** A KubernetesPlatform for tests: system "shop", namespaces created (name it when a test needs two). */
export function testPlatform(args: Partial<KubernetesPlatformArgs> = {}, name = "shop"): KubernetesPlatform {
  return new KubernetesPlatform(name, { system: "shop", ...args });
}
