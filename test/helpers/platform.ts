import { KubernetesPlatform, KubernetesPlatformArgs, ObjectStoreTarget, peers } from "../../components";

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
