/**
 * The ConfigMaps and Secrets behind a container's env and files. They are auto-named
 * (`<name>-env-<suffix>`), so a content change rolls the pods through a new name.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ResolvedEnv } from "../core/env";
import type { Labels } from "../core/labels";
import { childName } from "../core/naming";

type EnvVar = k8s.types.input.core.v1.EnvVar;
type Volume = k8s.types.input.core.v1.Volume;
type VolumeMount = k8s.types.input.core.v1.VolumeMount;

export interface ContainerConfig {
  readonly env: EnvVar[];
  readonly volumes: Volume[];
  readonly volumeMounts: VolumeMount[];
}

export interface ConfigObjectsContext {
  readonly name: string;
  readonly namespace: pulumi.Input<string>;
  readonly labels: Labels;
  readonly opts: pulumi.CustomResourceOptions;
}

function nonEmpty<T>(record: Readonly<Record<string, T>>): boolean {
  return Object.keys(record).length > 0;
}

/** Creates the env/file ConfigMaps and Secrets of `env` and returns how the container uses them. */
export function createConfigObjects(ctx: ConfigObjectsContext, env: ResolvedEnv): ContainerConfig {
  const metadata = { namespace: ctx.namespace, labels: ctx.labels };
  const vars: EnvVar[] = [];
  if (nonEmpty(env.plain)) {
    const name = new k8s.core.v1.ConfigMap(childName(ctx.name, "env"), { metadata, data: { ...env.plain } }, ctx.opts).metadata.name;
    for (const key of Object.keys(env.plain)) vars.push({ name: key, valueFrom: { configMapKeyRef: { name, key } } });
  }
  if (nonEmpty(env.secret)) {
    const name = new k8s.core.v1.Secret(childName(ctx.name, "env"), { metadata, type: "Opaque", stringData: { ...env.secret } }, ctx.opts).metadata.name;
    for (const key of Object.keys(env.secret)) vars.push({ name: key, valueFrom: { secretKeyRef: { name, key } } });
  }
  for (const [key, ref] of Object.entries(env.references)) {
    if ("fieldPath" in ref) vars.push({ name: key, valueFrom: { fieldRef: { fieldPath: ref.fieldPath } } });
    else if ("secretKeyRef" in ref) vars.push({ name: key, valueFrom: { secretKeyRef: { ...ref.secretKeyRef } } });
    else vars.push({ name: key, valueFrom: { configMapKeyRef: { ...ref.configMapKeyRef } } });
  }
  vars.sort((a, b) => (a.name as string).localeCompare(b.name as string));

  const volumes: Volume[] = [];
  const volumeMounts: VolumeMount[] = [];
  const plainFiles = env.files.filter((f) => !f.secret);
  const secretFiles = env.files.filter((f) => f.secret);
  if (plainFiles.length > 0) {
    const data = Object.fromEntries(plainFiles.map((f) => [f.key, f.content]));
    const cm = new k8s.core.v1.ConfigMap(childName(ctx.name, "files"), { metadata, data }, ctx.opts);
    volumes.push({ name: "files", configMap: { name: cm.metadata.name, defaultMode: 0o444 } });
    for (const f of plainFiles) volumeMounts.push({ name: "files", mountPath: f.path, subPath: f.key, readOnly: true });
  }
  if (secretFiles.length > 0) {
    const stringData = Object.fromEntries(secretFiles.map((f) => [f.key, f.content]));
    const secret = new k8s.core.v1.Secret(childName(ctx.name, "secret-files"), { metadata, type: "Opaque", stringData }, ctx.opts);
    volumes.push({ name: "secret-files", secret: { secretName: secret.metadata.name, defaultMode: 0o440 } });
    for (const f of secretFiles) volumeMounts.push({ name: "secret-files", mountPath: f.path, subPath: f.key, readOnly: true });
  }
  return { env: vars, volumes, volumeMounts };
}
