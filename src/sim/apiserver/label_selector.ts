/**
 * Label selectors in the string form of the API (`a=b,c!=d,e in (x,y),f notin (z),g,!h`), parsed and matched as
 * k8s.io/apimachinery/pkg/labels does. Also converts a metav1.LabelSelector object into requirements.
 */

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
