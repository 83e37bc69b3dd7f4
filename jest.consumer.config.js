/** `npm run test:consumer`: keel installed from its packed tarball into the examples, on every supported Node and peer version (test-consumer/matrix.ts); .ci/run runs it. */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test-consumer"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": ["ts-jest", { diagnostics: false }] },
  testTimeout: 900000,
};
