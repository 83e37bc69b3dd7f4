/**
 * Malformed objects are violations, never silent passes. The pack reads props with forgiving
 * accessors (obj() turns a list into {}, arr() turns an object into []), so a workload whose
 * securityContext is a list would otherwise pass every security policy unread. This policy
 * checks every field the pack's policies read (and their neighbours) against the Kubernetes
 * API's types; see lib/object-shape.ts for what counts as a problem (unknown fields and null
 * fields do not; null list items and map values do). A workload also needs what the API server
 * requires to run anything: its pod template, pod spec and at least one container
 * (validateContainers rejects an empty list), or it would pass every container policy unjudged.
 * Beyond types, well-formed-rules.ts applies the API server's own validation where keel's other
 * verdicts depend on it (selectors, topology spread, Ingress backends, disruption budgets). Type
 * problems come first; the per-object cap (maxMessages) counts both.
 */
import { resourcePolicy } from "../lib/define";
import { describe } from "../lib/kubernetes";
import { apiValidationProblems } from "./well-formed-rules";
import { ANY_OBJECT, BOOLEAN, INTEGER, INT_OR_STRING, QUANTITY, STRING, STRINGS, STRING_MAP, Shape, extend, list, mapOf, object, quiet, required, shapeProblems, withFix } from "../lib/object-shape";

const I = INTEGER;
const B = BOOLEAN;
const S = STRING;
const strings = (...keys: string[]): Record<string, Shape> => Object.fromEntries(keys.map((k) => [k, S]));
const integers = (...keys: string[]): Record<string, Shape> => Object.fromEntries(keys.map((k) => [k, I]));
const booleans = (...keys: string[]): Record<string, Shape> => Object.fromEntries(keys.map((k) => [k, B]));

const METADATA = object({
  ...strings("name", "namespace", "generateName", "uid", "resourceVersion"),
  labels: STRING_MAP,
  annotations: STRING_MAP,
  finalizers: STRINGS,
  ownerReferences: list(object({ ...strings("apiVersion", "kind", "name", "uid"), ...booleans("controller", "blockOwnerDeletion") })),
});

const REQUIREMENT = object({ ...strings("key", "operator"), values: STRINGS });
const LABEL_SELECTOR = object({ matchLabels: STRING_MAP, matchExpressions: list(REQUIREMENT) });
const NAME_REF = object({ name: S });
const TYPED_REF = object(strings("apiGroup", "kind", "name", "namespace"));
const QUANTITY_MAP = mapOf(QUANTITY);

const CAPABILITIES = object({ add: STRINGS, drop: STRINGS });
const PROFILE = object(strings("type", "localhostProfile"));
const SE_LINUX = object(strings("user", "role", "type", "level"));
const WINDOWS = object({ ...strings("gmsaCredentialSpecName", "gmsaCredentialSpec", "runAsUserName"), hostProcess: B });

const SECURITY_CONTEXT = object({
  ...booleans("privileged", "allowPrivilegeEscalation", "readOnlyRootFilesystem", "runAsNonRoot"),
  ...integers("runAsUser", "runAsGroup"),
  procMount: S,
  capabilities: CAPABILITIES,
  seccompProfile: PROFILE,
  appArmorProfile: PROFILE,
  seLinuxOptions: SE_LINUX,
  windowsOptions: WINDOWS,
});

const POD_SECURITY_CONTEXT = object({
  runAsNonRoot: B,
  ...integers("runAsUser", "runAsGroup", "fsGroup"),
  ...strings("fsGroupChangePolicy", "supplementalGroupsPolicy", "seLinuxChangePolicy"),
  supplementalGroups: list(I),
  sysctls: list(object(strings("name", "value"))),
  seccompProfile: PROFILE,
  appArmorProfile: PROFILE,
  seLinuxOptions: SE_LINUX,
  windowsOptions: WINDOWS,
});

