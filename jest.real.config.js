/** `npm run test:real`: configuration run by the real tools (promtool, amtool, PostgreSQL, Redis, shellcheck), installed by .ci/run. */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test-real"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": ["ts-jest", { diagnostics: false }] },
  testTimeout: 120000,
};
