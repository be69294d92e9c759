/**
 * The subset of Kubernetes JSONPath that printer columns use: an optional `{...}` wrapper, `.field` and `['field']`
 * steps, `[n]` (negative from the end), `[*]` and `..`-free filters `[?(@.a.b=="x")]` / `[?(@.a!="x")]` /
 * `[?(@.a)]`. `findResults` returns every value the path reaches, in document order. Pure.
 */

type Step =
  | { kind: "field"; name: string }
  | { kind: "index"; index: number }
  | { kind: "all" }
  | { kind: "filter"; path: Step[]; op?: "==" | "!="; value?: string };

function parseSteps(text: string, at = 0): { steps: Step[]; end: number } {
  const steps: Step[] = [];
  let i = at;
  while (i < text.length) {
    const c = text[i];
    if (c === ".") {
      const m = /^\.([A-Za-z0-9_\-\/]+)/.exec(text.slice(i));
      if (!m) {
        if (text[i + 1] === "[") {
          i++;
          continue;
        }
        throw new Error(`unsupported JSONPath at ${i}: ${text}`);
      }
      steps.push({ kind: "field", name: m[1] });
      i += m[0].length;
    } else if (c === "[") {
      const close = matching(text, i);
      const inner = text.slice(i + 1, close).trim();
      if (inner === "*") steps.push({ kind: "all" });
      else if (/^-?\d+$/.test(inner)) steps.push({ kind: "index", index: Number(inner) });
      else if (/^'.*'$|^".*"$/.test(inner)) steps.push({ kind: "field", name: inner.slice(1, -1) });
      else if (inner.startsWith("?(") && inner.endsWith(")")) steps.push(parseFilter(inner.slice(2, -1)));
      else throw new Error(`unsupported JSONPath subscript [${inner}] in ${text}`);
      i = close + 1;
    } else if (c === " ") i++;
    else throw new Error(`unsupported JSONPath at ${i}: ${text}`);
  }
  return { steps, end: i };
}

function matching(text: string, open: number): number {
  let depth = 0;
  let quote = "";
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = "";
    } else if (c === "'" || c === '"') quote = c;
    else if (c === "[") depth++;
    else if (c === "]" && --depth === 0) return i;
  }
  throw new Error(`unbalanced [ in JSONPath ${text}`);
}

function parseFilter(expr: string): Step {
  const m = /^@((?:\.[A-Za-z0-9_\-\/]+|\[[^\]]+\])*)\s*(?:(==|!=)\s*(?:"([^"]*)"|'([^']*)'|([^\s]+)))?\s*$/.exec(
    expr.trim(),
  );
  if (!m) throw new Error(`unsupported JSONPath filter ?(${expr})`);
  const path = parseSteps(m[1]).steps;
  if (!m[2]) return { kind: "filter", path };
  return { kind: "filter", path, op: m[2] as "==" | "!=", value: m[3] ?? m[4] ?? m[5] };
}

function apply(steps: readonly Step[], roots: unknown[]): unknown[] {
  let current = roots;
  for (const step of steps) {
    const next: unknown[] = [];
    for (const v of current) {
      if (step.kind === "field") {
        if (v && typeof v === "object" && !Array.isArray(v) && step.name in v) {
          next.push((v as Record<string, unknown>)[step.name]);
        }
      } else if (step.kind === "index") {
        if (Array.isArray(v)) {
          const i = step.index < 0 ? v.length + step.index : step.index;
          if (i >= 0 && i < v.length) next.push(v[i]);
        }
      } else if (step.kind === "all") {
        if (Array.isArray(v)) next.push(...v);
        else if (v && typeof v === "object") next.push(...Object.values(v));
      } else {
        const items = Array.isArray(v) ? v : [];
        for (const item of items) {
          const found = apply(step.path, [item]);
          if (
            step.op === undefined
              ? found.length > 0
              : step.op === "=="
              ? found.some((f) => text(f) === step.value)
              : found.every((f) => text(f) !== step.value)
          ) {
            next.push(item);
          }
        }
      }
    }
    current = next;
  }
  return current;
}

/** A value as JSONPath prints it: strings bare, everything else as JSON. */
export function text(v: unknown): string {
  return typeof v === "string" ? v : JSON.stringify(v);
}

/** Every value `path` reaches in `obj`; throws on syntax outside the subset. */
export function findResults(path: string, obj: unknown): unknown[] {
  let p = path.trim();
  if (p.startsWith("{") && p.endsWith("}")) p = p.slice(1, -1).trim();
  if (p.startsWith("$")) p = p.slice(1);
  return apply(parseSteps(p).steps, [obj]);
}
