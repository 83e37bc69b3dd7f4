#!/usr/bin/env node
/**
 * Writes stack-refs/organization/keel/<stack>.json for every platform stack of this project
 * (Pulumi.<stack>.yaml with keel:blueprint platform): the outputs its systems read through a
 * StackReference offline, `platform` from `keel synth --stack <stack>` and a placeholder
 * kubeconfig (secret). test/offline/stack-refs-keel.test.ts keeps the files equal to what synth gives.
 *
 *   npm run stack-refs:update
 */
const { execFileSync } = require("child_process");
const fs = require("fs");
const path = require("path");

const ROOT = path.resolve(__dirname, "..");

/** The kubeconfig a platform stack would export (its exec user runs `aws eks get-token`); offline it is never used to connect. */
function placeholderKubeconfig(stack, region) {
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: stack, cluster: { server: `https://EXAMPLE0123456789ABCDEF0123456789.gr7.${region}.eks.amazonaws.com`, "certificate-authority-data": "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==" } }],
    contexts: [{ name: stack, context: { cluster: stack, user: stack } }],
    "current-context": stack,
    users: [{ name: stack, user: { exec: { apiVersion: "client.authentication.k8s.io/v1beta1", command: "aws", args: ["eks", "get-token", "--cluster-name", stack, "--region", region] } } }],
  });
}

/** The stack-refs file of a platform stack, from its synthesized plan (under `outDir`, keel synth's --out). */
function stackRefsFile(stack, outDir = path.join(ROOT, "out")) {
  const plan = JSON.parse(fs.readFileSync(path.join(outDir, stack, "plan.json"), "utf8"));
  const platform = plan.outputs.platform;
  return `${JSON.stringify({ platform, kubeconfig: { secret: placeholderKubeconfig(stack, platform.region) } }, null, 2)}\n`;
}

function platformStacks() {
  return fs
    .readdirSync(ROOT)
    .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f))
    .filter((m) => m && /^\s*keel:blueprint:\s*platform\s*$/m.test(fs.readFileSync(path.join(ROOT, m[0]), "utf8")))
    .map((m) => m[1]);
}

module.exports = { platformStacks, stackRefsFile, STACK_REFS: path.join(ROOT, "stack-refs", "organization", "keel") };

if (require.main === module) {
  for (const stack of platformStacks()) {
    execFileSync(process.execPath, [path.join(ROOT, "bin", "keel.js"), "synth", "--stack", stack], { cwd: ROOT, stdio: "inherit" });
    const file = path.join(module.exports.STACK_REFS, `${stack}.json`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, stackRefsFile(stack));
    console.log(`wrote ${path.relative(ROOT, file)}`);
  }
}
