/**
 * The Metal OpenAPI document (METAL_OPENAPI_DIR, outside the repository), loaded for tests: operations by method
 * and path template, with every multi-file `$ref` inlined so that request bodies and query parameters can be
 * validated with ajv.
 */
import { parse } from "yaml";
import { METAL_OPENAPI_DIR } from "../support/openapi.ts";

export interface OpenApiParameter {
  name: string;
  in: "query" | "path" | "header" | "cookie";
  required?: boolean;
  style?: string;
  explode?: boolean;
  schema?: Record<string, unknown>;
}

export interface OpenApiOperation {
  operationId?: string;
  parameters: OpenApiParameter[];
  /** Schema of the JSON request body, if the operation takes one. */
  requestBody?: Record<string, unknown>;
}

const fileCache = new Map<string, unknown>();

function loadFile(path: string): unknown {
  let doc = fileCache.get(path);
  if (doc === undefined) {
    doc = parse(Deno.readTextFileSync(path));
    fileCache.set(path, doc);
  }
  return doc;
}

function dirOf(path: string): string {
  return path.slice(0, path.lastIndexOf("/") + 1);
}

function normalise(path: string): string {
  const out: string[] = [];
  for (const part of path.split("/")) {
    if (part === "..") out.pop();
    else if (part !== ".") out.push(part);
  }
  return out.join("/");
}

function pointer(doc: unknown, ptr: string): unknown {
  let cur = doc;
  for (const raw of ptr.split("/").filter(Boolean)) {
    const key = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

/** Inlines every `$ref` (relative file, optional `#/pointer`); a reference cycle becomes `{}`. */
function deref(node: unknown, file: string, stack: string[] = []): unknown {
  if (Array.isArray(node)) return node.map((n) => deref(n, file, stack));
  if (node === null || typeof node !== "object") return node;
  const obj = node as Record<string, unknown>;
  if (typeof obj.$ref === "string") {
    const [rel, frag] = obj.$ref.split("#");
    const target = rel ? normalise(dirOf(file) + rel) : file;
    const key = `${target}#${frag ?? ""}`;
    if (stack.includes(key)) return {};
    const doc = loadFile(target);
    return deref(frag ? pointer(doc, frag) : doc, target, [...stack, key]);
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) out[k] = deref(v, file, stack);
  return out;
}

/** OpenAPI 3.0 `nullable` to JSON Schema, recursively (ajv knows no `nullable` without its OpenAPI mode). */
export function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (node === null || typeof node !== "object") return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
    if (k === "example" || k === "externalDocs" || k.startsWith("x-")) continue;
    out[k] = k === "properties"
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([p, s]) => [p, toJsonSchema(s)]))
      : toJsonSchema(v);
  }
  if (out.nullable === true && typeof out.type === "string") out.type = [out.type, "null"];
  delete out.nullable;
  return out;
}

/** The spec, from METAL_OPENAPI_DIR (throws naming the file when it cannot be read). */
export class OpenApiSpec {
  private readonly root: string;
  private readonly paths: Record<string, unknown>;

  constructor() {
    this.root = `${METAL_OPENAPI_DIR}openapi3.yaml`;
    this.paths = (loadFile(this.root) as { paths: Record<string, unknown> }).paths;
  }

  /** The operation `method` on path template `template` (e.g. `/devices/{id}`), or throws. */
  operation(method: string, template: string): OpenApiOperation {
    const item = deref(this.paths[template], this.root) as Record<string, unknown> | undefined;
    if (!item) throw new Error(`the spec has no path ${template}`);
    const op = item[method.toLowerCase()] as Record<string, unknown> | undefined;
    if (!op) throw new Error(`the spec has no ${method} ${template}`);
    const parameters = [
      ...((item.parameters as OpenApiParameter[] | undefined) ?? []),
      ...((op.parameters as OpenApiParameter[] | undefined) ?? []),
    ];
    const body = op.requestBody as { content?: Record<string, { schema?: Record<string, unknown> }> } | undefined;
    return {
      operationId: op.operationId as string | undefined,
      parameters,
      requestBody: body?.content?.["application/json"]?.schema,
    };
  }
}
