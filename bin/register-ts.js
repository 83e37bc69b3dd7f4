// A transpile-only `.ts` loader (no type-check; `tsc --noEmit` does that), using the TypeScript
// of the project being loaded, else keel's own. Used by bin/keel.js and by `keel synth`.
"use strict";
const fs = require("fs");
const Module = require("module");

let installed = false;

function register(resolveFrom) {
  if (installed) return;
  let tsPath;
  try {
    tsPath = require.resolve("typescript", { paths: [resolveFrom || process.cwd(), __dirname] });
  } catch {
    throw new Error(`cannot find the typescript package for ${resolveFrom}; install it in the project (npm install --save-dev typescript)`);
  }
  const ts = require(tsPath);
  const compilerOptions = {
    module: ts.ModuleKind.CommonJS,
    target: ts.ScriptTarget.ES2022,
    esModuleInterop: true,
    inlineSourceMap: true,
  };
  Module._extensions[".ts"] = (module, file) => {
    const output = ts.transpileModule(fs.readFileSync(file, "utf8"), { fileName: file, compilerOptions });
    module._compile(output.outputText, file);
  };
  installed = true;
}

module.exports = { register };

