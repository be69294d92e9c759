/**
 * Reading the Go provider's Terraform state, to adopt the project SSH key of clusters it created: the key id is the
 * output `key_pair_id`, or the id of resource `metal_project_ssh_key.publickey` (`packet_project_ssh_key` before the
 * Terraform provider was renamed). Both tfstate formats are understood (v4 `resources[]`, v3 `modules[]`). Pure.
 */
import { decodeBase64Text } from "../../runtime/base64.ts";
import { ConfigurationError } from "../reconciler/mod.ts";

/** The Terraformer's raw state as stored in `status.state`. */
export interface TerraformRawState {
  data: string;
  /** `base64` (what the Go provider wrote) or `none`/absent (plain text). */
  encoding?: string;
}

const RESOURCE_TYPES = ["metal_project_ssh_key", "packet_project_ssh_key"];
const RESOURCE_NAME = "publickey";
const OUTPUT = "key_pair_id";

/** The tfstate text inside a raw state; errors name `status.state` and the object. */
export function tfstateText(raw: TerraformRawState, object: string): string {
  if (raw.encoding === "base64") {
    try {
      return decodeBase64Text(raw.data);
    } catch {
      throw new ConfigurationError(`${object}: status.state.data: Invalid value: not base64-encoded UTF-8 text`);
    }
  }
  if (raw.encoding === undefined || raw.encoding === "" || raw.encoding === "none") return raw.data;
  throw new ConfigurationError(
    `${object}: status.state.encoding: Unsupported value: "${raw.encoding}": supported values: "base64", "none"`,
  );
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const nonEmptyString = (v: unknown): string | undefined => typeof v === "string" && v !== "" ? v : undefined;

function fromV4(state: Json): string | undefined {
  const out = isObject(state.outputs) && isObject(state.outputs[OUTPUT]) ? state.outputs[OUTPUT].value : undefined;
  if (nonEmptyString(out)) return out as string;
  for (const r of Array.isArray(state.resources) ? state.resources : []) {
    if (!isObject(r) || !RESOURCE_TYPES.includes(r.type as string) || r.name !== RESOURCE_NAME) continue;
    if (r.mode !== undefined && r.mode !== "managed") continue;
    for (const inst of Array.isArray(r.instances) ? r.instances : []) {
      const id = isObject(inst) && isObject(inst.attributes) ? nonEmptyString(inst.attributes.id) : undefined;
      if (id) return id;
    }
  }
  return undefined;
}

function fromV3(state: Json): string | undefined {
  for (const m of Array.isArray(state.modules) ? state.modules : []) {
    if (!isObject(m)) continue;
    const out = isObject(m.outputs) && isObject(m.outputs[OUTPUT])
      ? nonEmptyString(m.outputs[OUTPUT].value)
      : undefined;
    if (out) return out;
    const resources = isObject(m.resources) ? m.resources : {};
    for (const type of RESOURCE_TYPES) {
      const r = resources[`${type}.${RESOURCE_NAME}`];
      const id = isObject(r) && isObject(r.primary) ? nonEmptyString(r.primary.id) : undefined;
      if (id) return id;
    }
  }
  return undefined;
}

/**
 * The SSH key id recorded in a tfstate; undefined for an empty state (Terraform never applied). Text that is not a
 * tfstate is an error naming `field` and the object.
 */
export function sshKeyIdFromTfstate(text: string, field: string, object: string): string | undefined {
  if (text.trim() === "") return undefined;
  let state: unknown;
  try {
    state = JSON.parse(text);
  } catch {
    throw new ConfigurationError(`${object}: ${field}: Invalid value: not a Terraform state (not JSON)`);
  }
  if (!isObject(state)) throw new ConfigurationError(`${object}: ${field}: Invalid value: not a Terraform state`);
  return fromV4(state) ?? fromV3(state);
}
