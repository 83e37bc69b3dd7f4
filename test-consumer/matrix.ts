/**
 * The versions keel is tested with as a dependency: each supported Node major, with the newest
 * published peers it can run, and the lowest version of every peerDependencies range. The
 * README's "Supported versions" table is held to this list (test/readme/supported-versions.test.ts).
 * Raise the newest when a newer version is published and passes; raise a range's lowest version
 * (in package.json too) only in a minor release, recorded in CHANGELOG.md.
 */
export interface ConsumerCase {
  /** e.g. "node 22, newest peers" */
  readonly label: string;
  /** The Node major version (20 is the build machine's own; others come from scripts/node-binaries.js). */
  readonly node: number;
  /** npm's install strategy; "nested" gives every package its own copies (no hoisting). @default hoisted */
  readonly installStrategy?: "nested";
  /** Exact versions of the peer dependencies and of the consumer's TypeScript and @types/node. */
  readonly packages: Readonly<Record<"@pulumi/pulumi" | "@pulumi/kubernetes" | "@pulumi/random" | "@pulumi/aws" | "@pulumi/docker" | "typescript" | "@types/node", string>>;
}

/** The newest version of each peer and of TypeScript inside keel's ranges (2026-12-01). */
const NEWEST = { "@pulumi/pulumi": "3.276.0", "@pulumi/kubernetes": "4.34.2", "@pulumi/random": "4.21.2", "@pulumi/aws": "7.48.0", "@pulumi/docker": "5.2.0", typescript: "6.0.3" } as const;
/** The lowest version of each range in package.json's peerDependencies (@pulumi/aws 7.7: the first with EKS deletionProtection). */
const LOWEST = { "@pulumi/pulumi": "3.204.0", "@pulumi/kubernetes": "4.29.0", "@pulumi/random": "4.16.0", "@pulumi/aws": "7.7.0", "@pulumi/docker": "5.0.0", typescript: "4.9.5" } as const;

export const CONSUMER_CASES: readonly ConsumerCase[] = [
  // @pulumi/pulumi 3.249 and later declare Node >= 22: 3.248 is the newest a Node 20 project runs.
  { label: "node 20, newest peers", node: 20, packages: { ...NEWEST, "@pulumi/pulumi": "3.248.0", "@types/node": "20.19.43" } },
  { label: "node 20, lowest peers", node: 20, packages: { ...LOWEST, "@types/node": "20.19.43" } },
  { label: "node 22, newest peers", node: 22, packages: { ...NEWEST, "@types/node": "22.20.7" } },
  { label: "node 24, newest peers", node: 24, packages: { ...NEWEST, "@types/node": "24.19.4" } },
  // Copies of @grpc/grpc-js and google-protobuf under @pulumi/pulumi and elsewhere: keel check must use the SDK's.
  { label: "node 22, newest peers, nested install", node: 22, installStrategy: "nested", packages: { ...NEWEST, "@types/node": "22.20.7" } },
  { label: "node 24, lowest peers", node: 24, packages: { ...LOWEST, "@types/node": "24.19.4" } },
];

/** The Node majors keel supports (package.json engines: the lowest of them). */
export const SUPPORTED_NODE = [...new Set(CONSUMER_CASES.map((c) => c.node))];
export { LOWEST, NEWEST };
