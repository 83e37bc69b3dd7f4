/**
 * The uniform connection object every data component exposes: where it is, how to log in,
 * and which environment variables a client expects. ApiService (and StatefulService) take it
 * directly: `connections: [db.connection]` sets the env and opens the network path on both sides.
 */
import * as pulumi from "@pulumi/pulumi";
import type { PolicyStatement } from "../aws/iam";
import type { EnvArgs, EnvValue, SecretsManagerReference } from "./env";
import { findDuplicates } from "./duplicates";
import type { Validator } from "./errors";
import { envNameProblem } from "./kubernetes-syntax";
import type { NetworkEndpoint, NetworkPeer, NetworkRule } from "./network";

/** A key of a Kubernetes Secret (usable only from the Secret's own namespace). */
export interface SecretKeyReference {
  readonly name: pulumi.Input<string>;
  readonly namespace: pulumi.Input<string>;
  readonly key: string;
}

export type ConnectionKind = "postgres" | "redis" | "s3" | "kafka" | "rabbitmq" | "service";

export interface Connection {
  readonly kind: ConnectionKind;
  /** Read-write host, e.g. `db-rw.data.svc.cluster.local`. */
  readonly host: pulumi.Output<string>;
  readonly port: number;
  /** Read-only host (replicas), where there is one. */
  readonly readOnlyHost?: pulumi.Output<string>;
  /** The user clients log in as, when there is one. */
  readonly username?: pulumi.Output<string>;
  /** The password (a secret Output), when there is one. */
  readonly password?: pulumi.Output<string>;
  /**
   * Where the credentials live when a secrets store keeps them (RDS's managed master password in
   * AWS Secrets Manager): a JSON secret with keys `username` and `password`. Build a client's own
   * format with `fromSecretsManager(credentials.secretId, { template: "...{{ .password }}..." })`;
   * {@link credentialEnv} does it for one field.
   */
  readonly credentials?: SecretsManagerReference;
  /** The password as a Kubernetes Secret key, for clients in the data store's namespace. */
  readonly passwordSecret?: SecretKeyReference;
  /** Clients must speak TLS to it (a managed service: RDS, ElastiCache, MSK, S3). @default false */
  readonly tls?: boolean;
  /** The full URL a client uses (a secret Output when it holds a password). */
  readonly url: pulumi.Output<string>;
  /**
   * Environment variables a client gets (e.g. `DATABASE_URL`); secret values are secret Outputs.
   * On the aws platform a value may be a `{ secretsManager }` reference: the credentials stay in
   * AWS Secrets Manager (RDS rotates them) and reach the client's pods through the External
   * Secrets Operator, never through Pulumi.
   */
  readonly env: Readonly<Record<string, EnvValue>>;
  /** The names in `env` whose values are secret Outputs (go to a Secret, read via `secretKeyRef`). */
  readonly secretEnv: readonly string[];
  /** The pods and ports a client must reach; for a managed service, the subnets it runs in. */
  readonly endpoint: NetworkEndpoint;
  /**
   * AWS permissions a client's pods need (a bucket's objects, MSK with IAM auth): the client gets
   * an IAM role for its ServiceAccount (IRSA) with exactly these statements.
   */
  readonly awsAccess?: AwsAccess;
}

/** IAM statements a client's pods are granted through their own ServiceAccount's role (IRSA). */
export interface AwsAccess {
  readonly statements: readonly PolicyStatement[];
}

/** A connection with the client's own environment variable names, e.g. `{ url: "PRIMARY_DB_URL" }`. */
export interface ConnectionUse {
  readonly connection: Connection;
  /** Renames variables: `{ DATABASE_URL: "PRIMARY_DB_URL" }`; a name mapped to `false` is left out. */
  readonly rename?: Readonly<Record<string, string | false>>;
}

export function isConnection(x: unknown): x is Connection {
  return typeof x === "object" && x !== null && "kind" in x && "env" in x && "endpoint" in x && "url" in x;
}

