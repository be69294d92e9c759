/**
 * Takes over clusters whose infrastructure the Go provider created with Terraform: the SSH key id is read from the
 * Terraformer's state (its ConfigMap, else the raw state in `status.state`), written into our flow state, and only
 * then are the Terraformer objects and their finalizers removed — a crash in between repeats the clean-up, never
 * loses the id. Seed reads and writes only; no Metal API call.
 */
import type { KubeClient } from "../../k8s/client/client.ts";
import type { Logger } from "../../observability/log.ts";
import type { ObservedState } from "./state.ts";
import type { FlowStateStore } from "./state_apply.ts";
import { sshKeyIdFromTfstate, tfstateText } from "./terraform_state.ts";
import { findTerraformerObjects, removeTerraformerObjects, terraformerObjects } from "./terraformer_objects_apply.ts";

export interface AdoptionInput {
  client: KubeClient;
  namespace: string;
  infraName: string;
  /** `Infrastructure <ns>/<name>`, for error messages. */
  object: string;
  observed: ObservedState;
  store: FlowStateStore;
  signal?: AbortSignal;
  log: Logger;
}

/** Converts a Terraform-era state to the flow state and removes the Terraformer objects (idempotent). */
export async function adoptTerraformState(input: AdoptionInput): Promise<void> {
  const { client, namespace, infraName, observed, store, signal, log } = input;
  if (observed.kind === "flow") {
    if (store.data.migratedFromTerraform && !store.data.terraformCleanedUp) {
      const all = terraformerObjects(infraName);
      await removeTerraformerObjects(client, namespace, [all.config, all.variables, all.state], signal);
      await store.update({ terraformCleanedUp: true });
    }
    return;
  }
  const leftovers = await findTerraformerObjects(client, namespace, infraName, signal);
  if (observed.kind === "none" && leftovers.present.length === 0) return; // created by us, or nothing yet

  const fromConfigMap = leftovers.tfstate !== undefined
    ? sshKeyIdFromTfstate(
      leftovers.tfstate,
      `ConfigMap ${infraName}.infra.tf-state data.terraform.tfstate`,
      input.object,
    )
    : undefined;
  const fromStatus = observed.kind === "terraform"
    ? sshKeyIdFromTfstate(tfstateText(observed.raw, input.object), "status.state.data", input.object)
    : undefined;
  // The ConfigMap is the Terraformer's own latest state; status.state is the copy the Go provider made of it.
  const sshKeyID = fromConfigMap ?? fromStatus;
  log.info("Adopting the infrastructure of the Terraform-based provider", {
    sshKeyID,
    terraformerObjects: leftovers.present.map((o) => o.name),
  });
  await store.save({ sshKeyID, migratedFromTerraform: true });
  await removeTerraformerObjects(client, namespace, leftovers.present, signal);
  await store.update({ terraformCleanedUp: true });
}
