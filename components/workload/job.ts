/**
 * Jobs and CronJobs (backups, bucket and topic creation), hardened like every other workload:
 * their own ServiceAccount without a token, non-root, read-only root, resources, a
 * deny-by-default NetworkPolicy that lets them reach only what they name.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { stringify } from "yaml";
import type { Labels } from "../core/labels";
import { childName } from "../core/naming";
import type { NetworkRule } from "../core/network";
import { egressRule } from "../core/network";
import { ResolvedSecurity, podSecurityContext } from "../core/security";
import type { KubernetesTarget } from "../platform/types";
import { NetworkAccess, NetworkPolicyHolder } from "./network-access";
import { InitContainerSpec, baseVolumes, podContainers } from "./workload";

import Input = k8s.types.input.core.v1;

export interface JobSpec {
  readonly name: string;
  readonly namespace: pulumi.Input<string>;
  readonly labels: Labels;
  readonly selector: Labels;
  readonly security: ResolvedSecurity;
  /** Run in order before `containers` (e.g. dump, then upload). */
  readonly initContainers?: readonly InitContainerSpec[];
  readonly containers: readonly InitContainerSpec[];
  readonly volumes?: readonly Input.Volume[];
  /** Retries before the Job fails. @default 2 */
  readonly backoffLimit?: number;
  /** Seconds after which a running Job is stopped. @default 3600 */
  readonly activeDeadlineSeconds?: number;
  /** What the Job's pods may reach besides DNS. */
  readonly allowTo: readonly NetworkRule[];
  /** Cron schedule (UTC): a CronJob; otherwise a Job that runs once per change. */
  readonly schedule?: string;
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface CreatedJob {
  readonly job: k8s.batch.v1.Job | k8s.batch.v1.CronJob;
  readonly networkAccess: NetworkAccess;
  /** The Job's pods as a network endpoint: `connect(created.endpoint, store)` opens both sides. */
  readonly endpoint: NetworkPolicyHolder;
}

function jobSpec(s: JobSpec, serviceAccount: pulumi.Input<string>): k8s.types.input.batch.v1.JobSpec {
  const volumes = [...baseVolumes(s.security), ...(s.volumes ?? [])];
  return {
    backoffLimit: s.backoffLimit ?? 2,
    activeDeadlineSeconds: s.activeDeadlineSeconds ?? 3600,
    ttlSecondsAfterFinished: s.schedule ? undefined : 86400,
    template: {
      metadata: { labels: s.labels },
      spec: {
        serviceAccountName: serviceAccount,
        automountServiceAccountToken: false,
        restartPolicy: "Never",
        securityContext: podSecurityContext(s.security),
        ...podContainers(s.security, s.initContainers ?? [], s.containers, volumes),
        volumes,
      },
    },
  };
}

export function createJob(parent: pulumi.Resource, target: KubernetesTarget, s: JobSpec): CreatedJob {
  const opts: pulumi.CustomResourceOptions = { parent, provider: target.provider };
  const metadata = { name: s.name, namespace: s.namespace, labels: s.labels, annotations: s.annotations ? { ...s.annotations } : undefined };
  const serviceAccount = new k8s.core.v1.ServiceAccount(
    childName(s.name, "sa"),
    { metadata: { name: s.name, namespace: s.namespace, labels: s.labels }, automountServiceAccountToken: false },
    opts,
  );
  const spec = jobSpec(s, serviceAccount.metadata.name);
  const job = s.schedule
    ? new k8s.batch.v1.CronJob(
        childName(s.name, "cronjob"),
        { metadata, spec: { schedule: s.schedule, timeZone: "Etc/UTC", concurrencyPolicy: "Forbid", successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 3, jobTemplate: { metadata: { labels: s.labels }, spec } } },
        opts,
      )
    : new k8s.batch.v1.Job(childName(s.name, "job"), { metadata: { ...metadata, name: undefined }, spec }, opts);
  const networkAccess = new NetworkAccess(
    { name: s.name, namespace: s.namespace, podSelector: s.selector, labels: s.labels, dns: target.dns, ports: [], opts },
    { ingress: [], egress: s.allowTo.map(egressRule) },
  );
  const endpoint: NetworkPolicyHolder = { networkPeer: { kind: "workload", name: s.name, namespace: s.namespace, podLabels: s.selector }, networkPorts: [], networkAccess };
  return { job, networkAccess, endpoint };
}

export interface OneOffJobSpec {
  /** `generateName` prefix (each `kubectl create -f` makes a new Job). */
  readonly generateName: string;
  readonly namespace: pulumi.Input<string>;
  /** The labels (and so the NetworkPolicy) of the scheduled Job whose identity it borrows. */
  readonly labels: Labels;
  readonly serviceAccountName: pulumi.Input<string>;
  readonly security: ResolvedSecurity;
  readonly initContainers?: readonly InitContainerSpec[];
  readonly containers: readonly InitContainerSpec[];
  readonly volumes: readonly Input.Volume[];
}

/**
 * A Job manifest someone runs by hand (a restore), as YAML: it borrows a scheduled Job's labels,
 * ServiceAccount and volumes, so its flows and permissions are the ones keel already checked.
 */
export function oneOffJobManifest(s: OneOffJobSpec): pulumi.Output<string> {
  const volumes = [...baseVolumes(s.security), ...s.volumes];
  return pulumi
    .output({
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: { generateName: s.generateName, namespace: s.namespace, labels: s.labels },
      spec: {
        backoffLimit: 0,
        ttlSecondsAfterFinished: 7 * 86400,
        template: {
          metadata: { labels: s.labels },
          spec: {
            serviceAccountName: s.serviceAccountName,
            automountServiceAccountToken: false,
            restartPolicy: "Never",
            securityContext: podSecurityContext(s.security),
            ...podContainers(s.security, s.initContainers ?? [], s.containers, volumes),
            volumes,
          },
        },
      },
    })
    .apply((manifest) => stringify(manifest));
}
