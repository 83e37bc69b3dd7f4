import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ApiService, StatefulService } from "../../../components";
import { refuseSecretValues, resolveEnv } from "../../../components/core/env";
import { Validator } from "../../../components/core/errors";
import { ROOT, keel } from "../../helpers/cli";
import { integrityProblems } from "../../helpers/integrity";
import { testPlatform } from "../../helpers/platform";
import { Synthesized, at, synthesize } from "../../helpers/synth";

const image = "ghcr.io/shop/api:1.4.2";
const SECRET = "s3cr3t-routed-value-never-plain";

type Obj = Record<string, unknown>;

function envOf(s: Synthesized, kind = "Deployment", name = "api"): Obj[] {
  return at(s.object(kind, name), "spec.template.spec.containers.0.env") as Obj[];
}

function named(s: Synthesized, kind: string, prefix: string) {
  const found = s.all(kind).filter((o) => o.metadata.name.startsWith(prefix));
  if (found.length !== 1) throw new Error(`expected one ${kind} ${prefix}*, found ${found.length}`);
  return found[0];
}

/** Every ConfigMap's data and every object's annotations and labels, as text. */
function plainText(s: Synthesized): string {
  return JSON.stringify(s.objects.map((o) => [o.kind === "ConfigMap" ? (o as Obj).data : null, o.metadata.annotations, o.metadata.labels, at(o, "spec.template.metadata")]));
}

/** The recorded (wire) inputs of every Secret, secrets still marked. */
function secretInputs(s: Synthesized): string {
  return JSON.stringify(s.resources.filter((r) => r.type === "kubernetes:core/v1:Secret").map((r) => r.inputs));
}

