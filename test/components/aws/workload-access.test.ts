/**
 * A workload's own AWS access on the aws platform: env values from Secrets Manager through the
 * External Secrets Operator, and its connections' IAM statements, on one IRSA role for its own
 * ServiceAccount.
 */
import * as pulumi from "@pulumi/pulumi";
import { ApiService, Connection, fromSecretsManager, peers } from "../../../components";
import { leastPrivilegeProblems } from "../../../components/aws/iam";
import { workloadPolicy } from "../../../components/aws/workload-access";
import { platformProdShape, testAwsSystem } from "../../helpers/aws-system";
import { testPlatform } from "../../helpers/platform";
import { at, synthesize } from "../../helpers/synth";
import { attemptApiService } from "../../helpers/api-service";

const image = "ghcr.io/shop/api:1.4.2";
const SECRET = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/oidc-AbCdEf";
const DB_SECRET = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0-XyZ123";
const KEY = "arn:aws:kms:eu-west-1:123456789012:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";

/** A managed-store-like connection: DATABASE_URL from Secrets Manager, plus a bucket statement. */
function managedConnection(): Connection {
  const host = pulumi.output("shop-db.c9akciq32.eu-west-1.rds.amazonaws.com");
  return {
    kind: "postgres",
    host,
    port: 5432,
    tls: true,
    url: pulumi.output("postgresql://shop@shop-db.c9akciq32.eu-west-1.rds.amazonaws.com:5432/shop?sslmode=require"),
    env: { DATABASE_URL: fromSecretsManager(DB_SECRET, { template: pulumi.interpolate`postgresql://{{ .username | urlquery }}:{{ .password | urlquery }}@${host}:5432/shop?sslmode=require`, kmsKeyArn: KEY }) },
    secretEnv: [],
    endpoint: { networkPeer: { kind: "managed", name: "shop-db", cidrs: ["10.0.208.0/22", "10.0.212.0/22"] }, networkPorts: [{ port: 5432 }] },
    awsAccess: { statements: [{ Sid: "Files", Effect: "Allow", Action: ["s3:GetObject"], Resource: ["arn:aws:s3:::shop-files-123456789012/*"] }] },
  };
}

/** platform-prod's shape with the External Secrets Operator and Reloader installed. */
const withEso = () => ({ ...platformProdShape(), externalSecrets: { namespace: "external-secrets", apiVersion: "external-secrets.io/v1" as const, reloader: true } });

