import { containerEphemeralStorage, parseQuantity } from "../../policies/kubernetes/resources";
import { CRONJOB, DEPLOYMENT, deployment, firstContainer, initContainer, pod, violations } from "./harness";

type Props = Record<string, unknown>;
const where = 'Deployment shop/api, container "api"';
const init = 'Deployment shop/api, init container "migrate"';
const requests = (c: Props) => (c.resources as Props).requests as Props;
const limits = (c: Props) => (c.resources as Props).limits as Props;

/** keel's ApiService Deployment: every container requests and limits ephemeral storage; /tmp is a sized emptyDir charged to the app container. */
function compliant(): Props {
  const d = deployment();
  requests(firstContainer(d))["ephemeral-storage"] = "128Mi";
  limits(firstContainer(d))["ephemeral-storage"] = "320Mi";
  requests(initContainer(d))["ephemeral-storage"] = "64Mi";
  limits(initContainer(d))["ephemeral-storage"] = "256Mi";
  pod(d).volumes = [{ name: "tmp", emptyDir: { sizeLimit: "64Mi" } }, { name: "shm", emptyDir: { medium: "Memory", sizeLimit: "1Gi" } }];
  return d;
}

const NO_REQUEST = (w: string) =>
  `${w}: no ephemeral-storage request; set resources.requests["ephemeral-storage"] (e.g. "64Mi") so the scheduler reserves disk for its logs and scratch files, or set this policy's requireRequest to false.`;
const NO_LIMIT = (w: string) =>
  `${w}: no ephemeral-storage limit; set resources.limits["ephemeral-storage"] (e.g. "256Mi") so a pod filling the node's disk is evicted on its own instead of putting the node under disk pressure, or set this policy's requireLimit to false.`;
const tooSmall = (volumes: string, total: string, limit: string) =>
  `Deployment shop/api: its disk-backed emptyDir volumes ${volumes} may hold ${total}, more than the pod's ephemeral-storage limit ${limit} (its containers' limits added up); the kubelet evicts the pod once it uses more than that, so raise the ephemeral-storage limit of the container that writes them, or lower their sizeLimits.`;

