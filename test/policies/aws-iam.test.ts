import { iamLeastPrivilege, statementProblems } from "../../policies/aws/iam";
import { violations } from "./harness";

type Props = Record<string, unknown>;
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const POLICY = "aws:iam/policy:Policy";
const ROLE = "aws:iam/role:Role";
const ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";

const doc = (...statements: Props[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });
const scoped = (): Props => ({ Effect: "Allow", Action: ["kms:Encrypt", "kms:Decrypt"], Resource: "arn:aws:kms:eu-west-1:123456789012:key/k" });
const rolePolicy = (): Props => ({ name: "cluster-kms", role: "cluster", policy: doc(scoped()) });
const policy = (): Props => ({ name: "dns", policy: doc({ Effect: "Allow", Action: "route53:ChangeResourceRecordSets", Resource: "arn:aws:route53:::hostedzone/Z1" }, { Effect: "Allow", Action: "route53:ListHostedZones", Resource: "*" }) });
const attachment = (): Props => ({ role: "nodes", policyArn: "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy" });
const role = (): Props => ({ name: "nodes", assumeRolePolicy: doc({ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }), inlinePolicies: [{ name: "kms", policy: doc(scoped()) }] });

describe.each<[string, string, () => Props, (p: Props) => void, string[]]>([
  ["role policy: * on *", ROLE_POLICY, rolePolicy, (p) => (p.policy = doc(scoped(), { Effect: "Allow", Action: "*", Resource: "*" })), [
    'IAM role policy cluster-kms: statement 1 allows action "*" on resource "*"; name the actions and resources it needs.',
  ]],
  ["role policy: a whole service on *", ROLE_POLICY, rolePolicy, (p) => (p.policy = doc({ Effect: "Allow", Action: ["iam:*"], Resource: ["*"] })), [
    'IAM role policy cluster-kms: statement 0 allows every iam action ("iam:*") on resource "*"; name the actions it needs.',
  ]],
  ["policy: * without a resource", POLICY, policy, (p) => (p.policy = doc({ Effect: "Allow", Action: "*" })), [
    'IAM policy dns: statement 0 allows action "*" on resource "*"; name the actions and resources it needs.',
  ]],
  ["policy: NotAction", POLICY, policy, (p) => (p.policy = doc({ Effect: "Allow", NotAction: "iam:*", Resource: "*" })), [
    "IAM policy dns: statement 0 allows through NotAction/NotResource; list the actions and resources it needs.",
  ]],
  ["role: an inline policy with * on *", ROLE, role, (p) => (p.inlinePolicies = [{ name: "kms", policy: doc(scoped()) }, { name: "admin", policy: doc({ Effect: "Allow", Action: "*", Resource: "*" }) }]), [
    'IAM role nodes inline policy admin: statement 0 allows action "*" on resource "*"; name the actions and resources it needs.',
  ]],
  ["role: trusts every AWS principal", ROLE, role, (p) => (p.assumeRolePolicy = doc({ Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole" })), [
    "IAM role nodes: trust statement 0 lets any AWS principal assume the role; name the accounts, roles or services that may.",
  ]],
  ["attachment: AdministratorAccess", ATTACHMENT, attachment, (p) => (p.policyArn = "arn:aws:iam::aws:policy/AdministratorAccess"), [
    "IAM role policy attachment fixture: attaches AdministratorAccess, which allows (nearly) every action on every resource; attach a policy naming the actions and resources the role needs.",
  ]],
])("iam-least-privilege, %s", (_name, type, fixture, mutate, expected) => {
  it("passes the compliant fixture", () => expect(violations(iamLeastPrivilege, type, fixture())).toEqual([]));
  it("reports the mutation", () => {
    const p = fixture();
    mutate(p);
    expect(violations(iamLeastPrivilege, type, p)).toEqual(expected);
  });
});

describe("iam-least-privilege", () => {
  it("allows a Deny of everything", () => {
    expect(violations(iamLeastPrivilege, POLICY, { name: "guard", policy: doc({ Effect: "Deny", Action: "*", Resource: "*" }) })).toEqual([]);
  });

  it("cannot decide a document it cannot read (unknown during preview)", () => {
    expect(violations(iamLeastPrivilege, ROLE_POLICY, { name: "x", policy: "04da6b54-80e4-46f7-96ec-b56ff0331ba9" })).toEqual([]);
    expect(statementProblems("{")).toBeUndefined();
    expect(statementProblems(undefined)).toBeUndefined();
  });

  it("ignores other types", () => {
    expect(violations(iamLeastPrivilege, "aws:s3/bucketPolicy:BucketPolicy", { policy: doc({ Effect: "Allow", Action: "*", Resource: "*" }) })).toEqual([]);
  });
});
