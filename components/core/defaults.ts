/**
 * keel's defaults, in one place. They are secure by default: non-root, read-only root
 * filesystem, no privilege escalation, all capabilities dropped, seccomp RuntimeDefault,
 * requests and limits always set, probes whenever a port is exposed, deny-by-default
 * network policies. Components read these; they never hard-code their own.
 */

export const defaults = {
  /** UID/GID containers run as when the image does not say otherwise (non-root, outside system ranges). */
  securityContext: {
    runAsUser: 10001,
    runAsGroup: 10001,
    fsGroup: 10001,
    readOnlyRootFilesystem: true,
    /** Capabilities a workload may add back after `drop: [ALL]`. */
    allowedCapabilities: ["NET_BIND_SERVICE"] as readonly string[],
  },
  /** The writable emptyDir mounted at /tmp when the root filesystem is read-only. */
  tmpVolume: { mountPath: "/tmp", sizeLimit: "64Mi" },
  /**
   * Ephemeral storage of a container besides the disk-backed emptyDir volumes it writes (their
   * sizeLimits are added on top, see core/resources.ts). It holds the container's log files and
   * its writable layer, which a read-only root filesystem keeps near empty. The kubelet keeps up
   * to containerLogMaxFiles (5) x containerLogMaxSize (10Mi) = 50Mi of logs per container by
   * default and rotates them every containerLogMonitorInterval (10s): the request covers the logs
   * at rest, the limit a burst between two rotations. Over the limit, the kubelet evicts the pod.
   */
  ephemeralStorage: { request: "64Mi", limit: "256Mi" },
  /** The sizeLimit of the emptyDir a data store writes when it runs without a volume (`storage: false`: dev, caches). */
  dataEmptyDir: { sizeLimit: "2Gi" },
  /** Requests and limits when a component is given none. */
  resources: {
    requests: { cpu: "100m", memory: "128Mi" },
    limits: { cpu: "500m", memory: "256Mi" },
  },
  /** Probe handlers and timings; any field can be overridden per probe. */
  probes: {
    liveness: { path: "/health/live", initialDelaySeconds: 0, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3, successThreshold: 1 },
    readiness: { path: "/health/ready", initialDelaySeconds: 0, periodSeconds: 5, timeoutSeconds: 5, failureThreshold: 3, successThreshold: 1 },
    /** The startup probe checks the liveness endpoint; 30 x 3 s gives a slow start 90 s. */
    startup: { initialDelaySeconds: 0, periodSeconds: 3, timeoutSeconds: 5, failureThreshold: 30, successThreshold: 1 },
  },
  apiService: {
    containerPort: 8080,
    servicePort: 80,
    replicas: 2,
    /** Zero-downtime rollouts: add a pod before removing one. */
    rollingUpdate: { maxSurge: "25%", maxUnavailable: 0 },
    terminationGracePeriodSeconds: 30,
    /** A stopping pod keeps serving this long, until the endpoints no longer list it. */
    preStopSeconds: 5,
    revisionHistoryLimit: 5,
  },
  /** PodDisruptionBudget when replicas > 1. Never `maxUnavailable: 0`: it blocks node drains. */
  disruptionBudget: { maxUnavailable: 1 },
  /** HorizontalPodAutoscaler behaviour: +1 pod per 30 s up, -1 pod per 5 min down. */
  autoscaling: {
    scaleUp: { pods: 1, periodSeconds: 30, stabilizationWindowSeconds: 0 },
    scaleDown: { pods: 1, periodSeconds: 300, stabilizationWindowSeconds: 300 },
  },
  /** Spread replicas across zones and nodes; ScheduleAnyway so single-zone clusters still schedule. */
  topologySpread: {
    zoneKey: "topology.kubernetes.io/zone",
    nodeKey: "kubernetes.io/hostname",
    maxSkew: 1,
    whenUnsatisfiable: "ScheduleAnyway" as "ScheduleAnyway" | "DoNotSchedule",
  },
  ingress: {
    className: "nginx",
    clusterIssuer: "letsencrypt-prod",
    pathType: "Prefix" as const,
    maxBodySize: "1m",
  },
  metrics: { path: "/metrics" },
  /** Where cluster DNS runs, for the egress rule every workload gets. */
  dns: { namespace: "kube-system", podLabels: { "k8s-app": "kube-dns" } as Record<string, string>, port: 53 },
  /** Namespaces per tier (seed 000). The app tier defaults to the system's own name. */
  namespaces: { data: "data", storage: "storage", monitoring: "monitoring" },
  /** The ingress controller keel expects on a bare cluster (ingress-nginx's Helm chart labels). */
  ingressController: {
    namespace: "ingress-nginx",
    podLabels: { "app.kubernetes.io/name": "ingress-nginx" } as Record<string, string>,
  },
  /** Pod Security Standard enforced on the namespaces keel creates. */
  podSecurityStandard: "restricted" as "restricted" | "baseline" | "privileged",
  /**
   * The aws platform (components/platform/aws.ts): production-safe by default; the dev profile
   * asks for less (one NAT gateway). terraform-aws-modules' and @pulumi/eks' defaults are the floor.
   */
  aws: {
    vpcCidr: "10.0.0.0/16",
    /** One NAT gateway per AZ: an AZ's outage does not cut the others' egress. */
    natGateways: "one-per-az" as "single" | "one-per-az",
    flowLogRetentionDays: 365,
    /** A Kubernetes minor version in EKS standard support on 2026-12 (pin yours; upgrade one minor at a time). */
    kubernetesVersion: "1.34",
    logRetentionDays: 90,
    /** 4 vCPU / 16 GiB, 58 pods: room for a data store's pod beside the services. */
    instanceType: "m6i.xlarge",
    diskSizeGiB: 50,
    /** Share of the nodes' allocatable left free: rollouts' surge and one node's loss. */
    headroom: 0.3,
    /** One node per AZ. */
    minNodes: 3,
    storageClass: "gp3",
    ingressReplicas: 2,
    certManagerNamespace: "cert-manager",
  },
  /** Labels a Prometheus operator's `serviceMonitorSelector` usually matches (kube-prometheus-stack). */
  serviceMonitorLabels: { release: "kube-prometheus-stack" } as Record<string, string>,
} as const;
