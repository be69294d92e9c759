/**
 * The Equinix Metal OpenAPI 3.0 spec as validators: the multi-file YAML is loaded with `yaml`, every relative `$ref`
 * is rewritten to an absolute id, OpenAPI's `nullable` becomes JSON Schema's `null` type, and the schemas are
 * compiled with ajv. Tests look up the operation of a request and validate bodies against it.
 *
 * The document's licence does not let the project ship it, so it is not in the repository: the conformance tests
 * read it from ../shared/metal-api/openapi beside the project and, where it is absent, register themselves as
 * ignored with `METAL_OPENAPI_MISSING` as the reason (see tests/support/needs.ts).
 */
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import formatsModule from "ajv-formats";
import { parse as parseYaml } from "yaml";

/** Where the Metal OpenAPI document is looked for (outside the repository; see above). */
export const METAL_OPENAPI_DIR: string = new URL("../../../shared/metal-api/openapi/", import.meta.url).pathname;

/** Why the Metal conformance tests cannot run here, or undefined when the document is present. */
export const METAL_OPENAPI_MISSING: string | undefined = (() => {
  try {
    Deno.statSync(`${METAL_OPENAPI_DIR}openapi3.yaml`);
    return undefined;
  } catch {
    return "../shared/metal-api/openapi is absent; the Equinix Metal OpenAPI document is not shipped (licence)";
  }
})();

/** A JSON value of the spec. */
type Node = unknown;
type Obj = Record<string, Node>;

function isObj(v: Node): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function dirOf(path: string): string {
  return path.slice(0, path.lastIndexOf("/") + 1);
}

function resolvePath(base: string, rel: string): string {
  return new URL(rel, `file://${base}`).pathname;
}

/** A change to a component schema, applied before compiling (for documented deviations of the real API). */
export interface SchemaPatch {
  /** File name below components/schemas, e.g. `Meta.yaml`. */
  schemaFile: string;
  /** Why the spec is wrong here (kept for the report). */
  reason: string;
  apply(schema: Obj): void;
}

/** An operation of the spec. */
export interface Operation {
  readonly method: string;
  /** Path template below the server URL, e.g. `/devices/{id}`. */
  readonly template: string;
  readonly operationId: string;
  /** Documented response statuses. */
  readonly statuses: readonly string[];
}

/** A validation outcome; `errors` is empty when the value conforms. */
export interface Validation {
  readonly valid: boolean;
  readonly errors: string[];
}

/** A schema of an operation, compiled on first use (compiling all 220 operations up front takes seconds). */
interface LazySchema {
  schema: Node;
  dir: string;
  compiled?: ValidateFunction;
}

interface OpEntry extends Operation {
  parts: string[];
  /** Status → schema, or null for a response without a JSON body. */
  responses: Map<string, LazySchema | null>;
  request?: LazySchema;
}

// ajv-formats is CommonJS: under Deno the default import is the module object, whose `default` is the plugin.
const addFormats = ((formatsModule as unknown as { default?: unknown }).default ?? formatsModule) as unknown as (
  ajv: Ajv,
) => Ajv;

const HTTP_METHODS = ["get", "put", "post", "delete", "patch", "head", "options"];

function formatErrors(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((e) =>
    `${e.instancePath || "(root)"} ${e.message ?? e.keyword}${
      e.keyword === "additionalProperties" ? `: ${JSON.stringify(e.params)}` : ""
    }`
  );
}

/** The loaded spec with compiled validators. */
export class OpenApiSpec {
  private readonly ajv: Ajv;
  private readonly ops: OpEntry[] = [];
  private readonly loaded = new Map<string, Obj>();
  readonly patches: readonly SchemaPatch[];

  constructor(rootFile: string, patches: readonly SchemaPatch[] = []) {
    this.patches = patches;
    this.ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(this.ajv);
    // Formats the spec uses that JSON Schema does not define.
    this.ajv.addFormat("datetime", true);
    this.ajv.addFormat("string", true);
    const root = this.readYaml(rootFile);
    const paths = root.paths as Obj;
    for (const [template, ref] of Object.entries(paths)) {
      const file = resolvePath(dirOf(rootFile), (ref as Obj).$ref as string);
      const pathItem = this.readYaml(file);
      for (const method of HTTP_METHODS) {
        const op = pathItem[method];
        if (!isObj(op)) continue;
        this.ops.push(this.operation(method.toUpperCase(), template, op, dirOf(file)));
      }
    }
  }

  /** Every operation of the spec. */
  operations(): Operation[] {
    return this.ops.map(({ method, template, operationId, statuses }) => ({ method, template, operationId, statuses }));
  }

  /** The operation of a request path (below the server URL, without query). Literal segments win over parameters. */
  findOperation(method: string, path: string): Operation | undefined {
    const parts = path.replace(/\/+$/, "").split("/").slice(1);
    let best: OpEntry | undefined;
    let bestLiterals = -1;
    for (const op of this.ops) {
      if (op.method !== method || op.parts.length !== parts.length) continue;
      let literals = 0;
      let ok = true;
      for (let i = 0; i < parts.length && ok; i++) {
        if (op.parts[i].startsWith("{")) continue;
        ok = op.parts[i] === parts[i];
        literals++;
      }
      if (ok && literals > bestLiterals) {
        best = op;
        bestLiterals = literals;
      }
    }
    return best;
  }

