#!/usr/bin/env node
// Launches the keel CLI: from the TypeScript sources in a keel checkout, from dist/ when installed.
"use strict";
const fs = require("fs");
const path = require("path");
const { spawnSync } = require("child_process");

// The mock runtime allocates many short-lived promises per resource: a larger young generation
// makes synth of large programs ~1.4x faster. Node reads these flags only at start, so keel
// re-executes itself once with them (set KEEL_NODE_FLAGS="" to skip).
const GC_FLAGS = (process.env.KEEL_NODE_FLAGS ?? "--max-semi-space-size=128 --min-semi-space-size=64").split(" ").filter(Boolean);
if (GC_FLAGS.length > 0 && !process.execArgv.some((a) => a.startsWith("--max-semi-space-size"))) {
  // The child writes to the inherited stdout/stderr itself; this process writes nothing.
  const child = spawnSync(process.execPath, [...GC_FLAGS, __filename, ...process.argv.slice(2)], { stdio: "inherit" });
  if (child.error) {
    process.stderr.write(`keel: cannot start node: ${child.error.message}\n`);
    process.exit(1);
  }
  process.exit(child.status ?? 1);
}

const root = path.resolve(__dirname, "..");
const source = path.join(root, "offline", "cli.ts");
let cli;
if (fs.existsSync(source)) {
  require(path.join(root, "bin", "register-ts.js")).register(root);
  cli = require(source);
} else {
  cli = require(path.join(root, "dist", "offline", "cli.js"));
}
// run() sets the exit code only after stdout and stderr have drained (output piped to jq is never cut).
cli.run(process.argv.slice(2));