const EXEC = object({ command: quiet(STRINGS) });
const HTTP_GET = object({ ...strings("path", "host", "scheme"), port: INT_OR_STRING, httpHeaders: list(object(strings("name", "value"))) });
const TCP_SOCKET = object({ host: S, port: INT_OR_STRING });
const PROBE = object({
  exec: EXEC,
  httpGet: HTTP_GET,
  tcpSocket: TCP_SOCKET,
  grpc: object({ port: I, service: S }),
  ...integers("initialDelaySeconds", "periodSeconds", "timeoutSeconds", "successThreshold", "failureThreshold", "terminationGracePeriodSeconds"),
});
const HANDLER = object({ exec: EXEC, httpGet: HTTP_GET, tcpSocket: TCP_SOCKET, sleep: object({ seconds: I }) });
const KEY_REF = object({ ...strings("name", "key"), optional: B });
const OPTIONAL_REF = object({ name: S, optional: B });

const CONTAINER = object({
  ...strings("name", "image", "imagePullPolicy", "workingDir", "restartPolicy", "terminationMessagePath", "terminationMessagePolicy"),
  command: quiet(withFix(STRINGS, 'write it as a list of words, e.g. ["sh", "-c", "exec app"]')),
  args: quiet(withFix(STRINGS, 'write it as a list of words, e.g. ["--port", "8080"]')),
  ports: list(object({ ...strings("name", "protocol", "hostIP"), ...integers("containerPort", "hostPort") })),
  env: quiet(withFix(list(object({
    name: S,
    value: S,
    valueFrom: object({
      secretKeyRef: KEY_REF,
      configMapKeyRef: KEY_REF,
      fieldRef: object(strings("fieldPath", "apiVersion")),
      resourceFieldRef: object({ ...strings("containerName", "resource"), divisor: QUANTITY }),
    }),
  })), 'write it as a list of { name, value } items, e.g. [{ name: "LOG_LEVEL", value: "info" }]')),
  envFrom: list(object({ prefix: S, configMapRef: OPTIONAL_REF, secretRef: OPTIONAL_REF })),
  resources: object({ requests: QUANTITY_MAP, limits: QUANTITY_MAP, claims: list(object(strings("name", "request"))) }),
  livenessProbe: PROBE,
  readinessProbe: PROBE,
  startupProbe: PROBE,
  lifecycle: object({ postStart: HANDLER, preStop: HANDLER, stopSignal: S }),
  volumeMounts: list(object({ ...strings("name", "mountPath", "subPath", "subPathExpr", "mountPropagation", "recursiveReadOnly"), readOnly: B })),
  volumeDevices: list(object(strings("name", "devicePath"))),
  securityContext: SECURITY_CONTEXT,
  ...booleans("stdin", "stdinOnce", "tty"),
});

const KEY_TO_PATH = object({ ...strings("key", "path"), mode: I });
const PVC_SPEC = object({
  ...strings("storageClassName", "volumeMode", "volumeName", "volumeAttributesClassName"),
  accessModes: STRINGS,
  resources: object({ requests: QUANTITY_MAP, limits: QUANTITY_MAP }),
  selector: LABEL_SELECTOR,
  dataSource: TYPED_REF,
  dataSourceRef: TYPED_REF,
});
const PVC = object({ metadata: METADATA, spec: PVC_SPEC });

/** Volume sources the pack does not read into: each is an object. */
const OTHER_VOLUME_SOURCES = [
  "awsElasticBlockStore", "azureDisk", "azureFile", "cephfs", "cinder", "fc", "flexVolume", "flocker", "gcePersistentDisk", "gitRepo",
  "glusterfs", "iscsi", "nfs", "photonPersistentDisk", "portworxVolume", "quobyte", "rbd", "scaleIO", "storageos", "vsphereVolume",
];