  /** Validates a response body against the operation's schema for that status. */
  validateResponse(op: Operation, status: number, body: unknown): Validation {
    const entry = op as OpEntry;
    const validator = entry.responses.has(String(status))
      ? entry.responses.get(String(status))
      : entry.responses.get("default");
    if (validator === undefined) {
      return { valid: false, errors: [`status ${status} is not documented for ${op.method} ${op.template}`] };
    }
    if (validator === null) {
      return body === undefined
        ? { valid: true, errors: [] }
        : { valid: false, errors: [`status ${status} of ${op.method} ${op.template} has no body in the spec`] };
    }
    return this.run(validator, body);
  }

  /** Validates a request body against the operation's request schema. */
  validateRequest(op: Operation, body: unknown): Validation {
    const lazy = (op as OpEntry).request;
    if (!lazy) {
      return body === undefined
        ? { valid: true, errors: [] }
        : { valid: false, errors: [`${op.method} ${op.template} takes no request body in the spec`] };
    }
    return this.run(lazy, body);
  }

  private run(lazy: LazySchema, value: unknown): Validation {
    lazy.compiled ??= this.ajv.compile(this.convert(lazy.schema, lazy.dir) as Obj);
    const valid = lazy.compiled(value) as boolean;
    return { valid, errors: valid ? [] : formatErrors(lazy.compiled.errors) };
  }

  /** Validates a value against a component schema (e.g. `Device.yaml`). */
  validateSchema(schemaFile: string, value: unknown): Validation {
    const id = this.ensureSchema(`${this.componentsDir()}schemas/${schemaFile}`);
    const validator = this.ajv.getSchema(id);
    if (!validator) throw new Error(`no schema ${schemaFile} in the spec`);
    const valid = validator(value) as boolean;
    return { valid, errors: valid ? [] : formatErrors(validator.errors) };
  }

  private componentsDir(): string {
    return `${METAL_OPENAPI_DIR}components/`;
  }

  private operation(method: string, template: string, op: Obj, dir: string): OpEntry {
    const responses = new Map<string, LazySchema | null>();
    for (const [status, res] of Object.entries((op.responses ?? {}) as Obj)) {
      const schema = ((res as Obj).content as Obj | undefined)?.["application/json"] as Obj | undefined;
      responses.set(status, schema?.schema ? { schema: schema.schema, dir } : null);
    }
    // A request body may itself be a reference to components/requestBodies.
    let requestBody = op.requestBody as Obj | undefined;
    let bodyDir = dir;
    if (typeof requestBody?.$ref === "string") {
      const file = resolvePath(dir, requestBody.$ref);
      requestBody = this.readYaml(file);
      bodyDir = dirOf(file);
    }
    const body = (requestBody?.content as Obj | undefined)?.["application/json"] as Obj | undefined;
    return {
      method,
      template,
      operationId: String(op.operationId),
      statuses: [...responses.keys()],
      parts: template.split("/").slice(1),
      responses,
      request: body?.schema ? { schema: body.schema, dir: bodyDir } : undefined,
    };
  }

  private schemaId(file: string): string {
    return `file://${file}`;
  }

  /** Loads (once) a referenced schema file, registers it with ajv under its absolute id, and returns the id. */
  private ensureSchema(file: string): string {
    const id = this.schemaId(file);
    if (this.loaded.has(id)) return id;
    const raw = this.readYaml(file);
    const patch = this.patches.filter((p) => file.endsWith(`/components/schemas/${p.schemaFile}`));
    for (const p of patch) p.apply(raw);
    this.loaded.set(id, raw);
    const converted = this.convert(raw, dirOf(file)) as Obj;
    this.ajv.addSchema({ ...converted, $id: id });
    return id;
  }

  /** OpenAPI 3.0 → JSON Schema: absolute `$ref`s, `nullable` as a `null` alternative. */
  private convert(node: Node, dir: string): Node {
    if (Array.isArray(node)) return node.map((n) => this.convert(n, dir));
    if (!isObj(node)) return node;
    if (typeof node.$ref === "string") {
      const ref = { $ref: this.ensureSchema(resolvePath(dir, node.$ref)) };
      // A patched reference may be nullable (siblings of $ref are otherwise ignored, as in OpenAPI 3.0).
      return node.nullable === true ? { anyOf: [ref, { type: "null" }] } : ref;
    }
    const out: Obj = {};
    for (const [k, v] of Object.entries(node)) {
      if (k === "nullable" || k === "example" || k === "examples" || k.startsWith("x-")) continue;
      // `properties` and `enum` hold names/values, not schemas at every key; convert their members only.
      if (k === "properties" && isObj(v)) {
        out[k] = Object.fromEntries(Object.entries(v).map(([name, s]) => [name, this.convert(s, dir)]));
      } else if (k === "enum" || k === "required" || k === "default") {
        out[k] = v;
      } else {
        out[k] = this.convert(v, dir);
      }
    }
    if (node.nullable === true) {
      if (typeof out.type === "string") {
        out.type = [out.type, "null"];
        if (Array.isArray(out.enum)) out.enum = [...out.enum, null];
      } else {
        return { anyOf: [out, { type: "null" }] };
      }
    }
    return out;
  }

  private readYaml(file: string): Obj {
    let text: string;
    try {
      text = Deno.readTextFileSync(file);
    } catch (e) {
      throw new Error(`cannot read OpenAPI file ${file}: ${(e as Error).message}`);
    }
    const value = parseYaml(text);
    if (!isObj(value)) throw new Error(`OpenAPI file ${file} is not a mapping`);
    return value;
  }
}

/** Loads the Metal OpenAPI document from METAL_OPENAPI_DIR (throws naming the file when it cannot be read). */
export function loadMetalOpenApi(patches: readonly SchemaPatch[] = []): OpenApiSpec {
  return new OpenApiSpec(`${METAL_OPENAPI_DIR}openapi3.yaml`, patches);
}
