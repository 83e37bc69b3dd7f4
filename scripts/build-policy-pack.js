#!/usr/bin/env node
// Completes the compiled policy pack in dist/policies (tsc wrote its JavaScript): its
// PulumiPolicy.yaml, the per-environment configs and a package.json whose `main` is the
// compiled index.js. The result is what `pulumi preview --policy-pack node_modules/keel/dist/policies`
// runs, what `keel check` in a consumer project finds, and what `pulumi policy publish` uploads.
"use strict";
const fs = require("fs");
const path = require("path");

const root = path.resolve(__dirname, "..");
const source = path.join(root, "policies");
const target = path.join(root, "dist", "policies");
if (!fs.existsSync(path.join(target, "index.js"))) {
  console.error(`build-policy-pack: ${path.relative(root, target)}/index.js is missing; run tsc -p tsconfig.build.json first`);
  process.exit(1);
}

const keel = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
const pack = JSON.parse(fs.readFileSync(path.join(source, "package.json"), "utf8"));
fs.copyFileSync(path.join(source, "PulumiPolicy.yaml"), path.join(target, "PulumiPolicy.yaml"));
fs.mkdirSync(path.join(target, "config"), { recursive: true });
for (const file of fs.readdirSync(path.join(source, "config")).filter((f) => f.endsWith(".json"))) {
  fs.copyFileSync(path.join(source, "config", file), path.join(target, "config", file));
}
// The pack runs on the consumer's @pulumi/pulumi (keel's peer range) and keel's @pulumi/policy.
const published = {
  name: pack.name,
  version: keel.version,
  description: pack.description.replace("`pulumi preview --policy-pack policies`", "`pulumi preview --policy-pack node_modules/keel/dist/policies`"),
  license: keel.license,
  private: true,
  main: "index.js",
  dependencies: {
    "@pulumi/policy": keel.dependencies["@pulumi/policy"],
    "@pulumi/pulumi": keel.peerDependencies["@pulumi/pulumi"],
  },
};
fs.writeFileSync(path.join(target, "package.json"), JSON.stringify(published, null, 2) + "\n");
