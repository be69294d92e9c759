/**
 * RFC 6902 JSON Patch: apply (with RFC 6901 pointers, `-` for appending, `~0`/`~1` escapes, the `test` operation)
 * and create (a small, correct patch between two documents, as admission webhooks answer with).
 */
import { cloneJson, isJsonObject, jsonEqual } from "./json_value.ts";

export interface JsonPatchOperation {
  op: "add" | "remove" | "replace" | "move" | "copy" | "test";
  path: string;
  value?: unknown;
  from?: string;
}

/** Raised when a patch cannot be applied (bad path, failed test); the server answers 422/400. */
export class PatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PatchError";
  }
}

/** Splits an RFC 6901 pointer into unescaped reference tokens. */
export function parsePointer(pointer: string): string[] {
  if (pointer === "") return [];
  if (!pointer.startsWith("/")) {
    throw new PatchError(`invalid JSON pointer ${JSON.stringify(pointer)}: must start with "/"`);
  }
  return pointer.slice(1).split("/").map((token) => {
    if (/~[^01]|~$/.test(token)) {
      throw new PatchError(`invalid JSON pointer ${JSON.stringify(pointer)}: "~" must be followed by 0 or 1`);
    }
    return token.replaceAll("~1", "/").replaceAll("~0", "~");
  });
}

/** Escapes one reference token for a pointer. */
export function escapePointerToken(token: string): string {
  return token.replaceAll("~", "~0").replaceAll("/", "~1");
}

function arrayIndex(token: string, length: number, forAdd: boolean, where: string): number {
  if (forAdd && token === "-") return length;
  if (!/^(0|[1-9][0-9]*)$/.test(token)) throw new PatchError(`${where}: invalid array index ${JSON.stringify(token)}`);
  const i = Number(token);
  if (forAdd ? i > length : i >= length) throw new PatchError(`${where}: array index ${i} out of bounds`);
  return i;
}

type Container = Record<string, unknown> | unknown[];

/** Walks to the parent of the pointer's target; the document root has no parent. */
function resolveParent(doc: unknown, tokens: string[], where: string): Container {
  let cur = doc;
  for (let i = 0; i < tokens.length - 1; i++) {
    const t = tokens[i];
    if (Array.isArray(cur)) cur = cur[arrayIndex(t, cur.length, false, where)];
    else if (isJsonObject(cur) && Object.hasOwn(cur, t)) cur = cur[t];
    else throw new PatchError(`${where}: path not found`);
  }
  if (!Array.isArray(cur) && !isJsonObject(cur)) throw new PatchError(`${where}: parent is not an object or array`);
  return cur;
}

function getAt(doc: unknown, pointer: string, where: string): unknown {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) return doc;
  const parent = resolveParent(doc, tokens, where);
  const last = tokens[tokens.length - 1];
  if (Array.isArray(parent)) return parent[arrayIndex(last, parent.length, false, where)];
  if (!Object.hasOwn(parent, last)) throw new PatchError(`${where}: path not found`);
  return parent[last];
}

/** Adds; returns the new document (the root may be replaced). */
function addAt(doc: unknown, pointer: string, value: unknown, where: string): unknown {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) return value;
  const parent = resolveParent(doc, tokens, where);
  const last = tokens[tokens.length - 1];
  if (Array.isArray(parent)) parent.splice(arrayIndex(last, parent.length, true, where), 0, value);
  else parent[last] = value;
  return doc;
}

function removeAt(doc: unknown, pointer: string, where: string): unknown {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) throw new PatchError(`${where}: cannot remove the document root`);
  const parent = resolveParent(doc, tokens, where);
  const last = tokens[tokens.length - 1];
  if (Array.isArray(parent)) return parent.splice(arrayIndex(last, parent.length, false, where), 1)[0];
  if (!Object.hasOwn(parent, last)) throw new PatchError(`${where}: path not found`);
  const old = parent[last];
  delete parent[last];
  return old;
}

function requireValue(op: JsonPatchOperation, where: string): unknown {
  if (!("value" in op) || op.value === undefined) throw new PatchError(`${where}: missing "value"`);
  return op.value;
}

function requireFrom(op: JsonPatchOperation, where: string): string {
  if (typeof op.from !== "string") throw new PatchError(`${where}: missing "from"`);
  return op.from;
}

