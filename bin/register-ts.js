// A transpile-only `.ts` loader (no type-check; `tsc --noEmit` does that), using the TypeScript
// of the project being loaded, else keel's own. Used by bin/keel.js and by `keel synth`.
//
// Transpiled files are cached on disk (node_modules/.cache/keel-ts of the project, else the
// system's temporary directory), keyed by TypeScript's version, the options, the file's path and
// its content: a warm run does not load TypeScript at all. KEEL_TS_CACHE=0 turns the cache off.
"use strict";
const crypto = require("crypto");
const fs = require("fs");
const os = require("os");
const path = require("path");
const Module = require("module");

let installed = false;

function cacheDirFor(resolveFrom) {
  if (process.env.KEEL_TS_CACHE === "0") return undefined;
  const modules = path.join(resolveFrom, "node_modules");
  const base = fs.existsSync(modules) ? path.join(modules, ".cache") : path.join(os.tmpdir(), `keel-ts-${typeof process.getuid === "function" ? process.getuid() : "user"}`);
  const dir = path.join(base, "keel-ts");
  try {
    fs.mkdirSync(dir, { recursive: true });
    return dir;
  } catch {
    return undefined;
  }
}

function register(resolveFrom) {
  if (installed) return;
  const from = resolveFrom || process.cwd();
  let tsPath;
  try {
    tsPath = require.resolve("typescript", { paths: [from, __dirname] });
  } catch {
    throw new Error(`cannot find the typescript package for ${resolveFrom}; install it in the project (npm install --save-dev typescript)`);
  }
  let ts;
  const typescript = () => (ts ??= require(tsPath));
  const tsVersion = JSON.parse(fs.readFileSync(path.join(path.dirname(tsPath), "..", "package.json"), "utf8")).version;
  const options = () => ({
    module: typescript().ModuleKind.CommonJS,
    target: typescript().ScriptTarget.ES2022,
    esModuleInterop: true,
    inlineSourceMap: true,
  });
  const cacheDir = cacheDirFor(from);
  Module._extensions[".ts"] = (module, file) => {
    const source = fs.readFileSync(file, "utf8");
    const key = cacheDir && crypto.createHash("sha256").update(`${tsVersion}\0commonjs-es2022-esm-interop-inline-map\0${file}\0${source}`).digest("hex");
    const cached = key && path.join(cacheDir, `${key}.js`);
    let output;
    if (cached) {
      try {
        output = fs.readFileSync(cached, "utf8");
      } catch {
        // not cached yet
      }
    }
    if (output === undefined) {
      output = typescript().transpileModule(source, { fileName: file, compilerOptions: options() }).outputText;
      if (cached) {
        // Written whole, then renamed: a concurrent run reads the old file or the new one, never half.
        const temp = `${cached}.${process.pid}.tmp`;
        try {
          fs.writeFileSync(temp, output);
          fs.renameSync(temp, cached);
        } catch {
          fs.rmSync(temp, { force: true });
        }
      }
    }
    module._compile(output, file);
  };
  installed = true;
}

module.exports = { register };