describe("a workload's AWS access", () => {
  it("reads Secrets Manager values through an ExternalSecret in its own namespace, with a role of its own", async () => {
    const s = await synthesize(() => {
      const platform = testAwsSystem({}, withEso());
      new ApiService("api", { platform, image, port: 8080, env: { OIDC_CLIENT_SECRET: fromSecretsManager(SECRET, { property: "client-secret" }) }, connections: [managedConnection()] });
    });
    const store = s.object("SecretStore", "api-aws-secrets");
    expect(store.apiVersion).toBe("external-secrets.io/v1");
    expect(at(store, "spec.provider.aws")).toEqual({ service: "SecretsManager", region: "eu-west-1", auth: { jwt: { serviceAccountRef: { name: "api" } } } });
    const externals = s.all("ExternalSecret");
    expect(externals.map((e) => e.metadata.name).sort()).toEqual(["api-sm-1", "api-sm-2"]);
    const db = externals.find((e) => JSON.stringify(e).includes("DATABASE_URL"))!;
    expect(at(db, "spec.dataFrom")).toEqual([{ extract: { key: DB_SECRET } }]);
    expect(at(db, "spec.refreshInterval")).toBe("5m");
    expect(at(db, "spec.target.template.data.DATABASE_URL")).toBe("postgresql://{{ .username | urlquery }}:{{ .password | urlquery }}@shop-db.c9akciq32.eu-west-1.rds.amazonaws.com:5432/shop?sslmode=require");
    const oidc = externals.find((e) => JSON.stringify(e).includes("OIDC_CLIENT_SECRET"))!;
    expect(at(oidc, "spec.target.template.data.OIDC_CLIENT_SECRET")).toBe('{{ index . "client-secret" }}');
    // The container reads the operator's Secrets; Reloader rolls the Deployment when they change.
    const deployment = s.object("Deployment", "api");
    const env = at(deployment, "spec.template.spec.containers.0.env") as { name: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
    expect(env.find((e) => e.name === "DATABASE_URL")?.valueFrom?.secretKeyRef).toEqual({ name: db.metadata.name, key: "DATABASE_URL" });
    expect(env.find((e) => e.name === "OIDC_CLIENT_SECRET")?.valueFrom?.secretKeyRef).toEqual({ name: oidc.metadata.name, key: "OIDC_CLIENT_SECRET" });
    expect(at(deployment, "metadata.annotations")).toMatchObject({ "secret.reloader.stakater.com/reload": "api-sm-1,api-sm-2" });
    // One role, for exactly this ServiceAccount, reading exactly these secrets.
    const role = s.resource("api-aws-role", "iam/role:Role");
    const trust = JSON.parse(role.inputs.assumeRolePolicy as string);
    expect(trust.Statement[0].Condition.StringEquals).toEqual({ [`${platformProdShape().oidc.issuer}:sub`]: "system:serviceaccount:shop:api", [`${platformProdShape().oidc.issuer}:aud`]: "sts.amazonaws.com" });
    const policy = JSON.parse(s.resource("api-aws-role-policy", "iam/rolePolicy:RolePolicy").inputs.policy as string);
    expect(role.inputs.tags).toMatchObject({ "keel.dev/system": "shop", "keel.dev/platform": "platform-prod" });
    expect(policy.Statement).toEqual([
      { Sid: "Files", Effect: "Allow", Action: ["s3:GetObject"], Resource: ["arn:aws:s3:::shop-files-123456789012/*"] },
      { Sid: "ReadSecrets", Effect: "Allow", Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], Resource: [DB_SECRET, SECRET] },
      { Sid: "DecryptSecrets", Effect: "Allow", Action: "kms:Decrypt", Resource: [KEY], Condition: { StringEquals: { "kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com" } } },
    ]);
    expect(s.object("ServiceAccount", "api").metadata.annotations).toEqual({ "eks.amazonaws.com/role-arn": expect.stringMatching(/^arn:aws:iam::\d{12}:role\//) });
    // The egress to the managed store is the data subnets, on its port.
    const egress = s.all("NetworkPolicy").flatMap((p) => (at(p, "spec.egress") as unknown[] | undefined) ?? []);
    expect(egress).toContainEqual({ to: [{ ipBlock: { cidr: "10.0.208.0/22" } }, { ipBlock: { cidr: "10.0.212.0/22" } }], ports: [{ port: 5432, protocol: "TCP" }] });
    // Nothing of the secrets' values is in the plan: only their ARNs.
    expect(s.written()).not.toMatch(/password=|client-secret"?:\s*"[^{]/);
  });

  it("takes a Secrets Manager value in secretEnv too, the same way", async () => {
    const s = await synthesize(() => {
      new ApiService("api", { platform: testAwsSystem({}, withEso()), image, port: 8080, secretEnv: { STRIPE_KEY: fromSecretsManager(SECRET, { property: "apiKey" }) } });
    });
    expect(at(s.object("ExternalSecret", "api-sm-1"), "spec.target.template.data")).toEqual({ STRIPE_KEY: '{{ index . "apiKey" }}' });
    const env = at(s.object("Deployment", "api"), "spec.template.spec.containers.0.env") as { name: string; valueFrom?: unknown }[];
    expect(env.find((e) => e.name === "STRIPE_KEY")?.valueFrom).toEqual({ secretKeyRef: { name: "api-sm-1", key: "STRIPE_KEY" } });
  });

  it("keeps every statement of the role least-privilege", () => {
    const doc = workloadPolicy({ secrets: { A: { secretId: SECRET, kmsKeyArn: KEY } }, statements: managedConnection().awsAccess!.statements }, "eu-west-1");
    expect(leastPrivilegeProblems(doc)).toEqual([]);
  });

  it("gives a workload without AWS needs no role and no ExternalSecret", async () => {
    const s = await synthesize(() => {
      new ApiService("api", { platform: testAwsSystem(), image, port: 8080, allowTo: [{ peer: peers.internet(), ports: [{ port: 443 }] }] });
    });
    expect(s.all("ExternalSecret")).toEqual([]);
    expect(s.resources.filter((r) => r.type.startsWith("aws:iam"))).toEqual([]);
    expect(s.object("ServiceAccount", "api").metadata.annotations).toBeUndefined();
  });

  it("refuses Secrets Manager values off the aws platform, before registering anything", async () => {
    const { lines, registered } = await attemptApiService({ env: { KEY: fromSecretsManager(SECRET) } });
    expect(lines).toEqual([`ApiService "api": env.KEY is "{ secretsManager }"; expected the aws platform: it reads AWS Secrets Manager, which platform kind "kubernetes" cannot give`]);
    expect(registered).toEqual([]);
  });

  it("refuses a secret named by anything but its full ARN (the reader's policy names exactly that secret)", async () => {
    const { lines, registered } = await attemptApiService({ env: { KEY: fromSecretsManager("shop/stripe", { property: "apiKey" }) } });
    expect(lines).toEqual([
      `ApiService "api": env.KEY.secretsManager.secretId is "shop/stripe"; expected the secret's full ARN, such as "arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/stripe-AbCdEf" (aws secretsmanager describe-secret --secret-id <name> shows it): the reader's IAM policy names exactly that secret`,
      `ApiService "api": env.KEY is "{ secretsManager }"; expected the aws platform: it reads AWS Secrets Manager, which platform kind "kubernetes" cannot give`,
    ]);
    expect(registered).toEqual([]);
  });

  it("refuses a platform without the External Secrets Operator", async () => {
    const { externalSecrets: _, ...older } = platformProdShape();
    let error: unknown;
    await synthesize(() => {
      try {
        new ApiService("api", { platform: testAwsSystem({}, older), image, port: 8080, env: { KEY: fromSecretsManager(SECRET) } });
      } catch (err) {
        error = err;
      }
    });
    expect((error as Error).message).toBe(`ApiService "api": env.KEY is "{ secretsManager }"; expected a platform with the External Secrets Operator: platform "platform-prod" did not install it (AwsPlatform externalSecrets, on by default; a platform stack made by an older keel: run pulumi up on it)`);
  });

  it("refuses a role annotation set by hand next to keel's", async () => {
    let error: unknown;
    await synthesize(() => {
      try {
        new ApiService("api", { platform: testAwsSystem({}, withEso()), image, port: 8080, serviceAccount: { annotations: { "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/mine" } }, env: { KEY: fromSecretsManager(SECRET) } });
      } catch (err) {
        error = err;
      }
    });
    expect((error as Error).message).toBe(`ApiService "api": serviceAccount.annotations.eks.amazonaws.com/role-arn is "arn:aws:iam::123456789012:role/mine"; expected no role annotation: keel gives the ServiceAccount a role of its own for env.KEY (add statements through connections instead)`);
  });

  it("leaves a kubernetes platform's workloads as they were", async () => {
    const s = await synthesize(() => {
      new ApiService("api", { platform: testPlatform(), image, port: 8080 });
    });
    expect(s.all("ExternalSecret")).toEqual([]);
    expect(s.object("Deployment", "api").metadata.annotations).toBeUndefined();
  });
});
