/**
 * `deno task layers`: the architecture of `src/` as a checked contract (docs/architecture.md). Fails, naming the
 * files, on
 * - a product module (everything but `sim/`, `playground/`, `cli/` and `main.ts`) importing the simulators, the
 *   playground or the command line;
 * - a simulator importing the product code it stands in for (`extension/`, `mcm/`, `metal/`), the playground or the
 *   command line; the playground importing the command line;
 * - an import cycle (type imports count: they tie modules together as much);
 * - an import from outside a folder that has a `mod.ts` into any other file of that folder;
 * - a `mod.ts` that is more than a barrel (only `export ... from` statements);
 * - a product module importing a floor above its own, or a sibling area on its floor (`FLOORS`).
 * Imports are read from the source text (relative specifiers of `import`/`export ... from` and `import()`).
 */

/** One broken rule, with the files involved. */
export interface LayerViolation {
  rule: "layer" | "cycle" | "barrel" | "deep-import";
  message: string;
}

const PRODUCT_EXCLUDED = new Set(["sim", "playground", "cli", "main.ts"]);
const STOOD_IN_FOR = new Set(["extension", "mcm", "metal"]);

/**
 * The product's floors, bottom first: a module may import its own area and the floors below. Areas that share a floor
 * are siblings that never import each other (the two components), unless the floor is `mutual` (the substrate).
 */
export const FLOORS: readonly { areas: readonly string[]; mutual?: boolean }[] = [
  { areas: ["runtime", "observability"], mutual: true },
  { areas: ["k8s/api"] },
  { areas: ["apis"] },
  { areas: ["k8s/client"] },
  { areas: ["k8s/cache"] },
  { areas: ["k8s/controller"] },
  { areas: ["k8s/webhook"] },
  { areas: ["metal"] },
  { areas: ["mcm", "extension", "admission"] },
];

/** The floor and area of a product path (the longest matching area), or undefined outside the floors. */
function floorOf(path: string): { floor: number; area: string } | undefined {
  let best: { floor: number; area: string } | undefined;
  FLOORS.forEach(({ areas }, floor) => {
    for (const area of areas) {
      if ((path === area || path.startsWith(`${area}/`)) && area.length > (best?.area.length ?? -1)) {
        best = { floor, area };
      }
    }
  });
  return best;
}

/** Relative import specifiers of a module, resolved against its path (both relative to the source root). */
export function importsOf(path: string, text: string): string[] {
  const out: string[] = [];
  const re = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s*)"(\.{1,2}\/[^"]+)"/gm;
  for (const m of text.matchAll(re)) out.push(new URL(m[1], `file:///${path}`).pathname.slice(1));
  return out;
}

/** The top-level area of a path: `extension`, `sim`, `main.ts`, ... */
const areaOf = (path: string) => path.split("/")[0];

/** True when `text` has nothing but comments and `export ... from "..."` statements. */
export function isBarrel(text: string): boolean {
  const rest = text
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .replace(/\/\/[^\n]*/g, "")
    .replace(/export\s+(?:type\s+)?(?:\*|\{[^}]*\})\s+from\s+"[^"]+"\s*;/g, "");
  return rest.trim() === "";
}

/** Strongly connected components of more than one module (Tarjan). */
function cycles(graph: Map<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string) => {
    index.set(node, counter);
    low.set(node, counter++);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!graph.has(next)) continue;
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node)!, index.get(next)!));
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) visit(node);
  return found;
}

/** Checks a source tree given as path (relative to the source root) → text. Pure. */
export function checkLayers(sources: ReadonlyMap<string, string>): LayerViolation[] {
  const violations: LayerViolation[] = [];
  const graph = new Map([...sources].map(([path, text]) => [path, importsOf(path, text)]));
  const barrelDirs = [...sources.keys()].filter((p) => p.endsWith("/mod.ts")).map((p) => p.slice(0, -"mod.ts".length));
  for (const [from, targets] of graph) {
    const fromArea = areaOf(from);
    for (const to of targets) {
      const toArea = areaOf(to);
      const edge = `${from} imports ${to}`;
      if (!PRODUCT_EXCLUDED.has(fromArea) && ["sim", "playground", "cli"].includes(toArea)) {
        violations.push({ rule: "layer", message: `product code must not import ${toArea}/: ${edge}` });
      }
      if (fromArea === "sim" && (STOOD_IN_FOR.has(toArea) || toArea === "playground" || toArea === "cli")) {
        violations.push({ rule: "layer", message: `a simulator must not import ${toArea}/: ${edge}` });
      }
      if (fromArea === "playground" && toArea === "cli") {
        violations.push({ rule: "layer", message: `the playground must not import cli/: ${edge}` });
      }
      const [a, b] = [floorOf(from), floorOf(to)];
      if (a && b && a.area !== b.area) {
        if (b.floor > a.floor) {
          violations.push({ rule: "layer", message: `${a.area}/ must not import ${b.area}/, a floor above: ${edge}` });
        } else if (b.floor === a.floor && !FLOORS[a.floor].mutual) {
          violations.push({ rule: "layer", message: `${a.area}/ must not import its sibling ${b.area}/: ${edge}` });
        }
      }
      for (const dir of barrelDirs) {
        if (to.startsWith(dir) && !from.startsWith(dir) && to !== `${dir}mod.ts`) {
          violations.push({ rule: "deep-import", message: `import ${dir}mod.ts instead: ${edge}` });
        }
      }
    }
  }
  for (const dir of barrelDirs) {
    if (!isBarrel(sources.get(`${dir}mod.ts`)!)) {
      violations.push({ rule: "barrel", message: `${dir}mod.ts must only re-export (export ... from)` });
    }
  }
  for (const cycle of cycles(graph)) violations.push({ rule: "cycle", message: `import cycle: ${cycle.join(" → ")}` });
  return violations;
}

async function readTree(root: string, dir = ""): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for await (const entry of Deno.readDir(`${root}/${dir}`)) {
    const rel = dir ? `${dir}/${entry.name}` : entry.name;
    if (entry.isDirectory) { for (const [k, v] of await readTree(root, rel)) out.set(k, v); }
    else if (entry.name.endsWith(".ts")) out.set(rel, await Deno.readTextFile(`${root}/${rel}`));
  }
  return out;
}

if (import.meta.main) {
  const root = Deno.args[0] ?? new URL("../src", import.meta.url).pathname;
  const sources = await readTree(root);
  const violations = checkLayers(sources);
  for (const v of violations) console.error(`layers: ${v.rule}: ${v.message}`);
  console.log(`layers: ${sources.size} modules of ${root}, ${violations.length} violation(s)`);
  if (violations.length) Deno.exit(1);
}
