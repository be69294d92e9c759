/**
 * The status kubelet and the Deployment controller together give a Deployment once its pods run (pure): every
 * replica updated, ready and available, the generation observed, Available and Progressing conditions. Replicas 0
 * is available too.
 */
import type { KubeObject } from "../../k8s/api/objects.ts";
import type { TimedCondition } from "../kernel/mod.ts";

/** A Deployment as this simulation reads it. */
export interface SimDeployment extends KubeObject {
  spec?: { replicas?: number };
  status?: DeploymentStatus;
}

/** The fields of a Deployment's status this simulation writes. */
export interface DeploymentStatus {
  observedGeneration?: number;
  replicas?: number;
  updatedReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  unavailableReplicas?: number;
  conditions?: TimedCondition[];
}

/** The status of `d` with every replica running, or undefined when it already has it. */
export function availableStatus(d: SimDeployment, now: string): DeploymentStatus | undefined {
  const replicas = d.spec?.replicas ?? 1;
  const st = d.status ?? {};
  const has = (type: string) => st.conditions?.some((c) => c.type === type && c.status === "True");
  if (
    st.observedGeneration === d.metadata.generation && st.replicas === replicas && st.updatedReplicas === replicas &&
    st.readyReplicas === replicas && st.availableReplicas === replicas && has("Available") && has("Progressing")
  ) return undefined;
  const keep = (type: string) => st.conditions?.find((c) => c.type === type && c.status === "True");
  const name = d.metadata.name;
  return {
    ...st,
    observedGeneration: d.metadata.generation,
    replicas,
    updatedReplicas: replicas,
    readyReplicas: replicas,
    availableReplicas: replicas,
    unavailableReplicas: 0,
    conditions: [
      keep("Available") ?? {
        type: "Available",
        status: "True",
        reason: "MinimumReplicasAvailable",
        message: "Deployment has minimum availability.",
        lastTransitionTime: now,
        lastUpdateTime: now,
      },
      {
        type: "Progressing",
        status: "True",
        reason: "NewReplicaSetAvailable",
        message: `ReplicaSet "${name}" has successfully progressed.`,
        lastTransitionTime: keep("Progressing")?.lastTransitionTime ?? now,
        lastUpdateTime: keep("Progressing")?.reason === "NewReplicaSetAvailable"
          ? keep("Progressing")?.lastUpdateTime ?? now
          : now,
      },
    ],
  };
}
