/**
 * Group ids: no container runs with root (gid 0) as its primary or a supplementary group
 * (Kyverno's other/require-non-root-groups; kube-score's container-security-context-user-group-id
 * asks for a high group id, which this policy does not). A process in group 0 reads and writes
 * whatever the image or a volume leaves to group root: files that are group-owned by root with
 * group permissions, a common layout in images built to run under arbitrary user ids.
 *
 * Where a process gets its groups (Kubernetes API reference, PodSecurityContext and SecurityContext):
 * - primary group: the container's securityContext.runAsGroup, else the pod's. With neither,
 *   the runtime takes the group of the user's /etc/passwd entry in the image, and gid 0 when the
 *   image does not list the user (containerd's WithUserID: "sets the gid to 0"), which no spec
 *   can tell; that case is reported too unless `requireRunAsGroup` is false (Kyverno's policy
 *   fails it, kube-score's too; keel's own workloads set runAsGroup).
 * - fsGroup: a supplementary group of every container, and the group the kubelet gives the
 *   volumes that support ownership management.
 * - supplementalGroups: added to every container's first process.
 * A container that sets its own runAsGroup is judged on it whatever the pod says (the pod's value
 * then reaches no container and is not reported). Windows pods are skipped: the API rejects
 * these fields for them. Values that are not integers (unknown during preview, or malformed:
 * well-formed-objects) are not decided here.
 */
import type { ContainerRef } from "../lib/kubernetes";
import { resourcePolicy } from "../lib/define";
import { allContainersOf, describe, describeContainer, isWindowsPod, isWorkload, podSpecOf } from "../lib/kubernetes";
import { arr, at } from "../lib/props";

const FIX = "set a non-zero group id (such as 10001)";

const isUnset = (v: unknown): boolean => v === undefined || v === null;

function containerList(refs: readonly ContainerRef[]): string {
  const names = refs.map((r) => `"${r.name}"`);
  const list = names.length <= 1 ? names.join("") : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
  return `${refs.length === 1 ? "container" : "containers"} ${list}`;
}

export const noRootGroup = resourcePolicy({
  name: "no-root-group",
  description: "No container runs with root (gid 0) as its primary group, fsGroup or a supplemental group.",
  enforcementLevel: "mandatory",
  config: {
    requireRunAsGroup: {
      type: "boolean",
      default: true,
      description: "Also report containers whose runAsGroup is set neither on them nor on the pod (the image then decides, and gives gid 0 to a user it does not list).",
    },
  },
  appliesTo: isWorkload,
  check(target, report, config) {
    if (isWindowsPod(target)) return;
    const who = describe(target);
    const pod = podSpecOf(target);
    const podGroup = at(pod, "securityContext.runAsGroup");
    const inheritRoot: ContainerRef[] = [];
    const unset: ContainerRef[] = [];
    for (const ref of allContainersOf(target)) {
      const own = at(ref.container, "securityContext.runAsGroup");
      if (own === 0) {
        report(`${describeContainer(target, ref)}: securityContext.runAsGroup is 0, so it runs with root as its primary group; ${FIX}.`);
      } else if (isUnset(own)) {
        if (podGroup === 0) inheritRoot.push(ref);
        else if (isUnset(podGroup)) unset.push(ref);
      }
    }
    if (inheritRoot.length > 0) {
      const one = inheritRoot.length === 1;
      report(`${who}: the pod's securityContext.runAsGroup is 0, so ${containerList(inheritRoot)} (which set${one ? "s" : ""} no runAsGroup of ${one ? "its" : "their"} own) ${one ? "runs" : "run"} with root as ${one ? "its" : "their"} primary group; ${FIX}.`);
    }
    if (unset.length > 0 && config.requireRunAsGroup === true) {
      report(`${who}: runAsGroup is set neither on the pod's securityContext nor on ${containerList(unset)}, so the image decides the primary group (gid 0 for a user its /etc/passwd does not list); set securityContext.runAsGroup on the pod to a non-zero group id (such as 10001).`);
    }
    if (at(pod, "securityContext.fsGroup") === 0) {
      report(`${who}: the pod's securityContext.fsGroup is 0, so every container holds root as a supplementary group and the volumes whose ownership the kubelet manages become group-owned by root; ${FIX}.`);
    }
    if (arr(at(pod, "securityContext.supplementalGroups")).includes(0)) {
      report(`${who}: the pod's securityContext.supplementalGroups includes 0, so every container holds root as a supplementary group; remove 0 from the list.`);
    }
  },
});
