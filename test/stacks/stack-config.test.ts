import * as fs from "fs";
import * as path from "path";
import { readStackFile } from "../../offline/project";
import { BLUEPRINT_KEYS, BOOKWORM_SECTION, COMPOSERP_SECTION, REQ1_SECTION, StackConfig, TODO_SECTION, VIBEBOX_SECTION, stackConfigProblems } from "../../stacks/config";

import { ROOT, devConfig, read } from "./stack-harness";

const KNOWN = "known keys: keel:blueprint, keel:platform, keel:environment, keel:kubernetes, keel:aws, keel:req1, keel:req1OidcClientSecret, keel:slackWebhookUrl, keel:pagerdutyRoutingKey";

describe("stack config: unknown and misspelled keys", () => {
  it("the dev and prod stack files pass", async () => {
    expect(((await read(devConfig())) as StackConfig).environment.name).toBe("dev");
    const { config } = readStackFile({ dir: ROOT, name: "keel", main: path.join(ROOT, "index.ts") }, "prod");
    expect(((await read(config)) as StackConfig).environment.name).toBe("prod");
  });

  it("a misspelled top-level key is an error naming the key, with did-you-mean; it never falls back silently", async () => {
    expect(await read(devConfig({ "keel:environment": undefined, "keel:enviroment": "prod" }))).toEqual([
      `stack config keel:enviroment is "prod"; not a key keel reads (${KNOWN}) (did you mean "keel:environment"?)`,
    ]);
    expect(await read(devConfig({ "keel:slackWebhookURL": "[secret]" }))).toEqual([
      `stack config keel:slackWebhookURL is [secret]; not a key keel reads (${KNOWN}) (did you mean "keel:slackWebhookUrl"?)`,
    ]);
  });

  it("an unknown key with nothing close: no suggestion", async () => {
    expect(await read(devConfig({ "keel:replicas": "3" }))).toEqual([`stack config keel:replicas is "3"; not a key keel reads (${KNOWN})`]);
  });

  it("inside keel:kubernetes: the shape of KubernetesPlatformArgs without system", async () => {
    const kubernetes = { contxt: "prod", system: "other", cluster: { distribution: "kind", netwrkPolicyEnforced: true }, createIssuer: { type: "acme", email: 3 } };
    expect(await read(devConfig({ "keel:kubernetes": JSON.stringify(kubernetes) }))).toEqual([
      expect.stringMatching(/^stack config keel:kubernetes\.contxt is an unknown key; expected one of kubeconfig, context, .* \(did you mean "context"\?\)$/),
      expect.stringMatching(/^stack config keel:kubernetes\.system is an unknown key; expected one of kubeconfig, context, namespaces, /),
      'stack config keel:kubernetes.cluster.netwrkPolicyEnforced is an unknown key; expected one of distribution, apiServer, networkPolicyEnforced, storageClasses, issuers, podCidrs, metricsApis, installed (did you mean "networkPolicyEnforced"?)',
      "stack config keel:kubernetes.createIssuer.email is 3; expected a string",
    ]);
  });

  it("inside a blueprint's section: a key valid at the top is not honoured there", async () => {
    const req1 = { image: "ghcr.io/req1/req1:0.4.2", host: "req1.dev.example.com", oidcIssuer: "https://idp.example.com", environment: "prod", grafanahost: "g.example.com" };
    expect(await read(devConfig({ "keel:req1": JSON.stringify(req1) }))).toEqual([
      "stack config keel:req1.environment is an unknown key; expected one of image, host, oidcIssuer, grafanaHost, slackChannel, noAlertReceiverReason",
      'stack config keel:req1.grafanahost is an unknown key; expected one of image, host, oidcIssuer, grafanaHost, slackChannel, noAlertReceiverReason (did you mean "grafanaHost"?)',
    ]);
  });

  it("wrong shapes: an object key given a scalar, a required field missing, a nested secret", async () => {
    expect(await read(devConfig({ "keel:kubernetes": "kind-keel" }))).toEqual(['stack config keel:kubernetes is "kind-keel"; expected an object']);
    expect(await read(devConfig({ "keel:req1": JSON.stringify({ image: "a/b:1", host: "h" }) }))).toEqual(["stack config keel:req1.oidcIssuer is undefined; expected a string (required)"]);
    // `pulumi config set --secret --path keel:kubernetes.kubeconfig`: a string once decrypted.
    expect(await read(devConfig({ "keel:kubernetes": JSON.stringify({ kubeconfig: { secure: "v1:abc" } }) }))).not.toBeInstanceOf(Array);
  });

  it("a secret value (decrypted under the Pulumi CLI) is never shown", async () => {
    const hook = "https://hooks.slack.com/services/T0/B0/secret";
    expect(await read(devConfig({ "keel:slackWebhookURL": hook }), ["keel:slackWebhookURL"])).toEqual([
      `stack config keel:slackWebhookURL is [secret]; not a key keel reads (${KNOWN}) (did you mean "keel:slackWebhookUrl"?)`,
    ]);
    expect(await read(devConfig({ "keel:kubernetes": JSON.stringify({ kubeconfig: 12345 }) }), ["keel:kubernetes"])).toEqual(["stack config keel:kubernetes.kubeconfig is [secret]; expected a string or an Output"]);
  });

  it("keys of other namespaces are left alone", () => {
    expect(stackConfigProblems({ "keel:blueprint": "req1", "kubernetes:context": "x", "aws:region": "eu-west-1", "pulumi:template": "t" })).toEqual([]);
  });

  it("every problem at once, sorted by key", () => {
    expect(stackConfigProblems({ "keel:blueprint": "req1", "keel:zz": "1", "keel:aa": "2" }).map((p) => p.split(" is ")[0])).toEqual(["stack config keel:aa", "stack config keel:zz"]);
  });

  /** The section keys and top-level keys a source file reads. */
  const keysRead = (source: string, blueprint: string) => ({
    section: new Set([...source.matchAll(new RegExp(`requireString\\(settings, "${blueprint}", "(\\w+)"\\)`, "g")), ...source.matchAll(/settings\.(\w+)/g)].map((m) => m[1])),
    top: new Set([...source.matchAll(/stack\.config\.\w+(?:<.*?>)?\("(\w+)"\)/g), ...source.matchAll(/config\.getSecret\("(\w+)"\)/g)].map((m) => m[1])),
  });
  const observability = keysRead(fs.readFileSync(path.join(ROOT, "stacks/observability.ts"), "utf8"), "");

  it.each([
    ["req1", REQ1_SECTION, ["stacks/req1.ts"]],
    ["bookworm", BOOKWORM_SECTION, ["stacks/bookworm/index.ts", "stacks/bookworm/data.ts", "stacks/bookworm/services.ts"]],
    ["todo", TODO_SECTION, ["stacks/todo.ts"]],
    ["composerp", COMPOSERP_SECTION, ["stacks/composerp/index.ts"]],
    ["vibebox", VIBEBOX_SECTION, ["stacks/vibebox/index.ts", "stacks/vibebox/profiles.ts", "stacks/vibebox/capacity.ts"]],
  ] as const)("the declared %s keys are exactly those the blueprint reads, its alerting keys through stacks/observability.ts", (blueprint, section, files) => {
    const source = files.map((f) => fs.readFileSync(path.join(ROOT, f), "utf8")).join("\n");
    // The blueprint hands its own section to the shared observability stack, which reads the alerting keys.
    expect(source).toMatch(/blueprintObservability\(stack, platform, \{[^}]*section: settings/);
    const own = keysRead(source, blueprint);
    expect([...new Set([...own.section, ...observability.section])].sort()).toEqual(Object.keys((section as { o: object }).o).sort());
    expect([...new Set([...own.top, ...observability.top])].sort()).toEqual(Object.keys(BLUEPRINT_KEYS[blueprint]).sort());
  });

  it("stacks/observability.ts reads the alerting keys and the receivers' secrets, nothing else", () => {
    expect([...observability.section].sort()).toEqual(["grafanaHost", "noAlertReceiverReason", "slackChannel"]);
    expect([...observability.top].sort()).toEqual(["pagerdutyRoutingKey", "slackWebhookUrl"]);
  });
});
