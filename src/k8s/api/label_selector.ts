/**
 * Label selectors, as k8s.io/apimachinery/pkg/labels parses and matches them: the string form of the API
 * (`a=b,c!=d,e in (x,y),f notin (z),g,!h`) and metav1.LabelSelector objects (matchLabels + matchExpressions). Both
 * become the same requirements, matched by one function — used by the fake API server, admission, eviction, the
 * MachineDeployment simulation and the drain.
 */
import { z } from "zod";

/** One requirement of a selector. */
export interface LabelRequirement {
  key: string;
  op: "=" | "!=" | "in" | "notin" | "exists" | "!exists";
  values: string[];
}

/** Thrown for a selector that cannot be parsed (the server answers 400). */
export class SelectorParseError extends Error {}

const KEY_RE =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const VALUE_RE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

function checkKey(key: string): void {
  const name = key.includes("/") ? key.slice(key.indexOf("/") + 1) : key;
  if (!KEY_RE.test(key) || name.length > 63) {
    throw new SelectorParseError(
      `unable to parse requirement: invalid label key "${key}": name part must consist of alphanumeric characters, '-', '_' or '.'`,
    );
  }
}

function checkValue(value: string): void {
  if (!VALUE_RE.test(value) || value.length > 63) {
    throw new SelectorParseError(
      `unable to parse requirement: invalid label value: "${value}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.'`,
    );
  }
}

/** Splits on commas that are not inside parentheses. */
function splitTopLevel(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === "(") depth++;
    else if (s[i] === ")") depth--;
    else if (s[i] === "," && depth === 0) {
      out.push(s.slice(start, i));
      start = i + 1;
    }
    if (depth < 0) throw new SelectorParseError(`unable to parse requirement: unexpected ")" in "${s}"`);
  }
  if (depth !== 0) throw new SelectorParseError(`unable to parse requirement: unclosed "(" in "${s}"`);
  out.push(s.slice(start));
  return out;
}

function parseRequirement(raw: string): LabelRequirement {
  const term = raw.trim();
  if (term === "") throw new SelectorParseError("unable to parse requirement: found '', expected: identifier");
  const setMatch = /^(\S+)\s+(in|notin)\s*\((.*)\)$/.exec(term);
  if (setMatch) {
    const [, key, op, list] = setMatch;
    checkKey(key);
    const values = list.split(",").map((v) => v.trim());
    if (values.length === 1 && values[0] === "" && op === "in") {
      throw new SelectorParseError(`unable to parse requirement: for 'in' operator, values set can't be empty`);
    }
    values.forEach(checkValue);
    return { key, op: op as "in" | "notin", values };
  }
  if (term.startsWith("!")) {
    const key = term.slice(1).trim();
    checkKey(key);
    return { key, op: "!exists", values: [] };
  }
  const opMatch = /^([^=!\s]+)\s*(==|=|!=)\s*(.*)$/.exec(term);
  if (opMatch) {
    const [, key, op, value] = opMatch;
    checkKey(key);
    checkValue(value.trim());
    return { key, op: op === "!=" ? "!=" : "=", values: [value.trim()] };
  }
  if (/^\S+$/.test(term)) {
    checkKey(term);
    return { key: term, op: "exists", values: [] };
  }
  throw new SelectorParseError(`unable to parse requirement: "${term}"`);
}

/** Parses a selector string; empty or absent selects everything. */
export function parseLabelSelector(selector: string | null | undefined): LabelRequirement[] {
  if (!selector || selector.trim() === "") return [];
  return splitTopLevel(selector).map(parseRequirement);
}

/** True if the labels satisfy every requirement. */
export function matchesLabels(reqs: LabelRequirement[], labels: Record<string, string> | undefined): boolean {
  for (const r of reqs) {
    const has = labels !== undefined && Object.hasOwn(labels, r.key);
    const v = has ? labels![r.key] : undefined;
    switch (r.op) {
      case "=":
        if (!has || v !== r.values[0]) return false;
        break;
      case "!=":
        if (has && v === r.values[0]) return false;
        break;
      case "in":
        if (!has || !r.values.includes(v!)) return false;
        break;
      case "notin":
        if (has && r.values.includes(v!)) return false;
        break;
      case "exists":
        if (!has) return false;
        break;
      case "!exists":
        if (has) return false;
        break;
    }
  }
  return true;
}

/** metav1.LabelSelector (matchLabels/matchExpressions) as a selector string; undefined selects nothing. */
export function labelSelectorToString(
  sel: {
    matchLabels?: Record<string, string>;
    matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
  } | undefined,
): string | undefined {
  if (!sel) return undefined;
  const parts: string[] = [];
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) parts.push(`${k}=${v}`);
  for (const e of sel.matchExpressions ?? []) {
    switch (e.operator) {
      case "In":
        parts.push(`${e.key} in (${(e.values ?? []).join(",")})`);
        break;
      case "NotIn":
        parts.push(`${e.key} notin (${(e.values ?? []).join(",")})`);
        break;
      case "Exists":
        parts.push(e.key);
        break;
      case "DoesNotExist":
        parts.push(`!${e.key}`);
        break;
    }
  }
  return parts.join(",");
}

const LabelSelectorSchema = z.object({
  matchLabels: z.record(z.string(), z.string()).optional(),
  matchExpressions: z.array(z.object({
    key: z.string(),
    operator: z.enum(["In", "NotIn", "Exists", "DoesNotExist"]),
    values: z.array(z.string()).optional(),
  })).optional(),
});

/** A metav1.LabelSelector. */
export type LabelSelector = z.infer<typeof LabelSelectorSchema>;

/**
 * Validates a metav1.LabelSelector object; an invalid one yields kube's error text (callers decide what an invalid
 * selector means: webhooks and PDBs treat it as matching nothing).
 */
export function parseLabelSelectorObject(raw: unknown): { selector: LabelSelector } | { error: string } {
  const r = LabelSelectorSchema.safeParse(raw ?? {});
  if (!r.success) return { error: r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ") };
  for (const e of r.data.matchExpressions ?? []) {
    const n = e.values?.length ?? 0;
    if ((e.operator === "In" || e.operator === "NotIn") && n === 0) {
      return { error: `values: Required value: must be specified when \`operator\` is '${e.operator}'` };
    }
    if ((e.operator === "Exists" || e.operator === "DoesNotExist") && n > 0) {
      return { error: `values: Forbidden: may not be specified when \`operator\` is '${e.operator}'` };
    }
  }
  return { selector: r.data };
}

const OPERATOR: Record<string, LabelRequirement["op"]> = {
  In: "in",
  NotIn: "notin",
  Exists: "exists",
  DoesNotExist: "!exists",
};

/** The requirements of a (validated) metav1.LabelSelector. */
export function selectorRequirements(selector: LabelSelector): LabelRequirement[] {
  const reqs: LabelRequirement[] = Object.entries(selector.matchLabels ?? {}).map(([key, v]) => ({
    key,
    op: "=",
    values: [v],
  }));
  for (const e of selector.matchExpressions ?? []) {
    reqs.push({ key: e.key, op: OPERATOR[e.operator], values: e.values ?? [] });
  }
  return reqs;
}

/** True if the labels satisfy every requirement of the selector object. */
export function selectorMatches(selector: LabelSelector, labels: Record<string, string> | undefined): boolean {
  return matchesLabels(selectorRequirements(selector), labels);
}

/** True if the selector has no requirement at all (it matches every label set). */
export function isEmptySelector(selector: LabelSelector): boolean {
  return Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0;
}
