/**
 * Environment variables and mounted files for a container. Plain values go to a generated
 * ConfigMap, secret values to a generated Secret; the container reads each key through
 * `configMapKeyRef`/`secretKeyRef`, so no secret is ever written into a pod spec.
 */
import * as pulumi from "@pulumi/pulumi";
import { Validator } from "./errors";

/** A reference to a key of an existing ConfigMap or Secret, or a pod field. */
export type EnvReference =
  | { readonly secretKeyRef: { readonly name: pulumi.Input<string>; readonly key: pulumi.Input<string> } }
  | { readonly configMapKeyRef: { readonly name: pulumi.Input<string>; readonly key: pulumi.Input<string> } }
  | { readonly fieldPath: string };

/** A plain value, or a reference to where the value lives. */
export type EnvValue = pulumi.Input<string> | EnvReference;

/** A file mounted read-only into the container. */
export interface FileArgs {
  readonly content: pulumi.Input<string>;
  /** Store in a Secret (mode 0440) instead of a ConfigMap. @default false */
  readonly secret?: boolean;
}

export interface EnvArgs {
  /** Plain environment variables, or references to existing ConfigMap/Secret keys. */
  readonly env?: Readonly<Record<string, EnvValue>>;
  /** Secret environment variables: stored in a generated Secret, read via `secretKeyRef`. */
  readonly secretEnv?: Readonly<Record<string, pulumi.Input<string>>>;
  /** Files mounted read-only, keyed by absolute path: `{ "/etc/app/config.yaml": { content } }`. */
  readonly files?: Readonly<Record<string, FileArgs>>;
}

export interface ResolvedFile {
  readonly path: string;
  /** The ConfigMap/Secret key holding the content. */
  readonly key: string;
  readonly content: pulumi.Input<string>;
  readonly secret: boolean;
}

export interface ResolvedEnv {
  readonly plain: Readonly<Record<string, pulumi.Input<string>>>;
  readonly secret: Readonly<Record<string, pulumi.Input<string>>>;
  readonly references: Readonly<Record<string, EnvReference>>;
  readonly files: readonly ResolvedFile[];
}

const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

function isReference(value: EnvValue): value is EnvReference {
  return typeof value === "object" && value !== null && ("secretKeyRef" in value || "configMapKeyRef" in value || "fieldPath" in value);
}

/** The ConfigMap/Secret key for a file path: `/etc/app/config.yaml` -> `etc-app-config.yaml`. */
export function fileKey(path: string): string {
  return path.replace(/^\/+/, "").replace(/[^-._a-zA-Z0-9]/g, "-");
}

export function resolveEnv(v: Validator, args: EnvArgs): ResolvedEnv {
  const plain: Record<string, pulumi.Input<string>> = {};
  const secret: Record<string, pulumi.Input<string>> = {};
  const references: Record<string, EnvReference> = {};
  for (const [name, value] of Object.entries(args.env ?? {})) {
    v.require(ENV_NAME.test(name), "env", name, "expected a variable name of letters, digits, '_', '-' and '.', not starting with a digit");
    v.require(value !== undefined && value !== null, `env.${name}`, value, "expected a string or a reference");
    if (value === undefined || value === null) continue;
    if (isReference(value)) references[name] = value;
    else plain[name] = value;
  }
  for (const [name, value] of Object.entries(args.secretEnv ?? {})) {
    v.require(ENV_NAME.test(name), "secretEnv", name, "expected a variable name of letters, digits, '_', '-' and '.', not starting with a digit");
    v.require(!(name in (args.env ?? {})), `secretEnv.${name}`, name, "expected a name not also set in env");
    v.require(value !== undefined && value !== null, `secretEnv.${name}`, value, "expected a string or a secret Output");
    secret[name] = pulumi.secret(value);
  }
  const files: ResolvedFile[] = [];
  const keys = new Set<string>();
  for (const [path, file] of Object.entries(args.files ?? {})) {
    v.require(path.startsWith("/") && !path.endsWith("/") && !path.split("/").includes(".."), "files", path, "expected an absolute file path without '..'");
    v.require(path !== "/tmp" && !path.startsWith("/tmp/"), "files", path, "expected a path outside /tmp (an emptyDir is mounted there)");
    const key = fileKey(path);
    v.require(!keys.has(key), "files", path, "expected distinct paths (two paths map to the same key)");
    keys.add(key);
    files.push({ path, key, content: file.secret ? pulumi.secret(file.content) : file.content, secret: file.secret ?? false });
  }
  return { plain, secret, references, files: files.sort((a, b) => a.key.localeCompare(b.key)) };
}
