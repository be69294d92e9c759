/**
 * The machine state gardenlet writes into `Worker.status.state` before a restore (GEP-22; Gardener's
 * `pkg/utils/gardener/shootstate/machines.go`): JSON `{"state": "<base64 of gzip>"}` whose gzip holds
 * `{"machineDeployments": {<name>: {replicas, machineSets[], machines[]}}}` with the objects' metadata reduced to
 * name, namespace, labels and annotations and their status removed. Decoding and the objects to re-create. Pure.
 */
import { Buffer } from "node:buffer";
import { gunzipSync, gzipSync } from "node:zlib";
import { z } from "zod";
import { FieldValidationError, invalid } from "../../apis/decode.ts";
import { API_VERSION as MACHINE_API_VERSION, type Machine, type MachineSet } from "../../apis/machine/v1alpha1.ts";

const StoredObjectSchema = z.looseObject({
  metadata: z.looseObject({
    name: z.string().min(1),
    namespace: z.string().optional(),
    labels: z.record(z.string(), z.string()).optional(),
    annotations: z.record(z.string(), z.string()).optional(),
  }),
  spec: z.record(z.string(), z.unknown()).optional(),
});

const MachineDeploymentStateSchema = z.looseObject({
  replicas: z.number().int().nonnegative().optional(),
  machineSets: z.array(StoredObjectSchema).nullish(),
  machines: z.array(StoredObjectSchema).nullish(),
});

const MachineStateSchema = z.looseObject({
  machineDeployments: z.record(z.string(), MachineDeploymentStateSchema.nullable()).nullish(),
});

/** The recorded state of one MachineDeployment. */
export interface MachineDeploymentState {
  replicas?: number;
  machineSets: MachineSet[];
  machines: Machine[];
}

/** Recorded states by MachineDeployment name. */
export type MachineState = Map<string, MachineDeploymentState>;

const STATE_PATH = "status.state";

/** Keeps what a re-created object may carry (status is set by MCM; uid, owners etc. belong to the old seed). */
function recreatable<T extends Machine | MachineSet>(
  kind: "Machine" | "MachineSet",
  obj: z.output<typeof StoredObjectSchema>,
  namespace: string,
): T {
  const metadata: Record<string, unknown> = { name: obj.metadata.name, namespace };
  if (obj.metadata.labels) metadata.labels = { ...obj.metadata.labels };
  if (obj.metadata.annotations) metadata.annotations = { ...obj.metadata.annotations };
  return { apiVersion: MACHINE_API_VERSION, kind, metadata, spec: obj.spec ?? {} } as unknown as T;
}

/**
 * Decodes the machine state of `status.state` for re-creation in `namespace`; an absent or empty state is an empty
 * map. A state that cannot be read throws a FieldValidationError naming `status.state` and the Worker.
 */
export function decodeMachineState(state: unknown, namespace: string, object: string): MachineState {
  const out: MachineState = new Map();
  if (state === undefined || state === null) return out;
  const fail = (message: string): never => {
    throw new FieldValidationError([invalid(STATE_PATH, "<machine state>", message)], object);
  };
  const compressed = (state as { state?: unknown }).state;
  if (compressed === undefined || compressed === null || compressed === "") return out;
  if (typeof compressed !== "string") return fail("state must be base64 text of gzip-compressed JSON");
  let json: unknown;
  try {
    const bytes = gunzipSync(Buffer.from(compressed, "base64"));
    json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (e) {
    return fail(`cannot decompress the machine state: ${(e as Error).message}`);
  }
  const parsed = MachineStateSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return fail(`machine state: ${issue.path.join(".")}: ${issue.message}`);
  }
  for (const [name, md] of Object.entries(parsed.data.machineDeployments ?? {})) {
    if (!md) continue;
    const entry: MachineDeploymentState = {
      machineSets: (md.machineSets ?? []).map((s) => recreatable<MachineSet>("MachineSet", s, namespace)),
      machines: (md.machines ?? []).map((m) => recreatable<Machine>("Machine", m, namespace)),
    };
    if (md.replicas !== undefined) entry.replicas = md.replicas;
    out.set(name, entry);
  }
  return out;
}

/** Encodes a machine state as gardenlet does (used by tests and tools that prepare a restore). */
export function encodeMachineState(
  deployments: Record<string, { replicas?: number; machineSets?: unknown[]; machines?: unknown[] }>,
): { state: string } {
  const json = JSON.stringify({ machineDeployments: deployments });
  return { state: Buffer.from(gzipSync(new TextEncoder().encode(json))).toString("base64") };
}
