// One stack synthesized in a process of its own (a fresh module registry, as `keel synth` has):
// forked by scripts/contract/stacks.ts, answers over IPC. argv: <project dir> <stack>.
"use strict";
const path = require("path");
require(path.join(__dirname, "..", "..", "bin", "register-ts.js")).register(path.join(__dirname, "..", ".."));
require("./urn-worker.ts");
