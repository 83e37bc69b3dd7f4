/**
 * The platform every blueprint runs on. On `kubernetes`: a KubernetesPlatform from the stack's
 * `keel:kubernetes` settings over the blueprint's defaults (namespaces, ingress controller), with
 * the images, external objects and StorageClasses the blueprint names added to the stack's own
 * (never replacing them). On `aws`: the system attached to the platform stack `keel:aws` names
 * (AwsPlatform.fromStackReference), whose StorageClasses must include the blueprint's.
 */
import { AwsPlatform, AwsSystemPlatform, KubernetesPlatform, KubernetesPlatformArgs } from "../components";
import { StackConfigError, StackConfig } from "./config";

export type BlueprintPlatformDefaults = Pick<KubernetesPlatformArgs, "namespaces" | "ingressController" | "userImages" | "externalObjects" | "gp3StorageClasses">;

/** What a blueprint builds on: an existing cluster, or a system on an aws platform. */
export type SystemPlatform = KubernetesPlatform | AwsSystemPlatform;

const added = <T>(own: readonly T[] | undefined, blueprint: readonly T[] | undefined): T[] | undefined => (blueprint === undefined ? undefined : [...(own ?? []), ...blueprint]);

export async function blueprintPlatform(stack: StackConfig, system: string, defaults: BlueprintPlatformDefaults = {}): Promise<SystemPlatform> {
  if (stack.platform === "aws" && stack.aws) return awsSystem(stack, stack.aws, system, defaults);
  const k = stack.kubernetes;
  const userImages = added(k.userImages, defaults.userImages);
  const externalObjects = added(k.externalObjects, defaults.externalObjects);
  const gp3StorageClasses = added(k.gp3StorageClasses, defaults.gp3StorageClasses);
  return new KubernetesPlatform(system, {
    system,
    protect: stack.environment.protect,
    ...k,
    ...(defaults.namespaces ? { namespaces: { ...defaults.namespaces, ...k.namespaces } } : {}),
    ...(defaults.ingressController ? { ingressController: { ...defaults.ingressController, ...k.ingressController } } : {}),
    ...(userImages ? { userImages } : {}),
    ...(externalObjects ? { externalObjects } : {}),
    ...(gp3StorageClasses ? { gp3StorageClasses } : {}),
  });
}

async function awsSystem(stack: StackConfig, a: NonNullable<StackConfig["aws"]>, system: string, defaults: BlueprintPlatformDefaults): Promise<AwsSystemPlatform> {
  const { platformStack, ...own } = a;
  const userImages = added(own.userImages, defaults.userImages);
  const externalObjects = added(own.externalObjects, defaults.externalObjects);
  const platform = await AwsPlatform.fromStackReference(system, {
    ...own,
    stack: platformStack,
    system,
    protect: stack.environment.protect,
    ...(defaults.namespaces ? { namespaces: { ...prefixed(system, defaults.namespaces), ...own.namespaces } } : {}),
    ...(userImages ? { userImages } : {}),
    ...(externalObjects ? { externalObjects } : {}),
  });
  // StorageClasses are cluster-wide: the platform stack creates them for every system.
  const missing = (defaults.gp3StorageClasses ?? []).filter((g) => !platform.shape.storageClasses.includes(g.name));
  if (missing.length > 0) {
    throw new StackConfigError("aws.platformStack", platformStack, `expected a platform with the StorageClasses ${system} uses: add ${JSON.stringify(missing)} to keel:awsPlatform.storage.gp3StorageClasses of that stack (it has ${platform.shape.storageClasses.join(", ")})`);
  }
  return platform;
}

/** A blueprint's own namespace names, prefixed with the system's on a shared cluster (its app namespace excepted when it is the system's name). */
function prefixed(system: string, namespaces: NonNullable<BlueprintPlatformDefaults["namespaces"]>): Record<string, string> {
  return Object.fromEntries(Object.entries(namespaces).map(([tier, ns]) => [tier, ns === system || ns.startsWith(`${system}-`) ? ns : `${system}-${ns}`]));
}
