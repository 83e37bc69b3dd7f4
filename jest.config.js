/** Jest only transpiles (esbuild per file: scripts/jest-transform.js); `npm run typecheck` type-checks the whole tree once. */
const { CLI_SUITES } = require("./jest.cli.config");

module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  // The keel command's process contract runs in `npm run test:cli` (jest.cli.config.js).
  testPathIgnorePatterns: ["/node_modules/", ...CLI_SUITES.map((file) => `<rootDir>/${file}`)],
  transform: { "^.+\\.ts$": "<rootDir>/scripts/jest-transform.js" },
  testTimeout: 120000,
  // Both cores: half the suites spawn the keel command (a child process), the rest run in-process.
  maxWorkers: 2,
};