const VOLUME = object({
  ...Object.fromEntries(OTHER_VOLUME_SOURCES.map((k) => [k, ANY_OBJECT])),
  name: S,
  hostPath: object(strings("path", "type")),
  secret: object({ secretName: S, items: list(KEY_TO_PATH), defaultMode: I, optional: B }),
  configMap: object({ name: S, items: list(KEY_TO_PATH), defaultMode: I, optional: B }),
  projected: object({
    defaultMode: I,
    sources: list(object({
      secret: object({ name: S, items: list(KEY_TO_PATH), optional: B }),
      configMap: object({ name: S, items: list(KEY_TO_PATH), optional: B }),
      serviceAccountToken: object({ ...strings("audience", "path"), expirationSeconds: I }),
      downwardAPI: object({ items: list(ANY_OBJECT) }),
      clusterTrustBundle: ANY_OBJECT,
    })),
  }),
  persistentVolumeClaim: object({ claimName: S, readOnly: B }),
  emptyDir: object({ medium: S, sizeLimit: QUANTITY }),
  downwardAPI: object({ items: list(ANY_OBJECT), defaultMode: I }),
  csi: object({ driver: S, readOnly: B, volumeAttributes: STRING_MAP }),
  ephemeral: object({ volumeClaimTemplate: PVC }),
  image: object(strings("reference", "pullPolicy")),
});

const AFFINITY_TERM = object({ labelSelector: LABEL_SELECTOR, namespaceSelector: LABEL_SELECTOR, namespaces: STRINGS, topologyKey: S, matchLabelKeys: STRINGS, mismatchLabelKeys: STRINGS });
const POD_AFFINITY = object({
  requiredDuringSchedulingIgnoredDuringExecution: list(AFFINITY_TERM),
  preferredDuringSchedulingIgnoredDuringExecution: list(object({ weight: I, podAffinityTerm: AFFINITY_TERM })),
});
const NODE_SELECTOR_TERM = object({ matchExpressions: list(REQUIREMENT), matchFields: list(REQUIREMENT) });

const POD_SPEC = object({
  containers: required(list(CONTAINER), "add at least one container (the API server rejects a pod spec without one)"),
  initContainers: list(CONTAINER),
  ephemeralContainers: list(extend(CONTAINER, { targetContainerName: S })),
  volumes: list(VOLUME),
  securityContext: POD_SECURITY_CONTEXT,
  ...booleans("hostNetwork", "hostPID", "hostIPC", "hostUsers", "shareProcessNamespace", "automountServiceAccountToken", "enableServiceLinks", "setHostnameAsFQDN"),
  ...strings("serviceAccountName", "serviceAccount", "nodeName", "hostname", "subdomain", "restartPolicy", "dnsPolicy", "priorityClassName", "runtimeClassName", "schedulerName", "preemptionPolicy"),
  ...integers("priority", "terminationGracePeriodSeconds", "activeDeadlineSeconds"),
  nodeSelector: STRING_MAP,
  os: object({ name: S }),
  affinity: object({
    podAntiAffinity: POD_AFFINITY,
    podAffinity: POD_AFFINITY,
    nodeAffinity: object({
      requiredDuringSchedulingIgnoredDuringExecution: object({ nodeSelectorTerms: list(NODE_SELECTOR_TERM) }),
      preferredDuringSchedulingIgnoredDuringExecution: list(object({ weight: I, preference: NODE_SELECTOR_TERM })),
    }),
  }),
  tolerations: list(object({ ...strings("key", "operator", "value", "effect"), tolerationSeconds: I })),
  topologySpreadConstraints: list(object({
    ...integers("maxSkew", "minDomains"),
    ...strings("topologyKey", "whenUnsatisfiable", "nodeAffinityPolicy", "nodeTaintsPolicy"),
    labelSelector: LABEL_SELECTOR,
    matchLabelKeys: STRINGS,
  })),
  imagePullSecrets: list(NAME_REF),
  hostAliases: list(object({ ip: S, hostnames: STRINGS })),
  overhead: QUANTITY_MAP,
  resources: object({ requests: QUANTITY_MAP, limits: QUANTITY_MAP }),
});

