/**
 * What a workload on the aws platform needs from AWS, given as intent: values kept in Secrets
 * Manager (`{ secretsManager }` env values: RDS's rotated credentials, a team's API keys) and IAM
 * permissions its connections ask for (`Connection.awsAccess`: its buckets, MSK with IAM auth).
 *
 * One IAM role per workload, for its own ServiceAccount only (IRSA), holds exactly those
 * permissions. The External Secrets Operator (installed by the platform) reads the secrets with
 * that same role, through a namespaced SecretStore that authenticates as the workload's
 * ServiceAccount (`auth.jwt.serviceAccountRef`), and keeps a Secret per secret in the workload's
 * namespace, refreshed every few minutes. The container reads them through `secretKeyRef`;
 * Reloader rolls the pods when a refresh changes one (a rotation reaches them without a
 * `pulumi up`). No secret value passes through Pulumi.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { AwsAccess, Connection, ConnectionUse } from "../core/connection";
import { isConnection } from "../core/connection";
import type { EnvReference, ResolvedEnv, SecretsManagerReference } from "../core/env";
import type { Validator } from "../core/errors";
import type { Labels } from "../core/labels";
import { childName } from "../core/naming";
import type { Platform } from "../platform/types";
import { PolicyDocument, PolicyStatement, irsaRole } from "./iam";
import { awsTags } from "./tags";

/** The annotation EKS's pod identity webhook reads: the role the ServiceAccount's pods assume. */
export const IRSA_ROLE_ANNOTATION = "eks.amazonaws.com/role-arn";
/** How often the External Secrets Operator re-reads a secret: a rotation reaches the pods within this (plus a rollout). */
export const SECRET_REFRESH_INTERVAL = "5m";
/** Reloader's annotation on the workload: roll it when one of these Secrets changes. */
export const RELOADER_WORKLOAD_ANNOTATION = "secret.reloader.stakater.com/reload";

/** What a workload asks of AWS: env values from Secrets Manager and its connections' IAM statements. */
export interface WorkloadAwsNeeds {
  readonly secrets: Readonly<Record<string, SecretsManagerReference>>;
  readonly statements: readonly PolicyStatement[];
}

/** The secretsManager references among a resolved env's references, by variable name. */
export function awsNeedsOf(env: ResolvedEnv, uses: readonly (Connection | ConnectionUse)[] | undefined): WorkloadAwsNeeds {
  const secrets: Record<string, SecretsManagerReference> = {};
  for (const [name, ref] of Object.entries(env.references)) if ("secretsManager" in ref) secrets[name] = ref.secretsManager;
  const statements: PolicyStatement[] = [];
  for (const use of Array.isArray(uses) ? uses : []) {
    const c = isConnection(use) ? use : use?.connection;
    const access: AwsAccess | undefined = c?.awsAccess;
    if (access) statements.push(...access.statements);
  }
  return { secrets, statements };
}

export function hasAwsNeeds(needs: WorkloadAwsNeeds): boolean {
  return Object.keys(needs.secrets).length > 0 || needs.statements.length > 0;
}

/**
 * Resolve-time: the platform can serve `needs` (aws, attached to an AwsPlatform with the External
 * Secrets Operator for secrets), and the user did not set the role annotation themselves.
 */
