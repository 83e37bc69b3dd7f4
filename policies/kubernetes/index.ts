import type { Policy } from "@pulumi/policy";
import { containerProbes } from "./probes";
import { containerResources } from "./resources";
import { imagePinned } from "./images";
import { dropAllCapabilities, noPrivileged, noPrivilegeEscalation, readOnlyRootFilesystem, runAsNonRoot, seccompRuntimeDefault } from "./security-context";
import { noHostNamespaces, noHostPath, noHostPorts } from "./host";
import { noAutomountedToken, noDefaultServiceAccount } from "./service-accounts";
import { noSecretEnvValues } from "./env";
import { ingressTls, networkPolicyNoAllowAll, noBarePods, pvcStorageClass, recommendedLabels, serviceType } from "./objects";

export const kubernetesPolicies: readonly Policy[] = [
  containerResources,
  containerProbes,
  imagePinned,
  runAsNonRoot,
  noPrivileged,
  noPrivilegeEscalation,
  readOnlyRootFilesystem,
  dropAllCapabilities,
  seccompRuntimeDefault,
  noHostNamespaces,
  noHostPorts,
  noHostPath,
  noAutomountedToken,
  noDefaultServiceAccount,
  noSecretEnvValues,
  noBarePods,
  recommendedLabels,
  serviceType,
  ingressTls,
  pvcStorageClass,
  networkPolicyNoAllowAll,
];