/** A pod spec the API server requires: with its containers. */
const REQUIRED_POD_SPEC = required(POD_SPEC, "add the pod spec with at least one container (the API server rejects the object without one)");
const POD_TEMPLATE = object({ metadata: METADATA, spec: REQUIRED_POD_SPEC });
const REQUIRED_TEMPLATE = required(POD_TEMPLATE, "add the pod template with at least one container (the API server rejects the object without one)");
/** A workload's spec, which the API server requires. */
const workloadSpec = (fields: Readonly<Record<string, Shape>>): Shape => required(object(fields), "add the spec with a pod template and at least one container (the API server rejects the object without one)");
const ROLLING = object({ maxSurge: INT_OR_STRING, maxUnavailable: INT_OR_STRING, partition: I });
const UPDATE_STRATEGY = object({ type: S, rollingUpdate: ROLLING });
const JOB_FIELDS: Readonly<Record<string, Shape>> = {
  template: REQUIRED_TEMPLATE,
  selector: LABEL_SELECTOR,
  ...booleans("manualSelector", "suspend"),
  ...integers("parallelism", "completions", "backoffLimit", "backoffLimitPerIndex", "maxFailedIndexes", "activeDeadlineSeconds", "ttlSecondsAfterFinished"),
  ...strings("completionMode", "podReplacementPolicy", "managedBy"),
};

const NP_PEER = object({ podSelector: LABEL_SELECTOR, namespaceSelector: LABEL_SELECTOR, ipBlock: object({ cidr: S, except: STRINGS }) });
const NP_PORT = object({ protocol: S, port: INT_OR_STRING, endPort: I });
const INGRESS_BACKEND = object({ service: object({ name: S, port: object({ number: I, name: S }) }), resource: TYPED_REF });
const METRIC_TARGET = object({ type: S, averageUtilization: I, averageValue: QUANTITY, value: QUANTITY });
const SCALING_RULES = object({ stabilizationWindowSeconds: I, selectPolicy: S, policies: list(object({ type: S, ...integers("value", "periodSeconds") })) });
const RBAC_SUBJECTS = { roleRef: object(strings("apiGroup", "kind", "name")), subjects: list(object(strings("kind", "name", "namespace", "apiGroup"))) };
const RBAC_RULES = list(object({ apiGroups: STRINGS, resources: STRINGS, verbs: STRINGS, resourceNames: STRINGS, nonResourceURLs: STRINGS }));
const MONITOR_NAMESPACES = object({ any: B, matchNames: STRINGS });

/** An object's top level: apiVersion, kind, metadata and the kind's own fields. */
const kubernetesObject = (fields: Readonly<Record<string, Shape>>): Shape => object({ ...strings("apiVersion", "kind"), metadata: METADATA, ...fields });

