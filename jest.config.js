/** Jest only transpiles (ts-jest, isolatedModules); `npm run typecheck` type-checks the whole tree once. */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": ["ts-jest", { diagnostics: false }] },
  testTimeout: 120000,
  // Both cores: half the suites spawn the keel command (a child process), the rest run in-process.
  maxWorkers: 2,
};
