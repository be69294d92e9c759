/**
 * One committed change of one object. The object is serialised once at commit; every watch line built from it
 * (per event type and apiVersion) is encoded once and shared by all watchers.
 */
import type { KubeObject } from "../../../k8s/api/objects.ts";

const encoder = new TextEncoder();

/** A change to one stored object. */
export class ChangeEvent {
  private readonly lines = new Map<string, Uint8Array>();

  constructor(
    readonly type: "ADDED" | "MODIFIED" | "DELETED",
    readonly rv: number,
    /** Storage key of the resource (`pods`, `deployments.apps`). */
    readonly storage: string,
    /** The object after the change (for DELETED: its last state). Never mutated. */
    readonly object: KubeObject,
    /** `JSON.stringify(object)`. */
    readonly json: string,
    /** The object before the change (MODIFIED, DELETED), for selector transitions. */
    readonly previous?: KubeObject,
  ) {}

  /** The encoded watch line `{"type":...,"object":...}\n`, for the apiVersion the watcher asked for. */
  line(type: "ADDED" | "MODIFIED" | "DELETED", apiVersion: string): Uint8Array {
    const key = `${type} ${apiVersion}`;
    let bytes = this.lines.get(key);
    if (!bytes) {
      bytes = encoder.encode(`{"type":"${type}","object":${jsonAs(this.object, this.json, apiVersion)}}\n`);
      this.lines.set(key, bytes);
    }
    return bytes;
  }
}

/** The object's JSON as served under `apiVersion` (custom resources of another served version differ only there). */
export function jsonAs(object: KubeObject, json: string, apiVersion: string): string {
  if (object.apiVersion === apiVersion) return json;
  return JSON.stringify({ ...object, apiVersion });
}
