import { KeelValidationError, KubernetesPlatform, KubernetesPlatformArgs, ObjectStoreTarget, peers, resolveKubernetesPlatformArgs } from "../../components";

/** A KubernetesPlatform for tests: system "shop", namespaces created (name it when a test needs two). */
export function testPlatform(args: Partial<KubernetesPlatformArgs> = {}, name = "shop"): KubernetesPlatform {
  return new KubernetesPlatform(name, { system: "shop", ...args });
}

/** An S3 bucket on the internet for backups (fake credentials). */
export function backupStore(): ObjectStoreTarget {
  return {
    endpoint: "https://s3.eu-west-1.amazonaws.com",
    bucket: "shop-backups",
    region: "eu-west-1",
    accessKeyId: "AKIAEXAMPLE",
    secretAccessKey: "s3cr3t",
    network: peers.internet(),
  };
}

/** The lines of the error a KubernetesPlatform "shop" (system "shop") gives for `args`; [] when it takes them. */
export function platformProblems(args: Record<string, unknown>): string[] {
  try {
    resolveKubernetesPlatformArgs("shop", { system: "shop", ...args } as never);
    return [];
  } catch (err) {
    expect(err).toBeInstanceOf(KeelValidationError);
    return (err as Error).message.split("\n");
  }
}
