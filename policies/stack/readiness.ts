/**
 * A data store's pod is Ready only when every container is: a helper (backup, WAL shipping,
 * exporter) must not take the database out of its Service because something outside the pod
 * fails. A helper's readiness probe checks only its own port (never a command, which can fail on
 * anything), and helpers run images that can be pulled (keel's, or declared by the user with a reason).
 */
import { CLUSTER_FACTS_SETTING } from "../lib/cluster-facts";
import { stackPolicy } from "../lib/define";
import { IMAGE_MANIFEST_SETTING, readImageManifest } from "../lib/image-manifest";
import { Obj, arr, obj, str } from "../lib/props";
import type { StackObjects, WorkloadEntry } from "../lib/stack-objects";
import { wholeStack } from "./whole-stack";

const METRICS_PORT = /(^|-)(metrics|exporter|prom)($|-)/;

function isDataStore(w: WorkloadEntry): boolean {
  return w.object.kind === "StatefulSet" || arr(w.podSpec.volumes).some((v) => obj(v).persistentVolumeClaim !== undefined);
}

/** The containers that serve the pod's Services (metrics ports aside); else the first container. */
function mainContainers(stack: StackObjects, w: WorkloadEntry, containers: readonly Obj[]): Set<string> {
  const served = new Set<string>();
  for (const svc of stack.services.values()) {
    if (svc.object.namespace !== w.object.namespace || !svc.selector || Object.keys(svc.selector).length === 0) continue;
    if (!Object.entries(svc.selector).every(([k, v]) => w.group.labels[k] === v)) continue;
    for (const sp of svc.ports) {
      if (METRICS_PORT.test(sp.name ?? "")) continue;
      for (const c of containers) {
        const match = arr(c.ports).map(obj).some((p) => (typeof sp.targetPort === "number" ? p.containerPort === sp.targetPort : p.name === sp.targetPort));
        if (match) served.add(str(c.name) ?? "");
      }
    }
  }
  if (served.size === 0 && containers.length) served.add(str(containers[0].name) ?? "");
  return served;
}

/** Whether an HTTP/TCP/gRPC probe targets one of the container's own ports (a local health check). */
function ownPort(c: Obj, probe: Obj): boolean {
  const port = obj(probe.httpGet).port ?? obj(probe.tcpSocket).port ?? obj(probe.grpc).port;
  return arr(c.ports).map(obj).some((p) => p.containerPort === port || (typeof port === "string" && p.name === port));
}

export const helperReadiness = stackPolicy({
  name: "helper-readiness",
  description: "Helper containers of a data store's pod (backup, WAL shipping, exporters) cannot take it out of its Service.",
  enforcementLevel: "mandatory",
  config: { ...CLUSTER_FACTS_SETTING, ...IMAGE_MANIFEST_SETTING },
  check(resources, report, config) {
    const { stack, facts } = wholeStack(resources, config);
    const manifest = readImageManifest(config.images);
    for (const w of stack.workloads.filter(isDataStore)) {
      const containers = [...arr(w.podSpec.initContainers).map(obj).filter((c) => c.restartPolicy === "Always"), ...arr(w.podSpec.containers).map(obj)];
      const main = mainContainers(stack, w, containers);
      const mainText = [...main].map((m) => `"${m}"`).join(", ");
      for (const c of containers.filter((x) => !main.has(str(x.name) ?? ""))) {
        const name = `${w.group.id}, helper container "${str(c.name)}"`;
        const probe = obj(c.readinessProbe);
        if (probe.exec !== undefined) {
          report(w.object.urn, `${name}: its readinessProbe runs a command, which can fail on anything outside the pod (an upload, a remote store), and then the pod leaves its Services although ${mainText} still serves; probe only the helper's own port, or drop the probe and watch it through metrics and alerts.`);
        } else if (c.readinessProbe !== undefined && !ownPort(c, probe)) {
          report(w.object.urn, `${name}: its readinessProbe checks a port the helper does not serve, so another container's trouble takes the pod out of its Services; probe the helper's own port.`);
        }
        const image = str(c.image) ?? "";
        if (manifest.size > 0 && !manifest.has(image) && !facts.userImages?.some((u) => u.reference === image)) {
          report(w.object.urn, `${name}: runs ${image}, an image keel cannot vouch for; if it cannot be pulled the pod never becomes Ready and ${mainText} never serves. Use keel's default image, or declare it as a user image (with a reason) so it is listed as a prerequisite.`);
        }
      }
    }
  },
});
