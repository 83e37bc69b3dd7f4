/**
 * Upgrading keel keeps what a deployed req1 stack has: every URN a baseline release registered
 * (test/fixtures/upgrade/<baseline>/<stack>.urns) is still registered at HEAD, or covered by an
 * alias of a current resource (resolved as the Pulumi engine does, inherited child aliases
 * included), or an intentional removal listed below with its UPGRADING.md section.
 *
 * A new URN for an existing resource means delete-and-recreate on `pulumi up` (data, generated
 * passwords): give the resource `aliases` naming its old identity where it is created, or list
 * it here and say in UPGRADING.md what happens to a running stack.
 */
import * as fs from "fs";
import * as path from "path";
import type { PlanResource } from "../../offline/synth";
import { synthStacks } from "../helpers/blueprint";

const FIXTURES = path.join(__dirname, "..", "fixtures", "upgrade");
const UPGRADING = path.join(__dirname, "..", "..", "UPGRADING.md");
const STACKS = ["dev", "prod"] as const;
/** The commit at the end of each working session (see test/fixtures/upgrade/README.md). */
const BASELINES = fs.readdirSync(FIXTURES).filter((d) => fs.statSync(path.join(FIXTURES, d)).isDirectory()).sort();

interface Removal {
  /** The URN without `urn:pulumi:<stack>::<project>::` (type chain and name). */
  readonly urn: string;
  readonly stacks: readonly string[];
  /** A heading of UPGRADING.md that says what happens and what to do. */
  readonly upgrading: string;
  /** `urn` is a prefix: every URN under it (a component's children) goes. */
  readonly children?: boolean;
}

const removed = (r: Removal, urn: string, prefix: string) => (r.children ? urn.startsWith(prefix + r.urn) : prefix + r.urn === urn);

/** Intentional removals and replacements: nothing at HEAD stands for these resources. */
const REMOVALS: readonly Removal[] = [
  // SeaweedStorage makes `<bucket>-writer` identities on first `bucketTarget` only; req1's API has
  // its own identity `req1-api` (it used the admin keys before): req1-files' writer has no user.
  ...["kubernetes:core/v1:Secret::req1-files-s3-req1-files-writer", "random:index/randomPassword:RandomPassword::req1-files-req1-files-writer-access-key-password", "random:index/randomPassword:RandomPassword::req1-files-req1-files-writer-secret-key-password"].map(
    (tail): Removal => ({ urn: `keel:components:SeaweedStorage$${tail}`, stacks: ["dev", "prod"], upgrading: "SeaweedFS: unused bucket-writer identities are deleted; req1's API gets its own S3 identity" }),
  ),
  // Grafana runs one replica (its SQLite database is not shared): no disruption budget.
  { urn: "keel:components:ObservabilityStack$kubernetes:policy/v1:PodDisruptionBudget::req1-obs-grafana-pdb", stacks: ["prod"], upgrading: "Grafana: one replica, no PodDisruptionBudget" },
  // req1's prod moves to a new EKS cluster (the aws platform): its platform is an AwsSystemPlatform
  // whose namespaces are req1-data, ... on the shared cluster (the later issuer and gp3 class are the platform stack's).
  ...[
    "",
    "$pulumi:providers:kubernetes::req1-provider",
    ...["data", "monitoring", "req1", "storage"].flatMap((ns) => [`$kubernetes:core/v1:Namespace::req1-ns-${ns}`, `$kubernetes:networking.k8s.io/v1:NetworkPolicy::req1-default-deny-${ns}`]),
  ].map((tail): Removal => ({ urn: tail === "" ? "keel:components:KubernetesPlatform::req1" : `keel:components:KubernetesPlatform${tail}`, stacks: ["prod"], upgrading: "req1's prod moves to the aws platform" })),
  // On the aws platform req1's stores are RDS, ElastiCache and S3: none of their in-cluster
  // children remains, nor their generated credentials (RDS keeps its password in Secrets Manager,
  // ElastiCache's auth token is a new one), nor the Pushgateway that waited for the backup Job.
  ...["PostgresCluster", "RedisStore", "SeaweedStorage"].map((component): Removal => ({ urn: `keel:components:${component}$kubernetes:`, children: true, stacks: ["prod"], upgrading: "req1's prod data moves to RDS, ElastiCache and S3" })),
  ...[
    ...["app", "backup-passphrase", "metrics", "replication", "superuser"].map((p) => `PostgresCluster$random:index/randomPassword:RandomPassword::req1-db-${p}-password`),
    "RedisStore$random:index/randomPassword:RandomPassword::req1-redis-redis-password",
    ...["admin", "readonly", "req1-backups-writer"].flatMap((id) => ["access", "secret"].map((k) => `SeaweedStorage$random:index/randomPassword:RandomPassword::req1-files-${id}-${k}-key-password`)),
    ...["apps/v1:Deployment::req1-obs-pushgateway-deployment", "core/v1:Service::req1-obs-pushgateway-service", "core/v1:ServiceAccount::req1-obs-pushgateway-sa", "networking.k8s.io/v1:NetworkPolicy::req1-obs-pushgateway-from-req1-db-backup", "networking.k8s.io/v1:NetworkPolicy::req1-obs-pushgateway-netpol"].map(
      (tail) => `ObservabilityStack$kubernetes:${tail}`,
    ),
  ].map((tail): Removal => ({ urn: `keel:components:${tail}`, stacks: ["prod"], upgrading: "req1's prod data moves to RDS, ElastiCache and S3" })),
];

