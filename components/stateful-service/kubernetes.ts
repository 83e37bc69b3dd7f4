/** StatefulService on Kubernetes: a StatefulSet on createWorkload, plus the clients' NetworkPolicy. */
import type * as pulumi from "@pulumi/pulumi";
import type { NetworkRule } from "../core/network";
import { ClientAccess, memberLabels, memberSet, statefulOptions } from "../workload/data-store";
import { createWorkloadAwsAccess } from "../aws/workload-access";
import { createConfigObjects } from "../workload/config-objects";
import { mirrorRules } from "../workload/network-access";
import { CreatedWorkload, createWorkload, scrapedBy } from "../workload/workload";
import type { ResolvedStatefulService } from "./resolve";

export function deployStatefulService(parent: pulumi.ComponentResource, r: ResolvedStatefulService): { workload: CreatedWorkload; clients: ClientAccess } {
  const { labels, selector } = memberLabels(r, "server", r.component, r.image);
  const opts = { parent, provider: r.target.provider };
  const aws = createWorkloadAwsAccess({ name: r.name, namespace: r.namespace, labels, system: r.system, opts, platform: r.platform }, r.awsNeeds);
  const config = createConfigObjects({ name: r.name, namespace: r.namespace, labels, opts }, aws ? { ...r.env, references: { ...r.env.references, ...aws.references } } : r.env);
  const monitoring: NetworkRule[] = r.metrics ? [scrapedBy(r.target, r.metrics.port)] : [];
  const members: NetworkRule[] = r.replicas > 1 ? [{ peer: { kind: "workload", name: r.name, namespace: r.namespace, podLabels: selector } }] : [];
  const workload = createWorkload(parent, r.target, {
    ...withAnnotations(memberSet(r, labels, selector, r.replicas, r.singleReplicaReason), aws?.annotations),
    serviceAccountAnnotations: aws?.serviceAccountAnnotations,
    security: r.security,
    terminationGracePeriodSeconds: r.terminationGracePeriodSeconds,
    containers: [
      {
        name: r.name,
        image: r.image,
        command: r.command,
        args: r.args ? [...r.args] : undefined,
        ports: r.ports.map((p) => ({ name: p.name, containerPort: p.port })),
        env: config.env,
        resources: r.resources,
        startup: r.probes.startup,
        liveness: r.probes.liveness,
        readiness: r.probes.readiness,
        volumeMounts: [...r.volumes.map((vol) => ({ name: vol.name, mountPath: vol.mountPath })), ...config.volumeMounts],
      },
    ],
    volumes: config.volumes,
    volumeClaims: r.volumes.map((vol) => ({ name: vol.name, size: vol.size, storageClass: vol.storageClass })),
    workloadOptions: statefulOptions(r.protect),
    servicePorts: r.ports.map((p) => ({ name: p.name, port: p.port })),
    disruptionBudget: r.disruptionBudget ?? false,
    metrics: r.metrics,
    allowFrom: [...members, ...monitoring],
    allowTo: [...members, ...r.allowTo],
  });
  mirrorRules({ networkPeer: workload.peer, networkPorts: workload.ports }, [], r.allowTo);
  const clients = new ClientAccess(parent, r, r.ports.map((p) => ({ port: p.port })), r.allowFrom, labels, selector);
  mirrorRules(clients, r.allowFrom, []);
  return { workload, clients };
}

/** The member set's annotations plus `extra` (Reloader's). */
function withAnnotations<T extends { readonly annotations?: Readonly<Record<string, string>> }>(set: T, extra: Readonly<Record<string, string>> | undefined): T {
  return extra && Object.keys(extra).length > 0 ? { ...set, annotations: { ...(set.annotations ?? {}), ...extra } } : set;
}
