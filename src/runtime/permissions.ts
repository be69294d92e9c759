/**
 * Least privilege at run time. The binary's permission set (deno.json, embedded by `deno compile -P`) is the union of
 * what all commands need; each command starts by revoking the kinds it does not use, so that a compromised or buggy
 * component cannot, say, spawn a shell or write files. Deno revokes whole kinds reliably; it cannot narrow a granted
 * kind to some paths at run time, which is why the set itself lists environment variables and denies paths.
 * docs/decisions.md has each command's set and why.
 */

/** The permission kinds a command can keep. */
export const PERMISSION_KINDS = ["read", "write", "net", "env", "run", "sys", "ffi"] as const;
export type PermissionKind = typeof PERMISSION_KINDS[number];

/** Revokes every kind not in `keep`. */
export function keepOnlyPermissions(keep: readonly PermissionKind[]): void {
  for (const name of PERMISSION_KINDS) if (!keep.includes(name)) Deno.permissions.revokeSync({ name });
}

/** Revokes one kind (e.g. `run` once the kubeconfigs turned out to need no exec plugin). */
export function revokePermission(name: PermissionKind): void {
  Deno.permissions.revokeSync({ name });
}