/** Built-in kinds by kind (as the pack's other policies match them: any group or version). */
const BUILT_IN: Readonly<Record<string, Shape>> = {
  Pod: kubernetesObject({ spec: REQUIRED_POD_SPEC }),
  PodTemplate: kubernetesObject({ template: REQUIRED_TEMPLATE }),
  Deployment: kubernetesObject({
    spec: workloadSpec({
      ...integers("replicas", "minReadySeconds", "revisionHistoryLimit", "progressDeadlineSeconds"),
      paused: B,
      selector: LABEL_SELECTOR,
      template: REQUIRED_TEMPLATE,
      strategy: UPDATE_STRATEGY,
    }),
  }),
  StatefulSet: kubernetesObject({
    spec: workloadSpec({
      ...integers("replicas", "minReadySeconds", "revisionHistoryLimit"),
      ...strings("serviceName", "podManagementPolicy"),
      selector: LABEL_SELECTOR,
      template: REQUIRED_TEMPLATE,
      volumeClaimTemplates: list(PVC),
      updateStrategy: UPDATE_STRATEGY,
      persistentVolumeClaimRetentionPolicy: object(strings("whenDeleted", "whenScaled")),
      ordinals: object({ start: I }),
    }),
  }),
  DaemonSet: kubernetesObject({ spec: workloadSpec({ ...integers("minReadySeconds", "revisionHistoryLimit"), selector: LABEL_SELECTOR, template: REQUIRED_TEMPLATE, updateStrategy: UPDATE_STRATEGY }) }),
  ReplicaSet: kubernetesObject({ spec: workloadSpec({ ...integers("replicas", "minReadySeconds"), selector: LABEL_SELECTOR, template: REQUIRED_TEMPLATE }) }),
  // Its selector is a plain map of labels, not a LabelSelector.
  ReplicationController: kubernetesObject({ spec: workloadSpec({ ...integers("replicas", "minReadySeconds"), selector: STRING_MAP, template: REQUIRED_TEMPLATE }) }),
  Job: kubernetesObject({ spec: workloadSpec(JOB_FIELDS) }),
  CronJob: kubernetesObject({
    spec: required(object({
      ...strings("schedule", "timeZone", "concurrencyPolicy"),
      suspend: B,
      ...integers("startingDeadlineSeconds", "successfulJobsHistoryLimit", "failedJobsHistoryLimit"),
      jobTemplate: required(object({ metadata: METADATA, spec: workloadSpec(JOB_FIELDS) }), "add the job template with a pod template and at least one container (the API server rejects the object without one)"),
    }), "add the spec with a schedule and a job template (the API server rejects the object without them)"),
  }),
  Service: kubernetesObject({
    spec: object({
      selector: STRING_MAP,
      ports: list(object({ ...strings("name", "protocol", "appProtocol"), ...integers("port", "nodePort"), targetPort: INT_OR_STRING })),
      ...strings("type", "clusterIP", "externalName", "externalTrafficPolicy", "internalTrafficPolicy", "sessionAffinity", "loadBalancerIP", "loadBalancerClass", "ipFamilyPolicy", "trafficDistribution"),
      ...Object.fromEntries(["externalIPs", "clusterIPs", "loadBalancerSourceRanges", "ipFamilies"].map((k) => [k, STRINGS])),
      ...booleans("publishNotReadyAddresses", "allocateLoadBalancerNodePorts"),
      healthCheckNodePort: I,
    }),
  }),
  Ingress: kubernetesObject({
    spec: object({
      ingressClassName: S,
      defaultBackend: INGRESS_BACKEND,
      rules: list(object({ host: S, http: object({ paths: list(object({ ...strings("path", "pathType"), backend: INGRESS_BACKEND })) }) })),
      tls: list(object({ hosts: STRINGS, secretName: S })),
    }),
  }),
  NetworkPolicy: kubernetesObject({
    spec: object({
      podSelector: LABEL_SELECTOR,
      policyTypes: STRINGS,
      ingress: list(object({ from: list(NP_PEER), ports: list(NP_PORT) })),
      egress: list(object({ to: list(NP_PEER), ports: list(NP_PORT) })),
    }),
  }),
  PodDisruptionBudget: kubernetesObject({ spec: object({ selector: LABEL_SELECTOR, minAvailable: INT_OR_STRING, maxUnavailable: INT_OR_STRING, unhealthyPodEvictionPolicy: S }) }),
  HorizontalPodAutoscaler: kubernetesObject({
    spec: object({
      scaleTargetRef: object(strings("apiVersion", "kind", "name")),
      ...integers("minReplicas", "maxReplicas", "targetCPUUtilizationPercentage"),
      metrics: list(object({
        type: S,
        resource: object({ name: S, target: METRIC_TARGET }),
        containerResource: object({ ...strings("name", "container"), target: METRIC_TARGET }),
        ...Object.fromEntries(["pods", "object", "external"].map((k) => [k, ANY_OBJECT])),
      })),
      behavior: object({ scaleUp: SCALING_RULES, scaleDown: SCALING_RULES }),
    }),
  }),
  PersistentVolumeClaim: kubernetesObject({ spec: PVC_SPEC }),
  ConfigMap: kubernetesObject({ data: quiet(STRING_MAP), binaryData: quiet(STRING_MAP), immutable: B }),
  Secret: kubernetesObject({ data: quiet(STRING_MAP), stringData: quiet(STRING_MAP), type: S, immutable: B }),
  ServiceAccount: kubernetesObject({ automountServiceAccountToken: B, imagePullSecrets: list(NAME_REF), secrets: list(TYPED_REF) }),
  Role: kubernetesObject({ rules: RBAC_RULES }),
  ClusterRole: kubernetesObject({ rules: RBAC_RULES, aggregationRule: object({ clusterRoleSelectors: list(LABEL_SELECTOR) }) }),
  RoleBinding: kubernetesObject(RBAC_SUBJECTS),
  ClusterRoleBinding: kubernetesObject(RBAC_SUBJECTS),
  Namespace: kubernetesObject({ spec: object({ finalizers: STRINGS }) }),
  StorageClass: kubernetesObject({ ...strings("provisioner", "reclaimPolicy", "volumeBindingMode"), parameters: STRING_MAP, allowVolumeExpansion: B, mountOptions: STRINGS }),
};

