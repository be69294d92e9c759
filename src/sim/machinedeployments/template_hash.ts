/**
 * SIMULATION: the `machine-template-hash` of a MachineDeployment's template and the name of the MachineSet serving
 * it, and template equality as MCM judges it when it looks for the MachineSet of the current template.
 *
 * MCM hashes the Go struct with FNV-1a (32 bit) and prints the number in decimal; the MachineSet is named
 * `<deployment>-<hash text encoded with Kubernetes' SafeEncodeString alphabet>`. We hash the canonical JSON of the
 * template instead of Go's struct dump, so the values differ from MCM's, but the format, determinism (same template,
 * same name: creation is idempotent) and the collision-count salt are the same.
 */
import type { MachineTemplateSpec } from "../../apis/machine/v1alpha1.ts";
import { canonicalJson, semanticEqual } from "./canonical_json.ts";
import { LABEL_TEMPLATE_HASH } from "./keys.ts";

/** Kubernetes' `rand.SafeEncodeString` alphabet: no vowels (no words), no 0/1/3 (look like o/l/e). */
const SAFE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

/** 32-bit FNV-1a over the UTF-8 bytes of `text`, continuing from `seed`. */
function fnv1a(bytes: Uint8Array, seed = 0x811c9dc5): number {
  let h = seed;
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Template without the hash label (the hash must not depend on itself). */
function withoutHashLabel(template: MachineTemplateSpec): MachineTemplateSpec {
  const labels = { ...(template.metadata?.labels ?? {}) };
  delete labels[LABEL_TEMPLATE_HASH];
  return { ...template, metadata: { ...(template.metadata ?? {}), labels } };
}

/** Decimal hash of the template, salted with the deployment's `status.collisionCount` when set. */
export function templateHash(template: MachineTemplateSpec, collisionCount?: number): string {
  let h = fnv1a(new TextEncoder().encode(canonicalJson(withoutHashLabel(template))));
  if (collisionCount !== undefined && collisionCount !== null) {
    // Little-endian uint32 in an 8-byte buffer, as MCM appends it.
    const salt = new Uint8Array(8);
    new DataView(salt.buffer).setUint32(0, collisionCount >>> 0, true);
    h = fnv1a(salt, h);
  }
  return String(h);
}

/** Kubernetes' `SafeEncodeString`: each character mapped into the safe alphabet. */
export function safeEncode(text: string): string {
  let out = "";
  for (let i = 0; i < text.length; i++) out += SAFE_ALPHABET[text.charCodeAt(i) % SAFE_ALPHABET.length];
  return out;
}

/** Name of the MachineSet serving a template with this hash. */
export function machineSetName(deploymentName: string, hash: string): string {
  return `${deploymentName}-${safeEncode(hash)}`;
}

/**
 * True if two templates are the same for rollout purposes: labels equal except the hash label, everything else
 * equal except `spec.nodeTemplate` (node template changes are pushed into the existing MachineSet, not rolled out).
 */
export function templatesEqualIgnoringHash(a: MachineTemplateSpec, b: MachineTemplateSpec): boolean {
  const strip = (t: MachineTemplateSpec) => {
    const labels = { ...(t.metadata?.labels ?? {}) };
    delete labels[LABEL_TEMPLATE_HASH];
    const spec = { ...(t.spec ?? {}) };
    delete spec.nodeTemplate;
    return { metadata: { ...(t.metadata ?? {}), labels }, spec };
  };
  return semanticEqual(strip(a), strip(b));
}