export function checkWorkloadAwsNeeds(v: Validator, platform: Platform, needs: WorkloadAwsNeeds, serviceAccountAnnotations: Readonly<Record<string, unknown>> = {}): void {
  const secretNames = Object.keys(needs.secrets).sort();
  if (!hasAwsNeeds(needs)) return;
  const what = secretNames.length > 0 ? `env.${secretNames[0]}` : "connections";
  const why = secretNames.length > 0 ? "reads AWS Secrets Manager" : "need AWS permissions (IAM roles for service accounts)";
  if (platform.kind !== "aws") {
    v.require(false, what, secretNames.length > 0 ? "{ secretsManager }" : "awsAccess", `expected the aws platform: it ${why}, which platform kind "${platform.kind}" cannot give`);
    return;
  }
  const shape = platform.aws.shape;
  if (!shape) {
    v.require(false, what, secretNames.length > 0 ? "{ secretsManager }" : "awsAccess", `expected an aws platform attached to an AwsPlatform (fromStackReference, aws.system() or fromExisting): it ${why}, which needs the cluster's IAM OIDC provider`);
    return;
  }
  if (secretNames.length > 0 && !shape.externalSecrets) {
    v.require(false, what, "{ secretsManager }", `expected a platform with the External Secrets Operator: platform "${shape.name}" did not install it (AwsPlatform externalSecrets, on by default; a platform stack made by an older keel: run pulumi up on it)`);
  }
  if (Object.hasOwn(serviceAccountAnnotations, IRSA_ROLE_ANNOTATION)) {
    v.require(false, `serviceAccount.annotations.${IRSA_ROLE_ANNOTATION}`, serviceAccountAnnotations[IRSA_ROLE_ANNOTATION], `expected no role annotation: keel gives the ServiceAccount a role of its own for ${what} (add statements through connections instead)`);
  }
}

export interface WorkloadAwsAccessContext {
  /** The workload's name: its ServiceAccount's name too. */
  readonly name: string;
  readonly namespace: pulumi.Input<string>;
  readonly labels: Labels;
  /** The system (`app.kubernetes.io/part-of`), for the role's tags. */
  readonly system: string;
  /** Kubernetes options (parent + the cluster's provider). */
  readonly opts: pulumi.CustomResourceOptions;
  readonly platform: Platform;
}

export interface WorkloadAwsAccess {
  /** The role annotation for the workload's ServiceAccount. */
  readonly serviceAccountAnnotations: Readonly<Record<string, pulumi.Input<string>>>;
  /** Reloader's annotation for the workload object. */
  readonly annotations: Readonly<Record<string, string>>;
  /** How the container reads each Secrets Manager value: a key of a Secret the operator keeps. */
  readonly references: Readonly<Record<string, EnvReference>>;
  readonly role: pulumi.Resource;
}

const SM_ACTIONS = ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"];

/** The role's permissions: the connections' statements, reading exactly the referenced secrets, and decrypting with their keys through Secrets Manager only. */
export function workloadPolicy(needs: WorkloadAwsNeeds, region: string): PolicyDocument {
  const refs = Object.values(needs.secrets);
  const secretIds = unique(refs.map((r) => r.secretId));
  const keys = unique(refs.map((r) => r.kmsKeyArn).filter((k): k is pulumi.Input<string> => k !== undefined));
  const statements: PolicyStatement[] = [...needs.statements];
  if (secretIds.length > 0) statements.push({ Sid: "ReadSecrets", Effect: "Allow", Action: SM_ACTIONS, Resource: secretIds });
  if (keys.length > 0) statements.push({ Sid: "DecryptSecrets", Effect: "Allow", Action: "kms:Decrypt", Resource: keys, Condition: { StringEquals: { "kms:ViaService": `secretsmanager.${region}.amazonaws.com` } } });
  return { Version: "2012-10-17", Statement: statements };
}

function unique<T>(values: readonly T[]): T[] {
  const seen = new Set<T>();
  return values.filter((x) => (seen.has(x) ? false : (seen.add(x), true)));
}

/** `{{ .value }}` for a whole secret, `{{ index . "key" }}` for a key of its JSON, or the given template. */
function templateOf(ref: SecretsManagerReference): pulumi.Input<string> {
  if (ref.template !== undefined) return ref.template;
  return ref.property === undefined ? "{{ .value }}" : `{{ index . ${JSON.stringify(ref.property)} }}`;
}

/**
 * Creates the role, the SecretStore and one ExternalSecret per referenced secret (Secret
 * `<workload>-sm-<n>`, a key per variable). Undefined when the workload needs nothing of AWS.
 */