const ISSUER = kubernetesObject({ spec: object({ acme: object({ ...strings("server", "email"), solvers: list(ANY_OBJECT) }), ca: object({ secretName: S }), selfSigned: ANY_OBJECT, vault: ANY_OBJECT }) });

/** Operator kinds the pack reads, by `group/Kind` (a kind name alone may belong to another CRD). */
const CUSTOM: Readonly<Record<string, Shape>> = {
  "cert-manager.io/Certificate": kubernetesObject({
    spec: object({ ...strings("secretName", "commonName", "duration", "renewBefore"), dnsNames: STRINGS, issuerRef: object(strings("name", "kind", "group")) }),
  }),
  "cert-manager.io/Issuer": ISSUER,
  "cert-manager.io/ClusterIssuer": ISSUER,
  "monitoring.coreos.com/ServiceMonitor": kubernetesObject({
    spec: object({
      selector: LABEL_SELECTOR,
      namespaceSelector: MONITOR_NAMESPACES,
      endpoints: list(object({ ...strings("port", "path", "scheme", "interval", "scrapeTimeout"), targetPort: INT_OR_STRING })),
    }),
  }),
  "monitoring.coreos.com/PodMonitor": kubernetesObject({
    spec: object({
      selector: LABEL_SELECTOR,
      namespaceSelector: MONITOR_NAMESPACES,
      podMetricsEndpoints: list(object({ ...strings("port", "path", "scheme", "interval", "scrapeTimeout"), portNumber: I, targetPort: INT_OR_STRING })),
    }),
  }),
};

/** Any other Kubernetes object: its metadata (which every policy reads for names and exemptions). */
const ANY_KUBERNETES_OBJECT = kubernetesObject({});

/** The shape of a Kubernetes type token (`kubernetes:apps/v1:Deployment`), or undefined for other types. */
function shapeOf(type: string): Shape | undefined {
  if (!type.startsWith("kubernetes:")) return undefined;
  const last = type.lastIndexOf(":");
  const kind = type.slice(last + 1);
  const group = type.slice("kubernetes:".length, last).split("/")[0];
  return CUSTOM[`${group}/${kind}`] ?? (Object.prototype.hasOwnProperty.call(BUILT_IN, kind) ? BUILT_IN[kind] : ANY_KUBERNETES_OBJECT);
}

export const wellFormedObjects = resourcePolicy({
  name: "well-formed-objects",
  description: "Kubernetes objects have the types the API expects in every field the pack reads (a list where a list belongs), and pass the API server's own validation of selectors, spread constraints, Ingress backends and disruption budgets, so no policy judges an object that could never exist.",
  enforcementLevel: "mandatory",
  config: { maxMessages: { type: "integer", default: 20, description: "Messages per object; the rest are counted in one last message." } },
  appliesTo: (type) => type.startsWith("kubernetes:"),
  check(target, report, config) {
    const shape = shapeOf(target.type);
    if (!shape) return;
    const problems = shapeProblems(target.props, shape);
    const messages = problems.map((p) => `${p.path} is ${p.found} where ${p.expected} belongs; ${p.fix}.`);
    messages.push(...apiValidationProblems(target.type, target.props, problems));
    if (messages.length === 0) return;
    const where = describe(target);
    const max = Math.max(1, Math.floor(Number(config.maxMessages)) || 20);
    for (const m of messages.slice(0, max)) report(`${where}: ${m}`);
    const more = messages.length - max;
    if (more <= 0) return;
    const what = messages.length > problems.length ? (more === 1 ? "problem" : "problems") : more === 1 ? "field of the wrong type" : "fields of the wrong type";
    report(`${where}: ... and ${more} more ${what}; fix the ones above and check again.`);
  },
});
