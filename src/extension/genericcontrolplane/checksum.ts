/** Checksums that restart pods when what they read changes (Gardener's `checksum/secret-<name>` pod annotations). */
import { createHash } from "node:crypto";

/** Gardener's `ComputeSecretChecksum`: sha256 (hex) of the data map as Go marshals it (sorted keys, base64 values). */
export function secretChecksum(data: Record<string, string> | undefined): string {
  const sorted = Object.fromEntries(Object.entries(data ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return createHash("sha256").update(JSON.stringify(sorted)).digest("hex");
}

/** The pod annotation carrying a Secret's checksum. */
export function checksumAnnotation(secretName: string): string {
  return `checksum/secret-${secretName}`;
}