/** Applies one operation to `doc` (mutated) and returns the new document. */
function applyOperation(doc: unknown, op: JsonPatchOperation, index: number): unknown {
  if (!isJsonObject(op) || typeof op.path !== "string") {
    throw new PatchError(`operation ${index}: must be an object with a string "path"`);
  }
  const where = `operation ${index} (${String(op.op)} ${op.path})`;
  switch (op.op) {
    case "add":
      return addAt(doc, op.path, cloneJson(requireValue(op, where)), where);
    case "remove":
      removeAt(doc, op.path, where);
      return doc;
    case "replace": {
      const value = cloneJson(requireValue(op, where));
      if (op.path === "") return value;
      getAt(doc, op.path, where);
      removeAt(doc, op.path, where);
      return addAt(doc, op.path, value, where);
    }
    case "move": {
      const from = requireFrom(op, where);
      if (from === op.path) {
        getAt(doc, from, where);
        return doc;
      }
      // Also rejects moving the root ("") anywhere but onto itself.
      if (op.path.startsWith(from + "/")) {
        throw new PatchError(`${where}: cannot move a value into one of its children`);
      }
      return addAt(doc, op.path, removeAt(doc, from, where), where);
    }
    case "copy":
      return addAt(doc, op.path, cloneJson(getAt(doc, requireFrom(op, where), where)), where);
    case "test": {
      const expected = requireValue(op, where);
      if (!jsonEqual(getAt(doc, op.path, where), expected)) throw new PatchError(`${where}: test failed`);
      return doc;
    }
    default:
      throw new PatchError(`${where}: unknown operation ${JSON.stringify(op.op)}`);
  }
}

/** Applies the operations to a deep copy of `doc`. */
export function applyJsonPatch(doc: unknown, ops: JsonPatchOperation[]): unknown {
  if (!Array.isArray(ops)) throw new PatchError("a JSON patch must be an array of operations");
  let result = cloneJson(doc);
  ops.forEach((op, i) => (result = applyOperation(result, op, i)));
  return result;
}

function diff(from: unknown, to: unknown, path: string, out: JsonPatchOperation[]): void {
  if (jsonEqual(from, to)) return;
  if (isJsonObject(from) && isJsonObject(to)) {
    for (const key of Object.keys(from)) {
      if (!Object.hasOwn(to, key)) out.push({ op: "remove", path: `${path}/${escapePointerToken(key)}` });
    }
    for (const [key, value] of Object.entries(to)) {
      const child = `${path}/${escapePointerToken(key)}`;
      if (Object.hasOwn(from, key)) diff(from[key], value, child, out);
      else out.push({ op: "add", path: child, value: cloneJson(value) });
    }
    return;
  }
  if (Array.isArray(from) && Array.isArray(to)) {
    diffArrays(from, to, path, out);
    return;
  }
  out.push({ op: "replace", path, value: cloneJson(to) });
}

/** Keeps the common head and tail, patches the middle element by element, then removes or inserts the rest. */
function diffArrays(from: unknown[], to: unknown[], path: string, out: JsonPatchOperation[]): void {
  let head = 0;
  while (head < from.length && head < to.length && jsonEqual(from[head], to[head])) head++;
  let tail = 0;
  while (
    tail < from.length - head && tail < to.length - head &&
    jsonEqual(from[from.length - 1 - tail], to[to.length - 1 - tail])
  ) tail++;
  const fromMid = from.length - head - tail;
  const toMid = to.length - head - tail;
  const common = Math.min(fromMid, toMid);
  for (let i = 0; i < common; i++) diff(from[head + i], to[head + i], `${path}/${head + i}`, out);
  for (let i = common; i < fromMid; i++) out.push({ op: "remove", path: `${path}/${head + common}` });
  for (let i = common; i < toMid; i++) {
    out.push({ op: "add", path: `${path}/${head + i}`, value: cloneJson(to[head + i]) });
  }
}

/** Operations that turn `from` into `to` (admission webhooks answer with these). */
export function createJsonPatch(from: unknown, to: unknown): JsonPatchOperation[] {
  const out: JsonPatchOperation[] = [];
  diff(from, to, "", out);
  return out;
}
