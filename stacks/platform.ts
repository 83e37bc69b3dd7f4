/**
 * The KubernetesPlatform every blueprint runs on: the stack's `keel:kubernetes` settings over the
 * blueprint's defaults (namespaces, ingress controller), and the images, external objects and
 * StorageClasses the blueprint names added to the stack's own (never replacing them).
 */
import { KubernetesPlatform, KubernetesPlatformArgs } from "../components";
import type { StackConfig } from "./config";

export type BlueprintPlatformDefaults = Pick<KubernetesPlatformArgs, "namespaces" | "ingressController" | "userImages" | "externalObjects" | "gp3StorageClasses">;

export function blueprintPlatform(stack: StackConfig, system: string, defaults: BlueprintPlatformDefaults = {}): KubernetesPlatform {
  const k = stack.kubernetes;
  const added = <T>(own: readonly T[] | undefined, blueprint: readonly T[] | undefined): T[] | undefined => (blueprint === undefined ? undefined : [...(own ?? []), ...blueprint]);
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
