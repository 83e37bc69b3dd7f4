/**
 * jest's TypeScript transform: esbuild, file by file (the tree is written for isolated modules;
 * `npm run typecheck` type-checks it once). ts-jest's per-file TypeScript transpile was most of a
 * clean clone's jest time. `import()` becomes `require` (jest's CommonJS runtime has no ESM loader); the
 * source maps keep stack traces on the .ts lines.
 */
const { transformSync } = require("esbuild");
const crypto = require("crypto");
const { version } = require("esbuild/package.json");

module.exports = {
  process(source, filename) {
    const { code, map } = transformSync(source, { loader: "ts", format: "cjs", target: "node20", sourcemap: "external", sourcefile: filename, keepNames: true, supported: { "dynamic-import": false } });
    return { code, map };
  },
  getCacheKey(source, filename) {
    return crypto.createHash("sha256").update(`${version}\0${filename}\0${source}`).digest("hex");
  },
};
