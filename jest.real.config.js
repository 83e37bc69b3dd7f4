/** `npm run test:real`: what keel generates, run by the real tools (Prometheus, promtool, amtool, PostgreSQL, Redis, RabbitMQ, shellcheck; the OpenTelemetry Collector and Kubernetes' own code built from the Go module proxy), installed by .ci/run. */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test-real"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": "<rootDir>/scripts/jest-transform.js" },
  testTimeout: 120000,
};
