/**
 * scripts/rds-restore.sh: shellcheck-clean, validates its arguments, and calls the aws CLI with
 * the source's network, parameter group and key (a stub `aws` on PATH records each call).
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const SCRIPT = path.join(__dirname, "..", "..", "..", "scripts", "rds-restore.sh");

/** A stub aws CLI: appends its arguments (one per line, then a blank line) to $CALLS and answers describe queries like RDS would. */
const STUB = `#!/bin/sh
for a in "$@"; do printf '%s\\n' "$a" >> "$CALLS"; done
printf '\\n' >> "$CALLS"
case "$*" in
  *DBSubnetGroupName*) echo shop-db-subnets ;;
  *VpcSecurityGroupId*) echo sg-0123456789abcdef0,sg-0fedcba9876543210 ;;
  *DBParameterGroupName*) echo shop-db-postgres16 ;;
  *KmsKeyId*) echo arn:aws:kms:eu-west-1:123456789012:key/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0 ;;
  *DBInstanceClass*) echo db.m7g.large ;;
  *MultiAZ*) echo True ;;
  *Endpoint.Address*) echo shop-db-pitr.c9akciq32xyz.eu-west-1.rds.amazonaws.com ;;
  *MasterUserSecret.SecretArn*) echo 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-1234-abcdef' ;;
esac
`;

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "rds-restore-"));
  fs.writeFileSync(path.join(dir, "aws"), STUB, { mode: 0o755 });
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function run(args: string[]) {
  const calls = path.join(dir, `calls-${Math.random().toString(36).slice(2)}`);
  fs.writeFileSync(calls, "");
  const r = spawnSync("bash", [SCRIPT, ...args], { encoding: "utf8", env: { ...process.env, PATH: `${dir}:${process.env.PATH}`, CALLS: calls } });
  const recorded = fs.readFileSync(calls, "utf8").split("\n\n").filter(Boolean).map((c) => c.split("\n"));
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, calls: recorded };
}