/** The plain and secret env a list of connections gives a client. */
export function connectionEnv(uses: readonly (Connection | ConnectionUse)[]): { env: Record<string, EnvValue>; secretEnv: Record<string, pulumi.Input<string>> } {
  const env: Record<string, EnvValue> = {};
  const secretEnv: Record<string, pulumi.Input<string>> = {};
  for (const use of uses) {
    const c = isConnection(use) ? use : use.connection;
    const rename = isConnection(use) ? {} : (use.rename ?? {});
    for (const [key, value] of Object.entries(c.env)) {
      const name = rename[key] === undefined ? key : rename[key];
      if (name === false) continue;
      if (c.secretEnv.includes(key)) secretEnv[name] = pulumi.secret(value as pulumi.Input<string>);
      else env[name] = value;
    }
  }
  return { env, secretEnv };
}

/**
 * A connection's username or password as an env value: the secret Output where Pulumi knows it,
 * or a Secrets Manager reference where the store keeps it there (RDS). Undefined when it has none.
 */
export function credentialEnv(connection: Connection, field: "username" | "password"): EnvValue | undefined {
  const value = connection[field];
  if (value !== undefined) return value;
  const c = connection.credentials;
  return c ? { secretsManager: { secretId: c.secretId, property: field, ...(c.kmsKeyArn ? { kmsKeyArn: c.kmsKeyArn } : {}) } } : undefined;
}

/** `postgresql://user:password@host:port/db` with the user and password URL-encoded: always a secret Output. */
export function urlWithPassword(scheme: string, user: pulumi.Input<string> | undefined, password: pulumi.Input<string>, host: pulumi.Input<string>, port: number, path = ""): pulumi.Output<string> {
  return pulumi.secret(
    pulumi.all([user ?? "", password, host]).apply(([u, p, h]) => `${scheme}://${u ? `${encodeURIComponent(u)}:` : ":"}${encodeURIComponent(p)}@${h}:${port}${path}`),
  );
}

/** `<service>.<namespace>.svc.cluster.local` */
export function clusterHost(service: pulumi.Input<string>, namespace: pulumi.Input<string>): pulumi.Output<string> {
  return pulumi.interpolate`${service}.${namespace}.svc.cluster.local`;
}

/** The store a connection leads to, for messages: `the connection of "db"`. */
function describeUse(uses: readonly (Connection | ConnectionUse)[], i: number): string {
  const use = uses[i];
  const c = isConnection(use) ? use : use.connection;
  let store: string | undefined;
  try {
    store = c.endpoint?.networkPeer?.name;
  } catch {
    store = undefined;
  }
  return `connections[${i}]${store ? ` (the connection of "${store}")` : ""}`;
}

/**
 * Checks a list of connections: each one a connection, given once, its renames naming variables
 * it sets and valid variable names, and no variable set by two connections. Returns false when
 * the list cannot be used.
 */
export function validateConnections(v: Validator, uses: readonly (Connection | ConnectionUse)[]): boolean {
  let ok = true;
  uses.forEach((use, i) => {
    ok = v.require(isConnection(use) || (typeof use === "object" && use !== null && isConnection(use.connection)), `connections[${i}]`, use, "expected a data component's `connection` (or { connection, rename })") && ok;
  });
  if (!ok) return false;
  const connectionOf = (use: Connection | ConnectionUse) => (isConnection(use) ? use : use.connection);
  for (const d of findDuplicates(uses, connectionOf)) {
    v.fail(`${describeUse(uses, d.index)} is the same connection as connections[${d.first}]; expected each connection once (one { connection, rename } can rename all of its variables)`);
  }
  uses.forEach((use, i) => {
    if (isConnection(use) || use.rename === undefined) return;
    for (const [from, to] of Object.entries(use.rename)) {
      if (!Object.hasOwn(use.connection.env, from)) {
        v.require(false, `connections[${i}].rename`, from, `expected a variable the connection sets: ${Object.keys(use.connection.env).join(", ")}`);
      }
      if (to !== false) {
        const problem = envNameProblem(to);
        if (problem) v.require(false, `connections[${i}].rename.${from}`, to, problem);
      }
    }
  });
  const setBy = new Map<string, number>();
  uses.forEach((use, i) => {
    const rename = isConnection(use) ? {} : (use.rename ?? {});
    for (const key of Object.keys(connectionOf(use).env)) {
      const name = rename[key] === undefined ? key : rename[key];
      if (name === false) continue;
      const first = setBy.get(name);
      if (first !== undefined && first !== i) {
        v.fail(`${describeUse(uses, i)} sets ${name}, which ${describeUse(uses, first)} sets too; expected each variable from one connection (rename one with { connection, rename })`);
      } else setBy.set(name, i);
    }
  });
  return v.valid;
}

