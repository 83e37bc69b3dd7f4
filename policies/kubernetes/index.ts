import type { Policy } from "@pulumi/policy";
import { containerProbes } from "./probes";
import { containerEphemeralStorage, containerResources } from "./resources";
import { imagePinned } from "./images";
import { dropAllCapabilities, noPrivileged, noPrivilegeEscalation, readOnlyRootFilesystem, runAsNonRoot, seccompRuntimeDefault } from "./security-context";
import { noHostNamespaces, noHostPath, noHostPorts } from "./host";
import { appArmorProfile, noProbeHost, noWindowsHostProcess, procMountDefault, restrictedVolumeTypes, safeSysctls, seLinuxOptions } from "./pod-security";
import { noDefaultServiceAccount } from "./service-accounts";
import { noRootGroup } from "./groups";
import { rbacNoCsrApproval, rbacNoEscalation, rbacNoNodeProxy, rbacNoPodExec, rbacNoSecretReads, rbacNoTokenCreation, rbacNoWebhookChanges, rbacNoWildcards } from "./rbac-roles";
import { rbacNoPrivilegedBindings } from "./rbac-bindings";
import { noSecretEnvValues } from "./env";
import { noSecretsInConfigMaps } from "./config-data";
import { wellFormedObjects } from "./well-formed";
import { ingressTls, networkPolicyNoAllowAll, noBarePods, pvcStorageClass, noServiceExternalIps, recommendedLabels, serviceType } from "./objects";

export const kubernetesPolicies: readonly Policy[] = [
  wellFormedObjects,
  containerResources,
  containerEphemeralStorage,
  containerProbes,
  imagePinned,
  runAsNonRoot,
  noRootGroup,
  noPrivileged,
  noPrivilegeEscalation,
  readOnlyRootFilesystem,
  dropAllCapabilities,
  seccompRuntimeDefault,
  noHostNamespaces,
  noHostPorts,
  noHostPath,
  procMountDefault,
  seLinuxOptions,
  appArmorProfile,
  safeSysctls,
  restrictedVolumeTypes,
  noWindowsHostProcess,
  noProbeHost,
  noDefaultServiceAccount,
  noSecretEnvValues,
  noSecretsInConfigMaps,
  noBarePods,
  recommendedLabels,
  serviceType,
  noServiceExternalIps,
  ingressTls,
  pvcStorageClass,
  networkPolicyNoAllowAll,
  rbacNoWildcards,
  rbacNoEscalation,
  rbacNoSecretReads,
  rbacNoPodExec,
  rbacNoNodeProxy,
  rbacNoCsrApproval,
  rbacNoWebhookChanges,
  rbacNoTokenCreation,
  rbacNoPrivilegedBindings,
];
