/** CONTRACT STUB (implemented by the fake-apiserver-semantics work): RFC 7386 JSON Merge Patch. */

/** Applies a merge patch (null deletes a key; arrays are replaced) to a deep copy of `target`. */
export function applyMergePatch(_target: unknown, _patch: unknown): unknown {
  throw new Error("not implemented yet: src/k8s/patch/merge_patch.ts");
}

/** The smallest merge patch that turns `from` into `to`. */
export function createMergePatch(_from: unknown, _to: unknown): unknown {
  throw new Error("not implemented yet");
}
