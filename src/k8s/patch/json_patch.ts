/** CONTRACT STUB (implemented by the fake-apiserver-semantics work): RFC 6902 JSON Patch. */

export interface JsonPatchOperation {
  op: "add" | "remove" | "replace" | "move" | "copy" | "test";
  path: string;
  value?: unknown;
  from?: string;
}

/** Raised when a patch cannot be applied (bad path, failed test); the server answers 422/400. */
export class PatchError extends Error {}

/** Applies the operations to a deep copy of `doc`. */
export function applyJsonPatch(_doc: unknown, _ops: JsonPatchOperation[]): unknown {
  throw new Error("not implemented yet: src/k8s/patch/json_patch.ts");
}

/** Operations that turn `from` into `to` (admission webhooks answer with these). */
export function createJsonPatch(_from: unknown, _to: unknown): JsonPatchOperation[] {
  throw new Error("not implemented yet");
}
