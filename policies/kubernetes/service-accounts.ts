/** Service accounts: a dedicated one per workload, its token not mounted unless needed. */
import { resourcePolicy } from "../lib/define";
import { describe, isWorkload, podSpecOf } from "../lib/kubernetes";
import { str } from "../lib/props";

export const noAutomountedToken = resourcePolicy({
  name: "no-automounted-token",
  description: "Pods do not mount a service account token unless they call the Kubernetes API.",
  enforcementLevel: "mandatory",
  appliesTo: isWorkload,
  check(target, report) {
    if (podSpecOf(target).automountServiceAccountToken !== false) {
      report(`${describe(target)}: mounts a service account token; set automountServiceAccountToken: false, or exempt the workload with a reason if it calls the Kubernetes API.`);
    }
  },
});

export const noDefaultServiceAccount = resourcePolicy({
  name: "no-default-service-account",
  description: "Workloads run as their own service account, not the namespace's default one.",
  enforcementLevel: "mandatory",
  appliesTo: isWorkload,
  check(target, report) {
    const pod = podSpecOf(target);
    const account = str(pod.serviceAccountName) ?? str(pod.serviceAccount);
    if (account === undefined || account === "default") {
      report(`${describe(target)}: runs as the namespace's default service account; create a ServiceAccount for it and set serviceAccountName.`);
    }
  },
});
