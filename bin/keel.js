#!/usr/bin/env node
// Launches the keel CLI: from the TypeScript sources in a keel checkout, from dist/ when installed.
"use strict";
const fs = require("fs");
const path = require("path");

const root = path.resolve(__dirname, "..");
const source = path.join(root, "offline", "cli.ts");
let cli;
if (fs.existsSync(source)) {
  require(path.join(root, "bin", "register-ts.js")).register(root);
  cli = require(source);
} else {
  cli = require(path.join(root, "dist", "offline", "cli.js"));
}
cli.main(process.argv.slice(2)).then((code) => process.exit(code));
