/**
 * The S3 gateway's identities: admin, readonly, a writer per targeted bucket (`bucketTarget`) and one per
 * client (`clientConnection`, `bucketConnection`), each with generated keys in a Secret of its
 * own and actions scoped `Action:bucket`. Clients are added after the store is constructed, so
 * the identities file (`s3.json`) is written once the block that created the store has run: a
 * client added later (after an `await`) is an error rather than an identity the gateway lacks.
 */
import * as crypto from "crypto";
import * as pulumi from "@pulumi/pulumi";
import { Validator } from "../core/errors";
import { childName, isDnsLabel } from "../core/naming";
import type { Labels } from "../core/labels";
import { generatedPassword, namedSecret } from "../workload/data-store";
import { S3Action, S3Identity, S3_CLIENT_ACTIONS, s3Config, scopedActions } from "./config";
import type { ResolvedSeaweed } from "./resolve";

export interface SeaweedCredentials {
  readonly accessKeyId: pulumi.Output<string>;
  readonly secretAccessKey: pulumi.Output<string>;
  /** The Secret (keys `access-key-id`, `secret-access-key`) in the store's namespace. */
  readonly secretName: pulumi.Output<string>;
}

/** A client's own identity: which buckets, which actions. */
export interface SeaweedClientArgs {
  /** Names the identity and its Secret `<store>-s3-<name>`, e.g. the client's name. */
  readonly name: string;
  /** Buckets declared in the store's `buckets`. */
  readonly buckets: readonly string[];
  /** On each of those buckets: Read (get, head), Write (put, copy, multipart, delete), List, Tagging. */
  readonly actions: readonly S3Action[];
}

interface Entry {
  readonly name: string;
  readonly actions: readonly string[];
  readonly credentials: SeaweedCredentials;
  /** For clients: what they were defined with (the same definition twice gives the same identity). */
  readonly definition?: string;
}

const RESERVED = ["admin", "readonly"];

export class SeaweedIdentities {
  private readonly entries: Entry[] = [];
  private readonly keys = new Map<string, [pulumi.Output<string>, pulumi.Output<string>]>();
  private sealed = false;
  /** The gateway's `s3.json` (secret), written once the constructing block has run. */
  readonly config: pulumi.Output<string>;
  /** A digest of the identities' names and actions (no secrets): rolls the gateway when they change. */
  readonly digest: pulumi.Output<string>;

  constructor(
    private readonly parent: pulumi.Resource,
    private readonly r: ResolvedSeaweed,
    private readonly labels: Labels,
  ) {
    // Names and actions only: an Output inside would make the digest secret too.
    const sealed = new Promise<readonly (readonly [string, readonly string[]])[]>((resolve) =>
      setImmediate(() => {
        this.sealed = true;
        resolve(this.entries.map((e) => [e.name, e.actions] as const));
      }),
    );
    const all = pulumi.output(sealed);
    this.config = pulumi.secret(
      all.apply((entries) =>
        pulumi.all(entries.map(([name]) => pulumi.all(this.keys.get(name) as [pulumi.Output<string>, pulumi.Output<string>]))).apply((keys) =>
          s3Config(entries.map(([name, actions], n): S3Identity => ({ name, accessKey: keys[n][0], secretKey: keys[n][1], actions }))),
        ),
      ),
    );
    this.digest = all.apply((entries) => crypto.createHash("sha256").update(JSON.stringify(entries)).digest("hex").slice(0, 16));
  }

  /** Adds an identity with generated keys in Secret `<store>-s3-<name>`. */
  add(name: string, actions: readonly string[], definition?: string): SeaweedCredentials {
    if (this.sealed) {
      throw new Error(`SeaweedStorage "${this.r.name}": the S3 identity "${name}" came after the gateway's identities were written; create client connections in the same synchronous block as the store (before any await)`);
    }
    const accessKey = generatedPassword(this.parent, this.r, `${name}-access-key`, 20).apply((k) => k.toUpperCase());
    const secretKey = generatedPassword(this.parent, this.r, `${name}-secret-key`, 40);
    this.keys.set(name, [accessKey, secretKey]);
    const secret = namedSecret(this.parent, this.r.target, childName(this.r.name, `s3-${name}`), this.r.namespace, this.labels, { "access-key-id": accessKey, "secret-access-key": secretKey }, this.r.protect);
    const credentials = { accessKeyId: pulumi.secret(accessKey), secretAccessKey: secretKey, secretName: secret.metadata.name };
    this.entries.push({ name, actions, credentials, definition });
    return credentials;
  }

  /** The backup writer of `bucket` (Read, Write, List there; no Tagging), made on first use. */
  writer(bucket: string): SeaweedCredentials {
    const name = `${bucket}-writer`;
    return this.entries.find((e) => e.name === name)?.credentials ?? this.add(name, scopedActions(["Read", "Write", "List"], [bucket]));
  }

  /** A client identity scoped to its buckets; the same definition again returns the same one. */
  client(c: SeaweedClientArgs, field: string): SeaweedCredentials {
    const v = new Validator("SeaweedStorage", this.r.name);
    const name = c?.name;
    const taken = typeof name === "string" && (RESERVED.includes(name) || this.r.buckets.some((b) => name === `${b}-writer`));
    v.require(typeof name === "string" && isDnsLabel(childName(this.r.name, `s3-${name}`)) && !taken, `${field}.name`, name, taken ? "expected a name that is not one of keel's identities (admin, readonly, <bucket>-writer)" : "expected lowercase letters, digits and '-' (it names the Secret <store>-s3-<name>, at most 63 characters)");
    const buckets = Array.isArray(c?.buckets) ? c.buckets : [];
    v.require(buckets.length > 0, `${field}.buckets`, c?.buckets, "expected at least one bucket");
    for (const b of buckets) v.require(this.r.buckets.includes(b), `${field}.buckets`, b, `expected a bucket declared in buckets (${this.r.buckets.map((x) => JSON.stringify(x)).join(", ") || "none"})`);
    v.require(new Set(buckets).size === buckets.length, `${field}.buckets`, buckets, "expected each bucket once");
    const actions = Array.isArray(c?.actions) ? c.actions : [];
    v.require(actions.length > 0 && actions.every((a) => (S3_CLIENT_ACTIONS as readonly string[]).includes(a)), `${field}.actions`, c?.actions, `expected some of ${S3_CLIENT_ACTIONS.join(", ")} (Admin stays with the store's admin connection)`);
    v.throwIfInvalid();
    const definition = JSON.stringify([[...buckets].sort(), [...actions].sort()]);
    const existing = this.entries.find((e) => e.name === name);
    if (existing) {
      v.require(existing.definition === definition, `${field}.name`, name, "expected one definition per identity: this name was already given other buckets or actions");
      v.throwIfInvalid();
      return existing.credentials;
    }
    return this.add(name, scopedActions(actions, buckets), definition);
  }
}