type Spec = { name?: string; type?: string; parent?: string; noParent?: boolean; stack?: string; project?: string };
type Resource = Pick<PlanResource, "type" | "name" | "urn" | "parent"> & { readonly options?: { readonly aliases?: readonly (string | Spec)[] } };

const STACK_TYPE = "pulumi:pulumi:Stack";
const typeChainOf = (urn: string) => urn.split("::")[2];
const nameOf = (urn: string) => urn.split("::").slice(3).join("::");

/** A URN as the engine makes it: the parent's type chain (not the stack's) joined by "$". */
export function makeUrn(stack: string, project: string, parent: string | undefined, type: string, name: string): string {
  const chain = parent && typeChainOf(parent) !== STACK_TYPE ? `${typeChainOf(parent)}$${type}` : type;
  return `urn:pulumi:${stack}::${project}::${chain}::${name}`;
}

/**
 * Every URN a resource answers to besides its own: its aliases (type, name and parent default to
 * its own; `noParent` is the stack) and, as the engine multiplies them out, each alias of its
 * parent (the child's name with the parent's name prefix swapped, and its own aliases under it).
 */
export function aliasUrns(resources: readonly Resource[], stack: string, project: string): Map<string, string[]> {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const memo = new Map<string, string[]>();
  const resolve = (r: Resource, spec: string | Spec, parent: string | undefined): string =>
    typeof spec === "string" ? spec : makeUrn(spec.stack ?? stack, spec.project ?? project, spec.noParent ? undefined : spec.parent ?? parent, spec.type ?? r.type, spec.name ?? r.name);
  const of = (r: Resource): string[] => {
    const known = memo.get(r.urn);
    if (known) return known;
    const own = r.options?.aliases ?? [];
    const out = new Set(own.map((a) => resolve(r, a, r.parent ?? undefined)));
    const parent = r.parent ? byUrn.get(r.parent) : undefined;
    if (parent) {
      for (const pa of of(parent)) {
        const parentName = nameOf(parent.urn);
        const name = r.name.startsWith(parentName) ? nameOf(pa) + r.name.slice(parentName.length) : r.name;
        out.add(makeUrn(stack, project, pa, r.type, name));
        for (const a of own) if (typeof a !== "string" && !a.noParent && a.parent === undefined) out.add(resolve(r, a, pa));
      }
    }
    out.delete(r.urn);
    const list = [...out];
    memo.set(r.urn, list);
    return list;
  };
  return new Map(resources.map((r) => [r.urn, of(r)]));
}

