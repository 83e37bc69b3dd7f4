/**
 * Nothing of the host: no host namespaces, host ports or host paths. keel forbids every
 * hostPort, stricter than Pod Security baseline (which allows a known list), on purpose: a
 * Service exposes a port without tying the pod to a node. Init and ephemeral containers count
 * too (Pod Security admission visits them all: policy/visitor.go, visitContainers).
 */
import { resourcePolicy } from "../lib/define";
import { allContainersOf, describe, describeContainer, isUnset, isWorkload, objectsIn, podSpecOf } from "../lib/kubernetes";
import { at } from "../lib/props";

export const noHostNamespaces = resourcePolicy({
  name: "no-host-namespaces",
  description: "Pods do not share the host's network, PID or IPC namespace.",
  enforcementLevel: "mandatory",
  appliesTo: isWorkload,
  check(target, report) {
    const pod = podSpecOf(target);
    const names: Record<string, string> = { hostNetwork: "network", hostPID: "PID", hostIPC: "IPC" };
    for (const [key, what] of Object.entries(names)) {
      if (pod[key] === true) report(`${describe(target)}: uses the host's ${what} namespace (${key}: true); remove ${key}.`);
    }
  },
});

export const noHostPorts = resourcePolicy({
  name: "no-host-ports",
  description: "Containers do not bind host ports.",
  enforcementLevel: "mandatory",
  appliesTo: isWorkload,
  check(target, report) {
    for (const ref of allContainersOf(target)) {
      for (const port of objectsIn(ref.container.ports)) {
        const hostPort = port.hostPort;
        if (!isUnset(hostPort) && hostPort !== 0) {
          report(`${describeContainer(target, ref)}: binds host port ${String(hostPort)}; remove hostPort and expose the port through a Service.`);
        }
      }
    }
  },
});

export const noHostPath = resourcePolicy({
  name: "no-host-path",
  description: "Pods mount no hostPath volumes.",
  enforcementLevel: "mandatory",
  appliesTo: isWorkload,
  check(target, report) {
    for (const volume of objectsIn(podSpecOf(target).volumes)) {
      const path = at(volume, "hostPath.path");
      if (!isUnset(volume.hostPath)) {
        report(`${describe(target)}: mounts host path ${String(path)} (volume "${String(volume.name)}"); use a PersistentVolumeClaim, configMap, secret or emptyDir instead.`);
      }
    }
  },
});
