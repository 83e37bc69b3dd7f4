import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { keel } from "../helpers/cli";
import { StackConfig, oidcIssuerProblem } from "../../stacks/config";

import { ROOT, devConfig, read } from "./stack-harness";

function withIssuer(oidcIssuer: string): Record<string, string> {
  const req1 = JSON.parse(devConfig()["keel:req1"]) as Record<string, unknown>;
  return devConfig({ "keel:req1": JSON.stringify({ ...req1, oidcIssuer }) });
}

const ISSUER = 'expected the identity provider\'s issuer: an https:// URL with a host (and optional port and path), no user or password, query, fragment, quotes, backslashes, whitespace or control characters, such as "https://idp.example.com/realms/req1"';

describe("stack config: keel:req1.oidcIssuer", () => {
  it("refuses anything but an https issuer URL", async () => {
    for (const issuer of ["http://idp.example.com", "idp", 'https://idp.example.com/"\n$(id)', "https://user:pw@idp.example.com", "https://idp.example.com/?x=1", "https://idp.example.com/'"]) {
      expect(await read(withIssuer(issuer))).toEqual([`stack config keel:req1.oidcIssuer is ${JSON.stringify(issuer)}; ${ISSUER}`]);
    }
    expect(((await read(withIssuer("https://idp.example.com/realms/req1"))) as StackConfig).environment.name).toBe("dev");
    expect(oidcIssuerProblem("https://idp.example.com:8443/realms/req1")).toBeUndefined();
  });
});

describe("stack config: types of the values keel reads as strings", () => {
  it("refuses an object or a list where a string is expected", async () => {
    expect(await read(devConfig({ "keel:pagerdutyRoutingKey": JSON.stringify({ a: 1 }) }), ["keel:pagerdutyRoutingKey"])).toEqual(["stack config keel:pagerdutyRoutingKey is [secret]; expected a string"]);
    expect(await read(devConfig({ "keel:environment": JSON.stringify(["dev"]) }))).toEqual(["stack config keel:environment is a list; expected a string"]);
  });
});

describe("stack config: secrets set in plain text", () => {
  it("refuses each secret key keel reads when it is not marked secret, with the command to set it", async () => {
    for (const key of ["keel:req1OidcClientSecret", "keel:slackWebhookUrl", "keel:pagerdutyRoutingKey"]) {
      const lines = await read(devConfig({ [key]: "plain-value-123" }));
      expect(lines).toEqual([
        `stack config ${key} is set in plain text (value not shown); expected a secret: pulumi config set --secret ${key} <value> (plain text sits unencrypted in Pulumi.<stack>.yaml; with --stack-config give it as { "secret": "..." })`,
      ]);
      expect(JSON.stringify(lines)).not.toContain("plain-value-123");
      expect(((await read(devConfig({ [key]: "plain-value-123" }), [key])) as StackConfig).environment.name).toBe("dev");
    }
  });
});

describe("stack config: keel:kubernetes.namespaces", () => {
  it("refuses a system namespace given through the stack config: exit 1, nothing written", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "keel-redteam-"));
    fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    fs.writeFileSync(path.join(dir, "index.ts"), `export * from ${JSON.stringify(path.join(ROOT, "index"))};\n`);
    fs.writeFileSync(path.join(dir, "Pulumi.sys.yaml"), "config:\n  keel:blueprint: req1\n  keel:environment: dev\n  keel:kubernetes:\n    cluster:\n      distribution: kind\n    createIssuer:\n      type: self-signed-ca\n    namespaces:\n      app: default\n  keel:req1:\n    image: ghcr.io/req1/req1:0.4.2\n    host: req1.example.com\n    oidcIssuer: https://idp.example.com\n");
    fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"));
    try {
      const r = keel(["synth", "--stack", "sys", "--dir", dir]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('KubernetesPlatform "req1": namespaces.app is "default"; expected a namespace of your own: "default" and every "kube-*" namespace belong to Kubernetes');
      expect(fs.existsSync(path.join(dir, "out", "sys"))).toBe(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
