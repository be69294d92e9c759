/**
 * Observe step of the Worker controller: everything it compares against, read from the seed in parallel — the
 * credentials and user data secrets, the machine objects of the namespace and MCM's Deployment.
 */
import type { Deployment } from "kubernetes-types/apps/v1.d.ts";
import type { Secret } from "kubernetes-types/core/v1.d.ts";
import { LABEL_PURPOSE, PURPOSE_MACHINE_CLASS } from "../../apis/extensions/constants.ts";
import type { Worker } from "../../apis/extensions/v1alpha1.ts";
import type { Machine, MachineClass, MachineDeployment, MachineSet } from "../../apis/machine/v1alpha1.ts";
import type { KubeClient } from "../../k8s/client/client.ts";
import { undefinedIfNotFound } from "../../k8s/api/errors.ts";
import type { KubeObject } from "../../k8s/api/objects.ts";
import { AppsV1, CoreV1, MachineV1alpha1, type ResourceType } from "../../k8s/api/resources.ts";
import { userDataSecretNames } from "./desired_state.ts";

/** Name of the machine-controller-manager Deployment gardenlet runs in every shoot namespace. */
export const MCM_DEPLOYMENT = "machine-controller-manager";

/** What the Worker controller observed. */
export interface ObservedWorker {
  credentials: Secret | undefined;
  userDataSecrets: Map<string, Secret | undefined>;
  deployments: MachineDeployment[];
  machineSets: MachineSet[];
  classes: MachineClass[];
  /** Secrets labelled `gardener.cloud/purpose=machineclass`. */
  classSecrets: Secret[];
  /** MCM's Deployment; undefined where gardenlet runs none (e.g. the playground). */
  mcm: Deployment | undefined;
}

/** GET that yields undefined for a missing object. */
export async function getOptional<T extends KubeObject>(
  client: KubeClient,
  res: ResourceType,
  name: string,
  namespace: string,
  signal?: AbortSignal,
): Promise<T | undefined> {
  return await undefinedIfNotFound(client.get<T>(res, name, { namespace, signal }));
}

/** All objects of a resource in the namespace (optionally by label selector), sorted by name for stable output. */
export async function listInNamespace<T extends KubeObject>(
  client: KubeClient,
  res: ResourceType,
  namespace: string,
  signal?: AbortSignal,
  labelSelector?: string,
): Promise<T[]> {
  const list = await client.listAll<T>(res, { namespace, signal, labelSelector });
  return list.items.sort((a, b) => (a.metadata.name ?? "").localeCompare(b.metadata.name ?? ""));
}

/** The Machines of the namespace (read only when they are labelled or counted). */
export function listMachines(client: KubeClient, namespace: string, signal?: AbortSignal): Promise<Machine[]> {
  return listInNamespace<Machine>(client, MachineV1alpha1.machines, namespace, signal);
}

/** The class Secrets of the namespace. */
export function listClassSecrets(client: KubeClient, namespace: string, signal?: AbortSignal): Promise<Secret[]> {
  return listInNamespace<Secret & KubeObject>(
    client,
    CoreV1.secrets,
    namespace,
    signal,
    `${LABEL_PURPOSE}=${PURPOSE_MACHINE_CLASS}`,
  );
}

/** Reads everything a reconcile or deletion compares against. */
export async function observeWorker(client: KubeClient, worker: Worker, signal?: AbortSignal): Promise<ObservedWorker> {
  const ns = worker.metadata.namespace ?? "";
  const credentialsName = worker.spec.secretRef.name;
  const credentialsNamespace = worker.spec.secretRef.namespace || ns;
  const userDataNames = userDataSecretNames(worker);
  const [credentials, userData, deployments, machineSets, classes, classSecrets, mcm] = await Promise.all([
    credentialsName
      ? getOptional<Secret & KubeObject>(client, CoreV1.secrets, credentialsName, credentialsNamespace, signal)
      : Promise.resolve(undefined),
    Promise.all(userDataNames.map((n) => getOptional<Secret & KubeObject>(client, CoreV1.secrets, n, ns, signal))),
    listInNamespace<MachineDeployment>(client, MachineV1alpha1.machineDeployments, ns, signal),
    listInNamespace<MachineSet>(client, MachineV1alpha1.machineSets, ns, signal),
    listInNamespace<MachineClass>(client, MachineV1alpha1.machineClasses, ns, signal),
    listClassSecrets(client, ns, signal),
    getOptional<Deployment & KubeObject>(client, AppsV1.deployments, MCM_DEPLOYMENT, ns, signal),
  ]);
  const userDataSecrets = new Map<string, Secret | undefined>();
  userDataNames.forEach((n, i) => userDataSecrets.set(n, userData[i]));
  return { credentials, userDataSecrets, deployments, machineSets, classes, classSecrets, mcm };
}
