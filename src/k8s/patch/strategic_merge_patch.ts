/**
 * CONTRACT STUB (implemented by the fake-apiserver-semantics work): strategic merge patch for built-in types, with
 * the list merge keys of the Kubernetes Go types (containers, env, volumes, ports, volumeMounts, ... by name;
 * tolerations and finalizers by value) and the $patch / $retainKeys / $setElementOrder / $deleteFromPrimitiveList
 * directives.
 */

/** Applies a strategic merge patch for an object of kind `apiVersion`/`kind` to a deep copy of `target`. */
export function applyStrategicMergePatch(
  _target: unknown,
  _patch: unknown,
  _type: { apiVersion: string; kind: string },
): unknown {
  throw new Error("not implemented yet: src/k8s/patch/strategic_merge_patch.ts");
}

/** True if strategic merge patch is defined for this type (built-in kinds); custom resources answer 415. */
export function supportsStrategicMerge(_type: { apiVersion: string; kind: string }): boolean {
  throw new Error("not implemented yet");
}
