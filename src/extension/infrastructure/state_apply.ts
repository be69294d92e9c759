/**
 * Persists the flow state in `status.state` after every external effect (through the reconciler's `patchStatus`,
 * which skips writes that change nothing), so that a crash at any line resumes from what was last done.
 */
import { jsonEqual } from "../../k8s/api/patch/json_value.ts";
import { encodeFlowState, type FlowStateData, statePatch } from "./state.ts";

/** The flow state of one reconcile: what is known, and the last value written. */
export class FlowStateStore {
  private stored: unknown;
  data: FlowStateData;

  constructor(
    stored: unknown,
    initial: FlowStateData,
    private readonly patchStatus: (patch: Record<string, unknown>) => Promise<void>,
  ) {
    this.stored = stored;
    this.data = { ...initial };
  }

  /** Replaces the data and writes it (a merge patch from the stored document; nothing sent if unchanged). */
  async save(next: FlowStateData): Promise<void> {
    const desired = encodeFlowState(next);
    if (!jsonEqual(this.stored, desired)) await this.patchStatus({ state: statePatch(this.stored, desired) });
    this.stored = desired;
    this.data = { ...desired.data };
  }

  /** Changes some fields and writes. */
  async update(change: Partial<FlowStateData>): Promise<void> {
    await this.save({ ...this.data, ...change });
  }
}