describe("container-ephemeral-storage", () => {
  it("passes a compliant Deployment (a memory-backed emptyDir counts as memory)", () => {
    expect(violations(containerEphemeralStorage, DEPLOYMENT, compliant())).toEqual([]);
  });

  it.each<[string, (d: Props) => void, string[]]>([
    ["no request", (d) => delete requests(firstContainer(d))["ephemeral-storage"], [NO_REQUEST(where)]],
    ["no limit", (d) => delete limits(firstContainer(d))["ephemeral-storage"], [NO_LIMIT(where)]],
    ["an init container without either", (d) => (initContainer(d).resources = { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } }), [NO_REQUEST(init), NO_LIMIT(init)]],
    [
      "a sidecar without a limit",
      (d) => (pod(d).initContainers = [{ ...initContainer(d), name: "proxy", restartPolicy: "Always", resources: { requests: { "ephemeral-storage": "64Mi" } } }]),
      [NO_LIMIT('Deployment shop/api, init container "proxy"')],
    ],
    // null is unset: no request, no limit, and no "null is not a quantity".
    ["a null request", (d) => (requests(firstContainer(d))["ephemeral-storage"] = null), [NO_REQUEST(where)]],
    ["a null limit", (d) => (limits(initContainer(d))["ephemeral-storage"] = null), [NO_LIMIT(init)]],
    [
      "a sized emptyDir after a null volume and a null emptyDir",
      (d) => (pod(d).volumes = [null, { name: "tmp", emptyDir: null }, { name: "scratch", emptyDir: { sizeLimit: "10Gi" } }]),
      [tooSmall('"scratch" ("10Gi")', "10Gi", "320Mi")],
    ],
    [
      "a limit that is not a quantity",
      (d) => (limits(firstContainer(d))["ephemeral-storage"] = "12 GB"),
      [`${where}: resources.limits["ephemeral-storage"] is "12 GB", not a Kubernetes quantity; write bytes with a suffix such as "256Mi", "1G" or "1e9".`],
    ],
    [
      "a request above the limit",
      (d) => (requests(firstContainer(d))["ephemeral-storage"] = "1Gi"),
      [`${where}: ephemeral-storage request "1Gi" is more than its limit "320Mi"; the API server rejects the pod, so make the request at most the limit.`],
    ],
    [
      "emptyDir sizeLimits above the sum of the limits",
      (d) => ((pod(d).volumes as Props[])[0] = { name: "scratch", emptyDir: { sizeLimit: "10Gi" } }),
      // The pod's limit: the app container's 320Mi, or the init container's 256Mi when larger.
      [tooSmall('"scratch" ("10Gi")', "10Gi", "320Mi")],
    ],
    [
      "volumes that add up past the limit only together",
      (d) => (pod(d).volumes = [{ name: "tmp", emptyDir: { sizeLimit: "64Mi" } }, { name: "cache", emptyDir: { sizeLimit: "1e9" } }]),
      [tooSmall('"tmp" ("64Mi"), "cache" ("1e9")', "1067108864", "320Mi")],
    ],
  ])("reports %s", (_name, mutate, expected) => {
    const d = compliant();
    mutate(d);
    expect(violations(containerEphemeralStorage, DEPLOYMENT, d)).toEqual(expected);
  });

  it("counts sidecars with the app containers, and an init container only when larger", () => {
    const d = compliant();
    (pod(d).volumes as Props[]).push({ name: "spool", emptyDir: { sizeLimit: "300Mi" } });
    // 364Mi of volumes; app 320Mi, init 256Mi: too small.
    expect(violations(containerEphemeralStorage, DEPLOYMENT, d)).toEqual([tooSmall('"tmp" ("64Mi"), "spool" ("300Mi")', "364Mi", "320Mi")]);
    // A sidecar's limit adds to the app containers' (320Mi + 64Mi = 384Mi).
    pod(d).initContainers = [{ ...initContainer(d), name: "proxy", restartPolicy: "Always", resources: { requests: { "ephemeral-storage": "64Mi" }, limits: { "ephemeral-storage": "64Mi" } } }];
    expect(violations(containerEphemeralStorage, DEPLOYMENT, d)).toEqual([]);
    // An init container's own limit counts when it is the larger one (a 1Gi dump).
    pod(d).initContainers = [{ ...initContainer(compliant()), resources: { requests: { "ephemeral-storage": "64Mi" }, limits: { "ephemeral-storage": "1Gi" } } }];
    expect(violations(containerEphemeralStorage, DEPLOYMENT, d)).toEqual([]);
  });

  it("takes the requirements from config", () => {
    const d = compliant();
    delete requests(firstContainer(d))["ephemeral-storage"];
    delete limits(initContainer(d))["ephemeral-storage"];
    expect(violations(containerEphemeralStorage, DEPLOYMENT, d, { requireRequest: false, requireLimit: false })).toEqual([]);
  });

  it("judges CronJobs' pods, and no pod limit without any container limit", () => {
    const cron = { metadata: { name: "backup", namespace: "data" }, spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: "backup", resources: {} }], volumes: [{ name: "scratch", emptyDir: { sizeLimit: "10Gi" } }] } } } } } };
    expect(violations(containerEphemeralStorage, CRONJOB, cron)).toEqual([NO_REQUEST('CronJob data/backup, container "backup"'), NO_LIMIT('CronJob data/backup, container "backup"')]);
  });

  it("ignores objects it does not apply to", () => {
    expect(violations(containerEphemeralStorage, "kubernetes:core/v1:ConfigMap", { data: {} })).toEqual([]);
  });
});

describe("parseQuantity (Kubernetes' quantity grammar)", () => {
  it.each<[unknown, number]>([
    ["128974848", 128974848],
    ["129e6", 129e6],
    ["1E3", 1000],
    ["1e9", 1e9],
    ["129M", 129e6],
    ["123Mi", 123 * 2 ** 20],
    ["1.5Gi", 1.5 * 2 ** 30],
    ["2Ti", 2 * 2 ** 40],
    ["1k", 1000],
    ["1Ki", 1024],
    ["1.", 1],
    [".5G", 5e8],
    ["+1G", 1e9],
    ["400m", 0.4],
    ["1E", 1e18],
    [1073741824, 1073741824],
  ])("reads %p", (text, bytes) => {
    expect(parseQuantity(text)).toBeCloseTo(bytes, 6);
  });

  it.each<unknown>(["12 GB", "1GB", "1e", "1Mib", "-1Gi", "Gi", "", "1.2.3", "1e1.5", null, -5])("refuses %p", (text) => {
    expect(parseQuantity(text)).toBeUndefined();
  });
});
