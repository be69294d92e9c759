/**
 * A typed, defensive view of one apiextensions.k8s.io/v1 JSONSchemaProps node. CRDs arrive as parsed YAML, so every
 * accessor checks the JSON type instead of trusting it.
 */

/** The keywords of a structural schema node that validation, pruning and defaulting read. */
export interface SchemaNode {
  type?: string;
  format?: string;
  properties?: Record<string, SchemaNode>;
  additionalProperties?: SchemaNode | boolean;
  items?: SchemaNode;
  required?: string[];
  enum?: unknown[];
  nullable?: boolean;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean;
  exclusiveMaximum?: boolean;
  multipleOf?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  minProperties?: number;
  maxProperties?: number;
  pattern?: string;
  anyOf?: SchemaNode[];
  allOf?: SchemaNode[];
  oneOf?: SchemaNode[];
  not?: SchemaNode;
  "x-kubernetes-int-or-string"?: boolean;
  "x-kubernetes-preserve-unknown-fields"?: boolean;
  "x-kubernetes-embedded-resource"?: boolean;
  "x-kubernetes-list-type"?: string;
  "x-kubernetes-list-map-keys"?: string[];
}

/** True for a JSON object (not null, not an array). */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Reads a raw schema object as a SchemaNode; anything that is not an object reads as the empty schema. */
export function asSchemaNode(raw: unknown): SchemaNode {
  return isPlainObject(raw) ? raw as SchemaNode : {};
}

/** The schemas of the declared properties (empty when none). */
export function propertiesOf(s: SchemaNode): Record<string, SchemaNode> {
  return isPlainObject(s.properties) ? s.properties : {};
}

/** The schema of undeclared keys: a schema, `true` (anything), or undefined (none allowed / not declared). */
export function additionalPropertiesOf(s: SchemaNode): SchemaNode | true | undefined {
  const ap = s.additionalProperties;
  if (ap === true) return true;
  if (isPlainObject(ap)) return ap as SchemaNode;
  return undefined;
}

/** The item schema of an array (undefined when absent). */
export function itemsOf(s: SchemaNode): SchemaNode | undefined {
  return isPlainObject(s.items) ? s.items as SchemaNode : undefined;
}

/** The expected JSON types, as kube-openapi sees them after converting the CRD schema. */
export function expectedTypes(s: SchemaNode): string[] {
  // kube converts x-kubernetes-int-or-string to type [integer, string] (ConvertJSONSchemaPropsWithPostProcess).
  if (s["x-kubernetes-int-or-string"] === true) return ["integer", "string"];
  return typeof s.type === "string" && s.type !== "" ? [s.type] : [];
}

/** True when unknown fields below this node are kept. */
export function preservesUnknownFields(s: SchemaNode): boolean {
  return s["x-kubernetes-preserve-unknown-fields"] === true;
}

/** True when this node holds a whole Kubernetes object (apiVersion, kind and metadata are kept). */
export function isEmbeddedResource(s: SchemaNode): boolean {
  return s["x-kubernetes-embedded-resource"] === true;
}

/** A numeric keyword, or undefined when absent or not a number. */
export function numberKeyword(s: SchemaNode, key: keyof SchemaNode): number | undefined {
  const v = s[key];
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}

/** Deep copy of a JSON value. */
export function cloneJson<T>(v: T): T {
  return v === undefined ? v : structuredClone(v);
}

/** Field path of a property below `path` (kube-openapi joins with dots). */
export function childPath(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

/** Field path of a list item below `path`. */
export function indexPath(path: string, i: number): string {
  return `${path}[${i}]`;
}
