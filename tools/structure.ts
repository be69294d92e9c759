/**
 * `deno task structure`: the shape of `src/` in numbers, for before/after comparisons of a restructuring (the figures
 * quoted in docs/architecture.md come from it):
 * - files per folder (the largest folders);
 * - the longest functions (a named `function`, method or arrow function bound to a name, measured from its first to
 *   its closing line by brace matching outside strings and comments);
 * - for every command-line flag, how many places in `src/` name it (its kebab-case spelling as a string, or its
 *   camelCase spelling as a declared property): 1 means the flag is declared once.
 *
 * Usage: `deno task structure [--top N]`. Read-only; prints a Markdown report.
 */

/** A function and its length in lines. */
export interface FunctionSpan {
  file: string;
  name: string;
  start: number;
  lines: number;
}

/** Blanks out strings, template literals, regular-expression-free comments, keeping line breaks and braces elsewhere. */
export function stripNonCode(text: string): string {
  let out = "";
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    const next = text[i + 1];
    if (c === "/" && next === "/") {
      while (i < text.length && text[i] !== "\n") i++;
    } else if (c === "/" && next === "*") {
      const end = text.indexOf("*/", i + 2);
      const stop = end < 0 ? text.length : end + 2;
      out += text.slice(i, stop).replace(/[^\n]/g, " ");
      i = stop;
    } else if (c === '"' || c === "'" || c === "`") {
      let j = i + 1;
      while (j < text.length && text[j] !== c) {
        if (text[j] === "\\") j++;
        j++;
      }
      out += " " + text.slice(i + 1, j).replace(/[^\n]/g, " ") + " ";
      i = j + 1;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

const FUNCTION_START = [
  /^\s*(?:export\s+)?(?:default\s+)?(?:async\s+)?function\*?\s+([A-Za-z0-9_$]+)/,
  /^\s*(?:export\s+)?(?:const|let)\s+([A-Za-z0-9_$]+)\s*(?::[^=]+)?=\s*(?:async\s+)?(?:\([^)]*\)|[A-Za-z0-9_$]+)\s*(?::[^=]+)?=>\s*\{\s*$/,
  /^\s*(?:export\s+)?(?:const|let)\s+([A-Za-z0-9_$]+)\s*(?::[^=]+)?=\s*(?:async\s+)?\($/,
  /^\s*(?:(?:public|private|protected|static|readonly|async|override)\s+)*(?:get\s+|set\s+)?\*?([A-Za-z0-9_$]+)\s*(?:<[^>]*>)?\([^)]*\)?\s*(?::\s*[^{]+)?\{\s*$/,
];
const NOT_A_METHOD = new Set(["if", "for", "while", "switch", "catch", "return", "function", "else", "do", "try"]);

/** Every named function of a module whose body opens on its first line or shortly after. */
export function functionSpans(file: string, text: string): FunctionSpan[] {
  const code = stripNonCode(text).split("\n");
  const spans: FunctionSpan[] = [];
  for (let n = 0; n < code.length; n++) {
    const line = code[n];
    let name: string | undefined;
    for (const re of FUNCTION_START) {
      const m = line.match(re);
      if (m && !NOT_A_METHOD.has(m[1])) {
        name = m[1];
        break;
      }
    }
    if (!name) continue;
    // The body is the first brace that opens at depth 0 of parentheses after the signature.
    let depth = 0, parens = 0, opened = false, end = -1;
    for (let k = n; k < code.length && end < 0; k++) {
      for (const ch of code[k]) {
        if (ch === "(") parens++;
        else if (ch === ")") parens--;
        else if (ch === "{" && (opened || parens === 0)) {
          depth++;
          opened = true;
        } else if (ch === "}" && opened) {
          depth--;
          if (depth === 0) {
            end = k;
            break;
          }
        } else if (ch === ";" && !opened && parens === 0) {
          end = -2; // a declaration without a body (overload)
          break;
        }
      }
      if (end === -2) break;
    }
    if (end >= 0) spans.push({ file, name, start: n + 1, lines: end - n + 1 });
  }
  return spans;
}

/** Every `.ts` file below `dir`, relative to `root`, sorted. */
export async function sourceFiles(root: string, dir = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(`${root}/${dir}`)) {
    const path = dir ? `${dir}/${entry.name}` : entry.name;
    if (entry.isDirectory) out.push(...await sourceFiles(root, path));
    else if (entry.name.endsWith(".ts")) out.push(path);
  }
  return out.sort();
}

const camel = (kebab: string) => kebab.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** True for the modules that declare or resolve flags: `src/cli` and files named for flags, options or settings. */
export const isFlagModule = (path: string) => path.startsWith("cli/") || /(flags|options|settings)\.ts$/.test(path);

/**
 * How many places name each flag: its kebab spelling as a string literal anywhere, or its camel spelling as a declared
 * property in a flag module (elsewhere a property such as `namespace` is the domain's, not the flag's).
 */
export function flagMentions(flags: string[], files: Map<string, string>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const flag of flags) {
    const literal = new RegExp(`"-{0,2}${flag}"`, "g");
    const property = new RegExp(`^\\s*(?:readonly\\s+)?${camel(flag)}\\??\\s*:`, "gm");
    let n = 0;
    for (const [path, text] of files) {
      n += text.match(literal)?.length ?? 0;
      if (isFlagModule(path)) n += text.match(property)?.length ?? 0;
    }
    counts.set(flag, n);
  }
  return counts;
}

/** The flags the command line declares: the property names of the flag tables (in `src/cli` and the flag modules). */
export function declaredFlags(files: Map<string, string>): string[] {
  const names = new Set<string>();
  for (const [path, text] of files) {
    if (!isFlagModule(path)) continue;
    for (
      const m of text.matchAll(/^\s{2,6}([a-z][A-Za-z0-9]*):\s*(?:flag|value|bool|toggle|list|listFlag|pflag\.\w+)\(/gm)
    ) {
      names.add(kebab(m[1]));
    }
  }
  return [...names].sort();
}

if (import.meta.main) {
  const top = Number(Deno.args[Deno.args.indexOf("--top") + 1]) || 10;
  const root = new URL("../src", import.meta.url).pathname;
  const paths = await sourceFiles(root);
  const files = new Map<string, string>();
  for (const p of paths) files.set(p, await Deno.readTextFile(`${root}/${p}`));

  const perFolder = new Map<string, number>();
  for (const p of paths) {
    const folder = p.includes("/") ? p.slice(0, p.lastIndexOf("/")) : ".";
    perFolder.set(folder, (perFolder.get(folder) ?? 0) + 1);
  }
  const lines = [...files.values()].reduce((n, t) => n + t.split("\n").length, 0);
  console.log(`# src/: ${paths.length} modules, ${lines} lines, ${perFolder.size} folders\n`);
  console.log("## Files per folder (largest)\n");
  for (const [folder, n] of [...perFolder].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`- ${n} src/${folder}`);
  }

  const spans = [...files].flatMap(([p, t]) => functionSpans(p, t));
  console.log("\n## Longest functions\n");
  for (const s of spans.sort((a, b) => b.lines - a.lines).slice(0, top)) {
    console.log(`- ${s.lines} lines: ${s.name} (src/${s.file}:${s.start})`);
  }
  const over = (n: number) => spans.filter((s) => s.lines > n).length;
  console.log(`\nFunctions over 100 lines: ${over(100)}; over 60: ${over(60)}`);

  const flags = declaredFlags(files);
  const mentions = flagMentions(flags, files);
  const counts = [...mentions.values()];
  const histogram = new Map<number, number>();
  for (const c of counts) histogram.set(c, (histogram.get(c) ?? 0) + 1);
  console.log(`\n## Places that name a flag (${flags.length} flags)\n`);
  for (const [n, k] of [...histogram].sort((a, b) => a[0] - b[0])) console.log(`- ${k} flags named in ${n} places`);
  const worst = [...mentions].sort((a, b) => b[1] - a[1]).slice(0, 5);
  console.log(`\nMost named: ${worst.map(([f, n]) => `--${f} (${n})`).join(", ")}`);
}