describe("alias resolution (as the engine does it)", () => {
  const P = "urn:pulumi:s::p::keel:components:Box::box";
  const resources: Resource[] = [
    { type: STACK_TYPE, name: "p-s", urn: "urn:pulumi:s::p::pulumi:pulumi:Stack::p-s", parent: null },
    { type: "keel:components:Box", name: "box", urn: P, parent: "urn:pulumi:s::p::pulumi:pulumi:Stack::p-s", options: { aliases: [{ name: "old-box", parent: "urn:pulumi:s::p::pulumi:pulumi:Stack::p-s" }] } },
    { type: "random:index/randomPassword:RandomPassword", name: "box-pw", urn: "urn:pulumi:s::p::keel:components:Box$random:index/randomPassword:RandomPassword::box-pw", parent: P, options: { aliases: [{ name: "pw", parent: P }, { noParent: true }, "urn:pulumi:s::p::x:y:Z::literal"] } },
  ];
  const aliases = aliasUrns(resources, "s", "p");

  it("resolves names, parents, no parent and URNs", () => {
    expect(aliases.get(P)).toEqual(["urn:pulumi:s::p::keel:components:Box::old-box"]);
    expect(aliases.get(resources[2].urn)).toEqual(
      expect.arrayContaining([
        "urn:pulumi:s::p::keel:components:Box$random:index/randomPassword:RandomPassword::pw",
        "urn:pulumi:s::p::random:index/randomPassword:RandomPassword::box-pw",
        "urn:pulumi:s::p::x:y:Z::literal",
      ]),
    );
  });

  it("gives children their parent's aliases, the parent's name prefix swapped", () => {
    expect(aliases.get(resources[2].urn)).toContain("urn:pulumi:s::p::keel:components:Box$random:index/randomPassword:RandomPassword::old-box-pw");
  });
});

describe("upgrading from a baseline keeps every resource", () => {
  const current: Record<string, { urns: Set<string>; aliases: Map<string, string> }> = {};

  beforeAll(async () => {
    const stacks = await synthStacks(STACKS);
    for (const name of STACKS) {
      const plan = stacks[name].result.plan;
      const resources = plan.resources as unknown as Resource[];
      const aliases = new Map<string, string>();
      for (const [urn, list] of aliasUrns(resources, plan.stack, plan.project)) for (const a of list) aliases.set(a, urn);
      current[name] = { urns: new Set(resources.map((r) => r.urn)), aliases };
    }
  });

  it("has baselines for dev and prod", () => {
    expect(BASELINES.length).toBeGreaterThanOrEqual(2);
    for (const b of BASELINES) for (const s of STACKS) expect(fs.existsSync(path.join(FIXTURES, b, `${s}.urns`))).toBe(true);
  });

  const cases = BASELINES.flatMap((b) => STACKS.map((s) => [b, s] as const));
  it.each(cases)("%s %s: every URN is registered, aliased or an intentional removal", (baseline, stack) => {
    const { urns, aliases } = current[stack];
    const prefix = `urn:pulumi:${stack}::keel::`;
    const lost = fs
      .readFileSync(path.join(FIXTURES, baseline, `${stack}.urns`), "utf8")
      .split("\n")
      .filter((u) => u !== "")
      .filter((u) => !urns.has(u) && !aliases.has(u))
      .filter((u) => !REMOVALS.some((r) => r.stacks.includes(stack) && removed(r, u, prefix)));
    expect(lost).toEqual([]);
  });

  it("lists only removals some baseline had, each with its UPGRADING.md section", () => {
    const upgrading = fs.readFileSync(UPGRADING, "utf8");
    for (const r of REMOVALS) {
      expect(upgrading).toContain(`### ${r.upgrading}`);
      for (const stack of r.stacks) {
        const urn = `urn:pulumi:${stack}::keel::${r.urn}`;
        const prefix = `urn:pulumi:${stack}::keel::`;
        const inSome = BASELINES.some((b) => fs.readFileSync(path.join(FIXTURES, b, `${stack}.urns`), "utf8").split("\n").some((u) => removed(r, u, prefix)));
        expect({ urn, inSome }).toEqual({ urn, inSome: true });
        // Still registered (or aliased) at HEAD: not a removal any more.
        const now = [...current[stack].urns, ...current[stack].aliases.keys()].some((u) => removed(r, u, prefix));
        expect({ urn, current: now }).toEqual({ urn, current: false });
      }
    }
  });
});