describe("scripts/rds-restore.sh", () => {
  it("passes shellcheck", () => {
    const r = spawnSync("shellcheck", ["--severity=style", SCRIPT], { encoding: "utf8" });
    expect(r.stdout + r.stderr).toBe("");
    expect(r.status).toBe(0);
  });

  it("prints its usage with --help", () => {
    const r = run(["--help"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("Usage: scripts/rds-restore.sh --source ID --target ID (--time T | --latest | --snapshot SNAP)");
    expect(r.calls).toEqual([]);
  });

  it.each([
    [[], "give exactly one of --time, --latest or --snapshot"],
    [["--latest", "--snapshot", "s1", "--target", "x"], "give exactly one of --time, --latest or --snapshot"],
    [["--latest"], "--target is required (the new instance's identifier)"],
    [["--latest", "--target", "x"], "--source is required for a point-in-time restore"],
    [["--latest", "--target", "Bad_Name", "--source", "shop-db"], "--target 'Bad_Name' is not an RDS identifier"],
    [["--latest", "--target", "shop-db", "--source", "shop-db"], "--target must differ from --source"],
    [["--time", "yesterday", "--target", "x", "--source", "shop-db"], "--time 'yesterday' is not a UTC time such as 2026-11-22T03:15:00Z"],
    [["--latest", "--target", "x", "--source", "shop-db", "--security-groups", "web"], "--security-groups 'web' is not a comma-separated list of sg-... ids"],
    [["--snapshot", "shop-db-final", "--target", "x"], "--subnet-group is required when --source does not supply it"],
    [["--latest", "--target"], "--target needs a value"],
    [["--bogus"], "unknown argument '--bogus'"],
  ])("refuses %j", (args, message) => {
    const r = run(args as string[]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`rds-restore: ${message}`);
    expect(r.calls.filter((c) => !c.includes("describe-db-instances"))).toEqual([]);
  });

  it("--dry-run reads the source's settings and prints the point-in-time restore without running it", () => {
    const r = run(["--source", "shop-db", "--target", "shop-db-pitr", "--time", "2026-11-22T03:15:00Z", "--region", "eu-west-1", "--dry-run"]);
    expect(r.stderr).not.toContain("rds-restore: give");
    expect(r.status).toBe(0);
    // Only read-only calls ran.
    expect(r.calls.every((c) => c.includes("describe-db-instances"))).toBe(true);
    expect(r.calls[0]).toEqual(["--region", "eu-west-1", "rds", "describe-db-instances", "--db-instance-identifier", "shop-db", "--query", "DBInstances[0].DBSubnetGroup.DBSubnetGroupName", "--output", "text"]);
    const printed = r.stdout.split("\n").find((l) => l.includes("restore-db-instance-to-point-in-time"))!;
    expect(printed).toContain("--source-db-instance-identifier shop-db --target-db-instance-identifier shop-db-pitr --restore-time 2026-11-22T03:15:00Z");
    expect(printed).toContain("--db-subnet-group-name shop-db-subnets --vpc-security-group-ids sg-0123456789abcdef0 sg-0fedcba9876543210 --db-parameter-group-name shop-db-postgres16 --db-instance-class db.m7g.large");
    expect(printed).toContain("--kms-key-id arn:aws:kms:eu-west-1:123456789012:key/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0");
    expect(printed).toContain("--manage-master-user-password --master-user-secret-kms-key-id arn:aws:kms:eu-west-1:123456789012:key/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0 --deletion-protection --multi-az");
    expect(r.stdout).toContain("rds wait db-instance-available --db-instance-identifier shop-db-pitr");
  });

  it("restores to the latest time, waits, and prints the new endpoint and the cut-over steps", () => {
    const r = run(["--source", "shop-db", "--target", "shop-db-pitr", "--latest", "--no-multi-az"]);
    expect(r.status).toBe(0);
    const changing = r.calls.filter((c) => !c.includes("describe-db-instances"));
    expect(changing.map((c) => c[1])).toEqual(["restore-db-instance-to-point-in-time", "wait"]);
    const restore = changing[0];
    expect(restore).toContain("--use-latest-restorable-time");
    expect(restore).not.toContain("--restore-time");
    expect(restore.slice(restore.indexOf("--vpc-security-group-ids") + 1, restore.indexOf("--vpc-security-group-ids") + 3)).toEqual(["sg-0123456789abcdef0", "sg-0fedcba9876543210"]);
    expect(restore).toContain("--no-multi-az");
    expect(restore).not.toContain("--multi-az");
    expect(changing[1]).toEqual(["rds", "wait", "db-instance-available", "--db-instance-identifier", "shop-db-pitr"]);
    expect(r.stdout).toContain("endpoint: shop-db-pitr.c9akciq32xyz.eu-west-1.rds.amazonaws.com:5432 (TLS required)");
    expect(r.stdout).toContain("aws rds modify-db-instance --db-instance-identifier shop-db --new-db-instance-identifier shop-db-old --apply-immediately");
    expect(r.stdout).toContain("aws rds modify-db-instance --db-instance-identifier shop-db-pitr --new-db-instance-identifier shop-db --apply-immediately");
    expect(r.stdout).toContain("pulumi import aws:rds/instance:Instance");
  });

  it("restores a snapshot with the settings given, without describing a source", () => {
    const r = run([
      "--snapshot", "shop-db-final", "--target", "shop-db", "--subnet-group", "shop-db-subnets", "--security-groups", "sg-0123456789abcdef0",
      "--parameter-group", "shop-db-postgres16", "--kms-key", "arn:aws:kms:eu-west-1:123456789012:key/k", "--instance-class", "db.t4g.micro", "--no-wait",
    ]);
    expect(r.status).toBe(0);
    expect(r.calls.map((c) => c[1])).toEqual(["restore-db-instance-from-db-snapshot", "describe-db-instances", "describe-db-instances"]);
    expect(r.calls[0].slice(0, 6)).toEqual(["rds", "restore-db-instance-from-db-snapshot", "--db-snapshot-identifier", "shop-db-final", "--db-instance-identifier", "shop-db"]);
    expect(r.calls[0]).toContain("--multi-az");
    expect(r.calls[0]).not.toContain("--kms-key-id");
  });
});