export function createWorkloadAwsAccess(ctx: WorkloadAwsAccessContext, needs: WorkloadAwsNeeds): WorkloadAwsAccess | undefined {
  if (!hasAwsNeeds(needs) || ctx.platform.kind !== "aws" || !ctx.platform.aws.shape) return undefined;
  const aws = ctx.platform.aws;
  const shape = aws.shape!;
  const awsOpts: pulumi.CustomResourceOptions = { parent: ctx.opts.parent, ...(aws.provider ? { provider: aws.provider } : {}) };
  const roleName = childName(ctx.name, "aws-role");
  const { role: iamRole, attachments } = irsaRole(
    roleName,
    { oidcProviderArn: shape.oidc.providerArn, oidcIssuer: shape.oidc.issuer },
    ctx.namespace,
    ctx.name,
    { policy: workloadPolicy(needs, aws.region), partition: partitionOf(shape.oidc.providerArn), tags: awsTags({ "keel.dev/system": ctx.system, "keel.dev/platform": shape.name }, roleName) },
    awsOpts,
  );
  const references: Record<string, EnvReference> = {};
  const secretNames: string[] = [];
  const names = Object.keys(needs.secrets).sort();
  if (names.length > 0) {
    const metadata = { namespace: ctx.namespace, labels: ctx.labels };
    const apiVersion = shape.externalSecrets?.apiVersion ?? "external-secrets.io/v1";
    const storeName = childName(ctx.name, "aws-secrets");
    const store = new k8s.apiextensions.CustomResource(
      storeName,
      {
        apiVersion,
        kind: "SecretStore",
        metadata: { ...metadata, name: storeName },
        spec: { provider: { aws: { service: "SecretsManager", region: aws.region, auth: { jwt: { serviceAccountRef: { name: ctx.name } } } } } },
      },
      { ...ctx.opts, dependsOn: [iamRole, ...attachments] },
    );
    // One ExternalSecret per secret: its keys never collide with another secret's.
    const bySecret = new Map<pulumi.Input<string>, string[]>();
    for (const name of names) bySecret.set(needs.secrets[name].secretId, [...(bySecret.get(needs.secrets[name].secretId) ?? []), name]);
    [...bySecret.entries()].forEach(([secretId, vars], i) => {
      const target = childName(ctx.name, `sm-${i + 1}`);
      secretNames.push(target);
      const whole = vars.some((n) => needs.secrets[n].property === undefined && needs.secrets[n].template === undefined);
      const json = vars.some((n) => needs.secrets[n].property !== undefined || needs.secrets[n].template !== undefined);
      new k8s.apiextensions.CustomResource(
        target,
        {
          apiVersion,
          kind: "ExternalSecret",
          metadata: { ...metadata, name: target },
          spec: {
            refreshInterval: SECRET_REFRESH_INTERVAL,
            secretStoreRef: { kind: "SecretStore", name: storeName },
            target: {
              name: target,
              creationPolicy: "Owner",
              deletionPolicy: "Retain",
              template: {
                engineVersion: "v2",
                metadata: { labels: ctx.labels },
                data: Object.fromEntries(vars.map((n) => [n, templateOf(needs.secrets[n])])),
              },
            },
            ...(whole ? { data: [{ secretKey: "value", remoteRef: { key: secretId } }] } : {}),
            ...(json ? { dataFrom: [{ extract: { key: secretId } }] } : {}),
          },
        },
        { ...ctx.opts, dependsOn: [store] },
      );
      for (const n of vars) references[n] = { secretKeyRef: { name: target, key: n } };
    });
  }
  return {
    serviceAccountAnnotations: { [IRSA_ROLE_ANNOTATION]: iamRole.arn },
    annotations: secretNames.length > 0 ? { [RELOADER_WORKLOAD_ANNOTATION]: secretNames.join(",") } : {},
    references,
    role: iamRole,
  };
}

/** The partition of an ARN (`arn:<partition>:...`). */
function partitionOf(arn: pulumi.Input<string>): pulumi.Output<string> {
  return pulumi.output(arn).apply((a) => a.split(":")[1] ?? "aws");
}
