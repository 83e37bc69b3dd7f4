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
  // TypeScript is looked up when the first `.ts` file loads (a JavaScript program needs none), and
  // loaded only when a file is not in the transpile cache.
  let tsPath;
  let tsVersion;
  let ts;
  const locate = () => {
    if (tsPath) return;
    try {
      tsPath = require.resolve("typescript", { paths: [from, __dirname] });
    } catch {
      throw new Error(`cannot find the typescript package to load the .ts files of ${from}; install it in the project (npm install --save-dev typescript)`);
    }
    tsVersion = JSON.parse(fs.readFileSync(path.join(path.dirname(tsPath), "..", "package.json"), "utf8")).version;
  };
  const typescript = () => {
    locate();
    return (ts ??= require(tsPath));
  };
  const options = () => ({
    module: typescript().ModuleKind.CommonJS,
    target: typescript().ScriptTarget.ES2022,
    esModuleInterop: true,
    inlineSourceMap: true,
  });
  const cacheDir = cacheDirFor(from);
  Module._extensions[".ts"] = (module, file) => {
    const source = fs.readFileSync(file, "utf8");
    locate();
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
  // `import "./settings.js"` in a .ts file means ./settings.ts (TypeScript's node16/nodenext style).
  const resolveFilename = Module._resolveFilename;
  Module._resolveFilename = function (request, parent, ...rest) {
    try {
      return resolveFilename.call(this, request, parent, ...rest);
    } catch (err) {
      const fromTs = parent && typeof parent.filename === "string" && parent.filename.endsWith(".ts");
      if (err.code !== "MODULE_NOT_FOUND" || !fromTs || !/^\.\.?\//.test(request) || !request.endsWith(".js")) throw err;
      try {
        return resolveFilename.call(this, `${request.slice(0, -".js".length)}.ts`, parent, ...rest);
      } catch {
        throw err;
      }
    }
  };
  installed = true;
}

module.exports = { register };
