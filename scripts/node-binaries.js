#!/usr/bin/env node
// Installs Node binaries of the given major versions into a cache and prints one line per
// version: `<major> <path of bin/node> <version>`. The binaries come from npm's packaged Node
// (node-<platform>-<arch>), so only the npm registry is needed; a cached binary is reused.
//   node scripts/node-binaries.js 22 24
// Cache: $KEEL_CI_CACHE/node/<major>, default ~/.cache/keel-ci/node/<major>.
"use strict";
const { execFileSync } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");

const majors = process.argv.slice(2);
if (majors.length === 0 || majors.some((m) => !/^\d+$/.test(m))) {
  console.error("usage: node scripts/node-binaries.js <major> [<major> ...]");
  process.exit(2);
}
const cache = path.join(process.env.KEEL_CI_CACHE || path.join(os.homedir(), ".cache", "keel-ci"), "node");
const npmPackage = `node-${process.platform}-${process.arch}`;
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

function installed(binary) {
  try {
    return execFileSync(binary, ["--version"], { encoding: "utf8" }).trim();
  } catch {
    return undefined;
  }
}

for (const major of majors) {
  const dir = path.join(cache, major);
  const binary = path.join(dir, "bin", "node");
  let version = installed(binary);
  if (!version) {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), `keel-node-${major}-`));
    try {
      const out = execFileSync(npm, ["pack", `${npmPackage}@${major}`, "--json", "--pack-destination", work], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
      const tarball = path.join(work, JSON.parse(out.slice(out.indexOf("[")))[0].filename);
      execFileSync("tar", ["-xzf", tarball, "-C", work, "package/bin/node"]);
      fs.mkdirSync(path.join(dir, "bin"), { recursive: true });
      // Copied next to its place, then renamed: a reader never sees half a binary.
      fs.copyFileSync(path.join(work, "package", "bin", "node"), `${binary}.part`);
      fs.chmodSync(`${binary}.part`, 0o755);
      fs.renameSync(`${binary}.part`, binary);
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
    version = installed(binary);
    if (!version) {
      console.error(`node-binaries: ${binary} from ${npmPackage}@${major} does not run`);
      process.exit(1);
    }
  }
  console.log(`${major} ${binary} ${version}`);
}
