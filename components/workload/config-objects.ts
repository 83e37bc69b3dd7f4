/**
 * The ConfigMaps and Secrets behind a container's env and files. They are auto-named
 * (`<name>-env-<suffix>`), so a content change rolls the pods through a new name.
 *
 * A value given as an Output (`routed`) is stored where its secretness says once it resolves:
 * each key lands in exactly one of the two objects, and the pod reads it from there. Which
 * objects exist and which variables and mounts the pod has never depend on it.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ResolvedEnv, ResolvedFile, secretness } from "../core/env";
import type { Labels } from "../core/labels";
import { childName } from "../core/naming";

export type EnvVar = k8s.types.input.core.v1.EnvVar;
export type Volume = k8s.types.input.core.v1.Volume;
export type VolumeMount = k8s.types.input.core.v1.VolumeMount;

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

type Entries = Record<string, pulumi.Input<string | undefined>>;

/** `value` when `condition` holds, else undefined; never combined with `value` otherwise (no secretness leaks into the other object). */
function only(condition: pulumi.Output<boolean>, value: pulumi.Input<string>): pulumi.Output<string | undefined> {
  return condition.apply((c): pulumi.Output<string | undefined> => (c ? pulumi.output(value) : pulumi.output<string | undefined>(undefined)));
}

/**
 * Splits values between a ConfigMap and a Secret: `plain` to the first, `secret` to the second,
 * each `routed` one to the Secret when it resolves secret, else to the ConfigMap (the other
 * object gets no such key: an entry resolving to undefined is left out).
 */
function split(plain: Readonly<Record<string, pulumi.Input<string>>>, secret: Readonly<Record<string, pulumi.Input<string>>>, routed: Readonly<Record<string, pulumi.Input<string>>>) {
  const configMap: Entries = { ...plain };
  const secrets: Entries = { ...secret };
  const where: Record<string, pulumi.Output<boolean>> = {};
  for (const [key, value] of Object.entries(routed)) {
    const isSecret = secretness(value);
    where[key] = isSecret;
    configMap[key] = only(isSecret.apply((s) => !s), value);
    secrets[key] = only(isSecret, value);
  }
  return { configMap, secrets, where };
}

/** Creates the env/file ConfigMaps and Secrets of `env` and returns how the container uses them. */
export function createConfigObjects(ctx: ConfigObjectsContext, env: ResolvedEnv): ContainerConfig {
  const metadata = { namespace: ctx.namespace, labels: ctx.labels };
  const vars: EnvVar[] = [];
  const values = split(env.plain, env.secret, env.routed);
  const configMapName = nonEmpty(values.configMap) ? new k8s.core.v1.ConfigMap(childName(ctx.name, "env"), { metadata, data: values.configMap as Record<string, pulumi.Input<string>> }, ctx.opts).metadata.name : undefined;
  const secretName = nonEmpty(values.secrets) ? new k8s.core.v1.Secret(childName(ctx.name, "env"), { metadata, type: "Opaque", stringData: values.secrets as Record<string, pulumi.Input<string>> }, ctx.opts).metadata.name : undefined;
  if (configMapName) for (const key of Object.keys(env.plain)) vars.push({ name: key, valueFrom: { configMapKeyRef: { name: configMapName, key } } });
  if (secretName) for (const key of Object.keys(env.secret)) vars.push({ name: key, valueFrom: { secretKeyRef: { name: secretName, key } } });
  for (const [key, isSecret] of Object.entries(values.where)) {
    const valueFrom = pulumi.all([isSecret, configMapName, secretName]).apply(([s, cm, sec]) => (s ? { secretKeyRef: { name: sec as string, key } } : { configMapKeyRef: { name: cm as string, key } }));
    vars.push({ name: key, valueFrom });
  }
  for (const [key, ref] of Object.entries(env.references)) {
    if ("fieldPath" in ref) vars.push({ name: key, valueFrom: { fieldRef: { fieldPath: ref.fieldPath } } });
    else if ("secretKeyRef" in ref) vars.push({ name: key, valueFrom: { secretKeyRef: { ...ref.secretKeyRef } } });
    else if ("configMapKeyRef" in ref) vars.push({ name: key, valueFrom: { configMapKeyRef: { ...ref.configMapKeyRef } } });
  }
  vars.sort((a, b) => (a.name as string).localeCompare(b.name as string));
  // Inline values last, in order: the kubelet expands $(NAME) in them from the variables above.
  for (const e of env.expanded ?? []) vars.push({ name: e.name, value: e.value });

  const volumes: Volume[] = [];
  const volumeMounts: VolumeMount[] = [];
  const byKey = (files: readonly ResolvedFile[]) => Object.fromEntries(files.map((f) => [f.key, f.content]));
  const files = split(byKey(env.files.filter((f) => !f.secret && !f.routed)), byKey(env.files.filter((f) => f.secret)), byKey(env.files.filter((f) => f.routed)));
  if (nonEmpty(files.configMap)) {
    const cm = new k8s.core.v1.ConfigMap(childName(ctx.name, "files"), { metadata, data: files.configMap as Record<string, pulumi.Input<string>> }, ctx.opts);
    volumes.push({ name: "files", configMap: { name: cm.metadata.name, defaultMode: 0o444 } });
  }
  if (nonEmpty(files.secrets)) {
    const secret = new k8s.core.v1.Secret(childName(ctx.name, "secret-files"), { metadata, type: "Opaque", stringData: files.secrets as Record<string, pulumi.Input<string>> }, ctx.opts);
    volumes.push({ name: "secret-files", secret: { secretName: secret.metadata.name, defaultMode: 0o440 } });
  }
  for (const f of [...env.files.filter((x) => !x.secret && !x.routed), ...env.files.filter((x) => x.secret), ...env.files.filter((x) => x.routed)]) {
    const volume = f.routed ? files.where[f.key].apply((s) => (s ? "secret-files" : "files")) : f.secret ? "secret-files" : "files";
    volumeMounts.push({ name: volume, mountPath: f.path, subPath: f.key, readOnly: true });
  }
  return { env: vars, volumes, volumeMounts };
}