/**
 * Merges connections into a client's env args and egress rules. A variable set both by a
 * connection and by `env`/`secretEnv` is an error naming both (the user's value would silently win).
 */
export function applyConnections<T extends { readonly env?: Readonly<Record<string, EnvValue>>; readonly secretEnv?: EnvArgs["secretEnv"] }>(
  v: Validator,
  args: T,
  uses: readonly (Connection | ConnectionUse)[] = [],
): { args: T; allowTo: NetworkRule[] } {
  if (!Array.isArray(uses)) {
    v.require(false, "connections", uses, "expected a list of data components' connections");
    return { args, allowTo: [] };
  }
  if (!validateConnections(v, uses)) return { args, allowTo: [] };
  // Nothing to merge, or env args of the wrong shape (resolveEnv reports them as given: a spread would turn a list into keys).
  const isMap = (x: unknown) => x === undefined || (typeof x === "object" && x !== null && !Array.isArray(x));
  if (uses.length === 0 || !isMap(args.env) || !isMap(args.secretEnv)) return { args, allowTo: [] };
  const fromConnections = connectionEnv(uses);
  uses.forEach((use, i) => {
    const rename = isConnection(use) ? {} : (use.rename ?? {});
    for (const key of Object.keys((isConnection(use) ? use : use.connection).env)) {
      const name = rename[key] === undefined ? key : rename[key];
      if (name === false) continue;
      for (const own of ["env", "secretEnv"] as const) {
        if (Object.hasOwn(args[own] ?? {}, name)) {
          v.fail(`${own}.${name} is also set by ${describeUse(uses, i)}; expected a variable not also set by a connection (rename it with { connection, rename })`);
        }
      }
    }
  });
  const allowTo: NetworkRule[] = uses.map((use) => ({ peer: (isConnection(use) ? use : use.connection).endpoint }));
  return {
    args: { ...args, env: { ...fromConnections.env, ...(args.env ?? {}) }, secretEnv: { ...fromConnections.secretEnv, ...(args.secretEnv ?? {}) } },
    allowTo,
  };
}

/**
 * A bucket in S3-compatible storage that a component writes to (backups, WAL): SeaweedStorage's
 * `bucketTarget(...)`, or any S3 endpoint (then `network` is e.g. `peers.internet()`).
 */
export interface ObjectStoreTarget {
  /** Base URL, path-style: `http://storage-s3.storage.svc.cluster.local:8333` or `https://s3.eu-west-1.amazonaws.com`. */
  readonly endpoint: pulumi.Input<string>;
  readonly bucket: string;
  /** @default "us-east-1" */
  readonly region?: string;
  /** The writer's access key; not set when it writes with its own IAM role (`aws`). */
  readonly accessKeyId?: pulumi.Input<string>;
  /** A secret Output; not set when it writes with its own IAM role (`aws`). */
  readonly secretAccessKey?: pulumi.Input<string>;
  /**
   * An S3 bucket on AWS written with an IAM role for the writer's ServiceAccount (IRSA): no
   * static keys. The writer's role gets exactly `statements`.
   */
  readonly aws?: AwsAccess & { readonly bucketArn: pulumi.Input<string>; readonly kmsKeyArn?: pulumi.Input<string> };
  /** What the writer must reach (the S3 gateway, or addresses outside the cluster). */
  readonly network: NetworkEndpoint | NetworkPeer;
  /** Port of the endpoint, for egress rules. @default the endpoint's own ports, else 443 */
  readonly ports?: readonly { readonly port: number }[];
}
