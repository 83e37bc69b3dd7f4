import * as fs from "fs";
import * as path from "path";
import { kubernetesPolicies } from "../../policies/kubernetes";
import { noRootGroup } from "../../policies/kubernetes/groups";
import { exemptionAudit } from "../../policies/stack/exemptions";
import { CRONJOB, DEPLOYMENT, POD, deployment, firstContainer, initContainer, pod, stackViolations, target, violations } from "./harness";

type Props = Record<string, unknown>;

/** The policy SDK's unknown value during preview. */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const W = "Deployment shop/api";
const FIX = "set a non-zero group id (such as 10001).";

const security = (o: Props): Props => (o.securityContext ??= {}) as Props;

/** The harness Deployment with a non-root primary group on the pod: what keel's components write. */
function compliant(): Props {
  const d = deployment();
  security(pod(d)).runAsGroup = 10001;
  return d;
}

describe("no-root-group", () => {
  it("passes a pod whose containers run with a non-root group, and near misses", () => {
    expect(violations(noRootGroup, DEPLOYMENT, compliant())).toEqual([]);
    const nearMisses: ((d: Props) => void)[] = [
      // The pod's 0 reaches no container: each sets its own.
      (d) => {
        security(pod(d)).runAsGroup = 0;
        security(firstContainer(d)).runAsGroup = 10001;
        security(initContainer(d)).runAsGroup = 10001;
      },
      (d) => (security(pod(d)).fsGroup = 10001),
      (d) => (security(pod(d)).supplementalGroups = [10001, 2000]),
      (d) => (security(pod(d)).supplementalGroups = []),
      // Not integers: unknown during preview (or malformed, which well-formed-objects reports).
      (d) => (security(pod(d)).runAsGroup = UNKNOWN),
      (d) => (security(pod(d)).fsGroup = "0"),
    ];
    for (const mutate of nearMisses) {
      const d = compliant();
      mutate(d);
      expect(violations(noRootGroup, DEPLOYMENT, d)).toEqual([]);
    }
  });

  it.each<[string, (d: Props) => void, string[]]>([
    ["the pod's runAsGroup 0, inherited by every container", (d) => (security(pod(d)).runAsGroup = 0), [
      `${W}: the pod's securityContext.runAsGroup is 0, so containers "migrate" and "api" (which set no runAsGroup of their own) run with root as their primary group; ${FIX}`,
    ]],
    ["the pod's runAsGroup 0, inherited by one container", (d) => {
      security(pod(d)).runAsGroup = 0;
      security(firstContainer(d)).runAsGroup = 10001;
    }, [
      `${W}: the pod's securityContext.runAsGroup is 0, so container "migrate" (which sets no runAsGroup of its own) runs with root as its primary group; ${FIX}`,
    ]],
    ["a container's runAsGroup 0 over the pod's", (d) => (security(firstContainer(d)).runAsGroup = 0), [
      `${W}, container "api": securityContext.runAsGroup is 0, so it runs with root as its primary group; ${FIX}`,
    ]],
    ["an init container's runAsGroup 0", (d) => (security(initContainer(d)).runAsGroup = 0), [
      `${W}, init container "migrate": securityContext.runAsGroup is 0, so it runs with root as its primary group; ${FIX}`,
    ]],
    ["root on both levels, once per container that says so (the pod's reaches none)", (d) => {
      security(pod(d)).runAsGroup = 0;
      security(firstContainer(d)).runAsGroup = 0;
      security(initContainer(d)).runAsGroup = 0;
    }, [
      `${W}, init container "migrate": securityContext.runAsGroup is 0, so it runs with root as its primary group; ${FIX}`,
      `${W}, container "api": securityContext.runAsGroup is 0, so it runs with root as its primary group; ${FIX}`,
    ]],
    ["fsGroup 0", (d) => (security(pod(d)).fsGroup = 0), [
      `${W}: the pod's securityContext.fsGroup is 0, so every container holds root as a supplementary group and the volumes whose ownership the kubelet manages become group-owned by root; ${FIX}`,
    ]],
    ["0 among the supplemental groups", (d) => (security(pod(d)).supplementalGroups = [10001, 0]), [
      `${W}: the pod's securityContext.supplementalGroups includes 0, so every container holds root as a supplementary group; remove 0 from the list.`,
    ]],
  ])("reports %s", (_name, mutate, expected) => {
    const d = compliant();
    mutate(d);
    expect(violations(noRootGroup, DEPLOYMENT, d)).toEqual(expected);
  });

  describe("an unset runAsGroup (the image decides)", () => {
    const unset = (): Props => {
      const d = compliant();
      delete security(pod(d)).runAsGroup;
      return d;
    };

    it("passes with requireRunAsGroup false, and with a group set on every container instead of the pod", () => {
      expect(violations(noRootGroup, DEPLOYMENT, unset(), { requireRunAsGroup: false })).toEqual([]);
      const d = unset();
      security(firstContainer(d)).runAsGroup = 10001;
      security(initContainer(d)).runAsGroup = 10001;
      expect(violations(noRootGroup, DEPLOYMENT, d, { requireRunAsGroup: true })).toEqual([]);
    });

    it("names the containers that set none (by default)", () => {
      expect(violations(noRootGroup, DEPLOYMENT, unset())).toEqual([
        `${W}: runAsGroup is set neither on the pod's securityContext nor on containers "migrate" and "api", so the image decides the primary group (gid 0 for a user its /etc/passwd does not list); set securityContext.runAsGroup on the pod to a non-zero group id (such as 10001).`,
      ]);
      const d = unset();
      security(firstContainer(d)).runAsGroup = 10001;
      expect(violations(noRootGroup, DEPLOYMENT, d, { requireRunAsGroup: true })).toEqual([
        `${W}: runAsGroup is set neither on the pod's securityContext nor on container "migrate", so the image decides the primary group (gid 0 for a user its /etc/passwd does not list); set securityContext.runAsGroup on the pod to a non-zero group id (such as 10001).`,
      ]);
    });

    it("skips Windows pods, where the API rejects runAsGroup", () => {
      const d = unset();
      pod(d).os = { name: "windows" };
      expect(violations(noRootGroup, DEPLOYMENT, d, { requireRunAsGroup: true })).toEqual([]);
    });
  });

  it("reads a bare Pod's ephemeral containers and a CronJob's pod spec", () => {
    const spec = pod(compliant());
    const bare = { apiVersion: "v1", kind: "Pod", metadata: { name: "debug", namespace: "shop" }, spec: { ...spec, ephemeralContainers: [{ name: "debugger", image: "busybox:1.36", securityContext: { runAsGroup: 0 } }] } };
    expect(violations(noRootGroup, POD, bare)).toEqual([
      `Pod shop/debug, ephemeral container "debugger": securityContext.runAsGroup is 0, so it runs with root as its primary group; ${FIX}`,
    ]);
    const cronJob = { apiVersion: "batch/v1", kind: "CronJob", metadata: { name: "report", namespace: "shop" }, spec: { schedule: "0 * * * *", jobTemplate: { spec: { template: { spec: { ...spec, securityContext: { runAsGroup: 10001, fsGroup: 0 } } } } } } };
    expect(violations(noRootGroup, CRONJOB, cronJob)).toEqual([
      `CronJob shop/report: the pod's securityContext.fsGroup is 0, so every container holds root as a supplementary group and the volumes whose ownership the kubelet manages become group-owned by root; ${FIX}`,
    ]);
  });

  it("is suppressed by an exemption with a reason, which the audit lists, and only by one", () => {
    const exempted = (reason: string) => {
      const d = compliant();
      security(pod(d)).runAsGroup = 0;
      (d.metadata as Props).annotations = { "exempt.keel.dev/no-root-group": reason };
      return d;
    };
    const reason = "reads files the runtime writes as root:root 0640";
    expect(violations(noRootGroup, DEPLOYMENT, exempted(reason))).toEqual([]);
    expect(violations(noRootGroup, DEPLOYMENT, exempted("todo"))).toHaveLength(1);
    const t = target(DEPLOYMENT, exempted(reason), "api");
    expect(stackViolations(exemptionAudit, [t])).toEqual([{ urn: t.urn, message: `exemption used: no-root-group on ${W}: ${reason} (suppresses 1 violation)` }]);
  });

  it("is in the pack, mandatory in both environments", () => {
    expect(kubernetesPolicies).toContain(noRootGroup);
    for (const env of ["dev", "prod"]) {
      const config = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "policies", "config", `${env}.json`), "utf8")) as Record<string, unknown>;
      expect([env, config["no-root-group"]]).toEqual([env, "mandatory"]);
    }
  });
});
