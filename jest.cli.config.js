/**
 * `npm run test:cli`: the keel command as users run it (synth and check on the stacks and on
 * fixtures, exit codes, output streams, hostile programs), one spawned `keel` per case, the
 * blueprints' whole stacks (each synthesizes a dev and a prod stack) and the broad adversarial
 * suites (red-team inputs, injection, secret routing): slow, so outside `npm test`'s budget;
 * `.ci/run` runs it.
 */
const CLI_SUITES = ["test/offline/bad-programs.test.ts", "test/offline/cli-contract.test.ts", "test/offline/cli.test.ts", "test/offline/check.test.ts", "test/offline/blueprints.test.ts", "test/offline/aws-stacks.test.ts", "test/contract/contract.test.ts", "test/readme/readme.test.ts", "test/components/probe/bad-input-aws.test.ts", "test/components/probe/bad-input.test.ts", "test/offline/stack-file.test.ts", "test/offline/ts-cache.test.ts",
  ...["bookworm", "composerp", "vibebox", "todo", "upgrade-aliases", "redteam-stack"].map((s) => `test/stacks/${s}.test.ts`), "test/offline/synth-prod.test.ts", "test/offline/synth-dev.test.ts", "test/offline/schema.test.ts", "test/components/protection.test.ts", "test/components/protection-dev.test.ts",
  ...["api-service/redteam-api", "core/redteam-core", "data/redteam-data", "observability-stack/redteam-obs", "platform/redteam-platform", "core/secret-routing", "data/injection"].map((s) => `test/components/${s}.test.ts`)];

module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: CLI_SUITES.map((file) => `<rootDir>/${file}`),
  transform: { "^.+\\.ts$": "<rootDir>/scripts/jest-transform.js" },
  testTimeout: 120000,
  maxWorkers: 2,
};
// For jest.config.js, which leaves these suites out (not enumerable: not a jest option).
Object.defineProperty(module.exports, "CLI_SUITES", { value: CLI_SUITES, enumerable: false });