describe("secrets given where plain values go", () => {
  it("routes a secret Output given as a plain env value to the Secret, read through secretKeyRef", async () => {
    const s = await synthesize(() => {
      const token = pulumi.secret(SECRET);
      new ApiService("api", {
        platform: testPlatform(),
        image,
        env: { LOG_LEVEL: "info", API_TOKEN: token, DSN: pulumi.interpolate`postgres://app:${token}@db:5432/app`, REGION: pulumi.output("eu-west-1") },
      });
    });
    const configMap = named(s, "ConfigMap", "api-env-");
    const secret = named(s, "Secret", "api-env-");
    expect(at(configMap, "data")).toEqual({ LOG_LEVEL: "info", REGION: "eu-west-1" });
    expect(at(secret, "stringData")).toEqual({ API_TOKEN: "[secret]", DSN: "[secret]" });
    expect(envOf(s)).toEqual([
      { name: "API_TOKEN", valueFrom: { secretKeyRef: { name: secret.metadata.name, key: "API_TOKEN" } } },
      { name: "DSN", valueFrom: { secretKeyRef: { name: secret.metadata.name, key: "DSN" } } },
      { name: "LOG_LEVEL", valueFrom: { configMapKeyRef: { name: configMap.metadata.name, key: "LOG_LEVEL" } } },
      { name: "REGION", valueFrom: { configMapKeyRef: { name: configMap.metadata.name, key: "REGION" } } },
    ]);
    expect(s.written()).not.toContain(SECRET);
    expect(plainText(s)).not.toContain("[secret]");
    // The value is in the Secret on the wire (marked secret), and in no ConfigMap.
    expect(secretInputs(s)).toContain(SECRET);
    expect(JSON.stringify(s.resources.filter((r) => r.type === "kubernetes:core/v1:ConfigMap").map((r) => r.inputs))).not.toContain(SECRET);
    expect(integrityProblems(s.objects)).toEqual([]);
  });

  it("keeps the objects and variables the same whatever the secretness: only where each key lands differs", async () => {
    const run = (value: pulumi.Output<string>) =>
      synthesize(() => {
        new ApiService("api", { platform: testPlatform(), image, env: { VALUE: value } });
      });
    const plain = await run(pulumi.output("not-a-secret"));
    const secret = await run(pulumi.secret(SECRET));
    const kinds = (s: Synthesized) => s.resources.map((r) => `${r.type} ${r.name}`).sort();
    expect(kinds(secret)).toEqual(kinds(plain));
    expect(at(named(plain, "ConfigMap", "api-env-"), "data")).toEqual({ VALUE: "not-a-secret" });
    expect(at(named(plain, "Secret", "api-env-"), "stringData")).toEqual({});
    expect(at(named(secret, "ConfigMap", "api-env-"), "data")).toEqual({});
    expect(at(named(secret, "Secret", "api-env-"), "stringData")).toEqual({ VALUE: "[secret]" });
    expect(envOf(plain)[0]).toEqual({ name: "VALUE", valueFrom: { configMapKeyRef: { name: named(plain, "ConfigMap", "api-env-").metadata.name, key: "VALUE" } } });
    expect(envOf(secret)[0]).toEqual({ name: "VALUE", valueFrom: { secretKeyRef: { name: named(secret, "Secret", "api-env-").metadata.name, key: "VALUE" } } });
    expect(integrityProblems(plain.objects)).toEqual([]);
    expect(integrityProblems(secret.objects)).toEqual([]);
  });

  it("mounts a file whose content is a secret Output from the Secret volume, even without secret: true", async () => {
    const s = await synthesize(() => {
      new ApiService("api", {
        platform: testPlatform(),
        image,
        files: {
          "/etc/api/config.yaml": { content: "level: info\n" },
          "/etc/api/key.pem": { content: pulumi.secret(SECRET) },
          "/etc/api/hosts": { content: pulumi.output("db:5432\n") },
        },
      });
    });
    const pod = at(s.object("Deployment", "api"), "spec.template.spec") as Obj;
    expect(at(pod, "containers.0.volumeMounts")).toEqual([
      { name: "tmp", mountPath: "/tmp" },
      { name: "files", mountPath: "/etc/api/config.yaml", subPath: "etc-api-config.yaml", readOnly: true },
      { name: "files", mountPath: "/etc/api/hosts", subPath: "etc-api-hosts", readOnly: true },
      { name: "secret-files", mountPath: "/etc/api/key.pem", subPath: "etc-api-key.pem", readOnly: true },
    ]);
    expect(at(named(s, "ConfigMap", "api-files-"), "data")).toEqual({ "etc-api-config.yaml": "level: info\n", "etc-api-hosts": "db:5432\n" });
    const secret = named(s, "Secret", "api-secret-files-");
    expect(at(secret, "stringData")).toEqual({ "etc-api-key.pem": "[secret]" });
    expect(pod.volumes).toContainEqual({ name: "secret-files", secret: { secretName: secret.metadata.name, defaultMode: 0o440 } });
    expect(s.written()).not.toContain(SECRET);
    expect(plainText(s)).not.toContain("[secret]");
    expect(integrityProblems(s.objects)).toEqual([]);
  });

  it("routes the same way for a StatefulService", async () => {
    const s = await synthesize(() => {
      new StatefulService("mq", {
        platform: testPlatform(),
        image: "rabbitmq:3.13.7-management-alpine",
        ports: [{ name: "amqp", port: 5672 }],
        volumes: [{ name: "data", mountPath: "/var/lib/rabbitmq", size: "1Gi" }],
        env: { RABBITMQ_DEFAULT_PASS: pulumi.secret(SECRET), RABBITMQ_DEFAULT_USER: "app" },
      });
    });
    const secret = named(s, "Secret", "mq-env-");
    expect(at(secret, "stringData")).toEqual({ RABBITMQ_DEFAULT_PASS: "[secret]" });
    expect(at(named(s, "ConfigMap", "mq-env-"), "data")).toEqual({ RABBITMQ_DEFAULT_USER: "app" });
    expect(envOf(s, "StatefulSet", "mq")).toContainEqual({ name: "RABBITMQ_DEFAULT_PASS", valueFrom: { secretKeyRef: { name: secret.metadata.name, key: "RABBITMQ_DEFAULT_PASS" } } });
    expect(s.written()).not.toContain(SECRET);
  });
});

