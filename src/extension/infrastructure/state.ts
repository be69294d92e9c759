/**
 * `Infrastructure.status.state`: our flow state (migrated to another seed with the shoot, written after every external
 * effect), and how to tell it from the raw Terraform state the Go provider left there. Pure.
 *
 *   {apiVersion: equinixmetal.provider.extensions.gardener.cloud/v1alpha1, kind: InfrastructureState,
 *    data: {sshKeyID, obsoleteSSHKeyIDs, migratedFromTerraform, terraformCleanedUp}}
 */
import { z } from "zod";
import { createMergePatch } from "../../k8s/api/patch/merge_patch.ts";
import { API_VERSION } from "../../apis/equinixmetal/v1alpha1.ts";
import { decodeTyped, type TypedKind } from "../../apis/decode.ts";

export const STATE_KIND = "InfrastructureState";

/** What the flow knows about the cloud objects it manages. */
export const FlowStateDataSchema = z.object({
  /** The project SSH key in use. */
  sshKeyID: z.string().optional(),
  /** Keys replaced by a rotation (or no longer wanted) whose deletion is still due. */
  obsoleteSSHKeyIDs: z.array(z.string()).optional(),
  /** The key came from the Go provider's Terraform state. */
  migratedFromTerraform: z.boolean().optional(),
  /** The Terraformer's ConfigMaps/Secret are gone. */
  terraformCleanedUp: z.boolean().optional(),
});
export type FlowStateData = z.output<typeof FlowStateDataSchema>;

export const FlowStateSchema = z.object({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal(STATE_KIND),
  data: FlowStateDataSchema,
});
export type FlowState = z.output<typeof FlowStateSchema>;

/** What `status.state` holds. */
export type ObservedState =
  | { kind: "none" }
  | { kind: "flow"; data: FlowStateData }
  /** The Go provider's `{"data": <tfstate>, "encoding": "base64"|"none"}`. */
  | { kind: "terraform"; raw: { data: string; encoding?: string } };

const FlowStateKind: TypedKind<typeof FlowStateSchema> = {
  apiVersion: API_VERSION,
  kind: STATE_KIND,
  schema: FlowStateSchema,
};

/** Classifies `status.state`; a document that is neither ours nor Terraform's is an error naming the field. */
export function observeState(state: unknown, object: string): ObservedState {
  if (state === undefined || state === null) return { kind: "none" };
  if (typeof state === "object" && !Array.isArray(state)) {
    const s = state as Record<string, unknown>;
    if (Object.keys(s).length === 0) return { kind: "none" };
    if (typeof s.data === "string" && s.kind === undefined) {
      return {
        kind: "terraform",
        raw: { data: s.data, encoding: typeof s.encoding === "string" ? s.encoding : undefined },
      };
    }
  }
  // Lenient: a newer version's extra fields must not block an older one after a rollback.
  const flow = decodeTyped(FlowStateKind, state, { object, path: "status.state", mode: "lenient" });
  return { kind: "flow", data: flow.data };
}

/** The flow state document for `data` (empty fields dropped). */
export function encodeFlowState(data: FlowStateData): FlowState {
  const clean: FlowStateData = {};
  if (data.sshKeyID) clean.sshKeyID = data.sshKeyID;
  if (data.obsoleteSSHKeyIDs?.length) clean.obsoleteSSHKeyIDs = [...new Set(data.obsoleteSSHKeyIDs)];
  if (data.migratedFromTerraform) clean.migratedFromTerraform = true;
  if (data.terraformCleanedUp) clean.terraformCleanedUp = true;
  return { apiVersion: API_VERSION, kind: STATE_KIND, data: clean };
}

/** The merge patch that turns the stored `status.state` into `desired` (nulls for fields to drop). */
export function statePatch(stored: unknown, desired: FlowState): unknown {
  if (stored === undefined || stored === null || typeof stored !== "object") return desired;
  return createMergePatch(stored, desired);
}
