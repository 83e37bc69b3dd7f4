/** `npm run test:consumer`: keel installed from its packed tarball into the examples, on every supported Node and peer version (test-consumer/matrix.ts); .ci/run runs it. */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test-consumer"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": "<rootDir>/scripts/jest-transform.js" },
  testTimeout: 900000,
};