describe("secret Outputs checked when they resolve (metadata, webhooks)", () => {
  const annotated = (annotations: Record<string, pulumi.Input<string>>) => () => {
    new k8s.core.v1.ConfigMap("note", { metadata: { name: "note", annotations: refuseSecretValues("ApiService", "api", "podAnnotations", annotations) }, data: {} });
  };

  it("fails the deployment with a field message when a value is a secret Output, without showing it", () => {
    // Through the CLI: the refusal rejects the object's registration, which fails the program.
    const r = keel(["synth", "--stack", "test", "--dir", path.join(ROOT, "test", "fixtures", "secret-metadata"), "--out", fs.mkdtempSync(path.join(os.tmpdir(), "keel-sm-"))]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'ApiService "api": podAnnotations.link is a secret Output; expected a value that is not secret: podAnnotations are stored and shown in plain text (pass a secret through secretEnv, or a file with secret: true)',
    );
    expect(r.stdout + r.stderr).not.toContain("s3cr3t-annotation-never-shown");
  });

  it("checks a secret Slack webhook given as an Output when it resolves, without showing it", () => {
    const r = keel(["synth", "--stack", "test", "--dir", path.join(ROOT, "test", "fixtures", "secret-webhook"), "--out", fs.mkdtempSync(path.join(os.tmpdir(), "keel-sw-"))]);
    expect(r.code).toBe(1);
    // One line, as for a check made before deploying (no "error serializing property" prefix of the SDK).
    expect(r.stderr.trim()).toBe('keel synth: ObservabilityStack "obs": alertmanager.slack.webhookUrl is not an https:// URL; expected the Slack incoming-webhook URL (value not shown: it is a secret)');
    expect(r.stdout + r.stderr).not.toContain("s3cr3t-webhook-path");
  });

  it("passes strings and Outputs that are not secret unchanged", async () => {
    const s = await synthesize(annotated({ team: "shop", role: pulumi.output("arn:aws:iam::123456789012:role/api") }));
    expect(s.object("ConfigMap", "note").metadata.annotations).toEqual({ team: "shop", role: "arn:aws:iam::123456789012:role/api" });
  });
});

describe("resolveEnv value types", () => {
  const problems = (args: Parameters<typeof resolveEnv>[1]) => {
    const v = new Validator("ApiService", "api");
    resolveEnv(v, args);
    try {
      v.throwIfInvalid();
      return "";
    } catch (e) {
      return (e as Error).message;
    }
  };

  it.each([
    ["a number", { PORT: 8080 }, "8080"],
    ["a boolean", { DEBUG: true }, "true"],
    ["null", { X: null }, "null"],
    ["an array", { X: ["a"] }, '["a"]'],
  ])("refuses %s as an env value", (_, env, shown) => {
    const [name] = Object.keys(env);
    expect(problems({ env: env as never })).toBe(`ApiService "api": env.${name} is ${shown}; expected a string, an Output or a reference such as { secretKeyRef: { name, key } } (numbers and booleans must be quoted)`);
  });

  it("refuses a file content or secret flag of the wrong type", () => {
    expect(problems({ files: { "/etc/a": { content: 42 as never }, "/etc/b": { content: "x", secret: "yes" as never } } })).toBe(
      ['ApiService "api": files./etc/a.content is 42; expected a string or an Output', 'ApiService "api": files./etc/b.secret is "yes"; expected true or false'].join("\n"),
    );
  });

  it("never shows a secret value it refuses", () => {
    expect(problems({ secretEnv: { PIN: 123456 as never, KEY: { value: "zz-top-secret" } as never }, files: { "/etc/k": { content: 987654 as never, secret: true } } })).toBe(
      [
        'ApiService "api": secretEnv.PIN is a number; expected a string, a secret Output or fromSecretsManager(...) (value not shown: it is a secret)',
        'ApiService "api": secretEnv.KEY is an object; expected a string, a secret Output or fromSecretsManager(...) (value not shown: it is a secret)',
        'ApiService "api": files./etc/k.content is a number; expected a string or an Output (value not shown: the file is secret)',
      ].join("\n"),
    );
  });

  it("accepts strings, Outputs, promises and references", () => {
    expect(problems({ env: { A: "1", B: pulumi.output("2"), C: Promise.resolve("3"), D: { fieldPath: "status.podIP" } }, secretEnv: { E: pulumi.secret("x") } })).toBe("");
  });
});
