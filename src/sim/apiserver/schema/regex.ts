/**
 * `pattern` keywords are Go RE2 expressions. Most are valid JavaScript too; the differences CRDs actually use are
 * bare flag groups (`(?i)` anywhere, e.g. `^(?i)(abort|warn)?$`), `\A`/`\z` anchors and POSIX classes
 * (`[[:alpha:]]`). This module translates those and caches compiled expressions.
 */

const POSIX_CLASSES: Record<string, string> = {
  alnum: "0-9A-Za-z",
  alpha: "A-Za-z",
  ascii: "\\x00-\\x7F",
  blank: "\\t ",
  cntrl: "\\x00-\\x1F\\x7F",
  digit: "0-9",
  graph: "!-~",
  lower: "a-z",
  print: " -~",
  punct: "!-\\/:-@\\[-`{-~",
  space: "\\t\\n\\v\\f\\r ",
  upper: "A-Z",
  word: "0-9A-Za-z_",
  xdigit: "0-9A-Fa-f",
};

/** Result of translating a Go pattern: the JS source and flags, or why it cannot be used. */
export type TranslatedPattern = { source: string; flags: string } | { error: string };

/** Translates Go RE2 syntax that JavaScript lacks; the result keeps Go's unanchored "find anywhere" semantics. */
export function translateGoPattern(pattern: string): TranslatedPattern {
  let flags = "";
  let out = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "\\") {
      const next = pattern[i + 1];
      if (next === "A") out += "^";
      else if (next === "z") out += "$";
      else if (next === undefined) return { error: "trailing backslash at end of expression" };
      else out += c + next;
      i++;
      continue;
    }
    if (c === "[" && pattern[i + 1] === ":") {
      // POSIX class such as `[:alpha:]` inside a bracket expression (`[[:alpha:]_]`).
      const end = pattern.indexOf(":]", i + 2);
      const name = end > 0 ? pattern.slice(i + 2, end) : "";
      const negated = name.startsWith("^");
      const expansion = POSIX_CLASSES[negated ? name.slice(1) : name];
      if (expansion !== undefined && !negated) {
        out += expansion;
        i = end + 1;
        continue;
      }
    }
    if (c === "(" && pattern[i + 1] === "?") {
      const m = /^\(\?([imsU]+)\)/.exec(pattern.slice(i));
      if (m) {
        // A bare flag group applies to the rest of the expression in Go; JS flags apply to all of it, which is
        // the same for the patterns CRDs use (flags at or right after the start).
        for (const f of m[1]) {
          if (f === "U") return { error: "ungreedy flag (?U) is not supported" };
          if (!flags.includes(f)) flags += f;
        }
        i += m[0].length - 1;
        continue;
      }
      if (pattern[i + 2] === "P" && pattern[i + 3] === "<") {
        // Go's named group `(?P<name>...)` is `(?<name>...)` in JS.
        out += "(?<";
        i += 3;
        continue;
      }
    }
    out += c;
  }
  return { source: out, flags };
}

const cache = new Map<string, RegExp | string>();

/** Compiles a Go pattern to a RegExp (cached); returns an error string when it cannot be compiled. */
export function compileGoPattern(pattern: string): RegExp | string {
  const hit = cache.get(pattern);
  if (hit !== undefined) return hit;
  const t = translateGoPattern(pattern);
  let result: RegExp | string;
  if ("error" in t) {
    result = t.error;
  } else {
    try {
      // Unicode mode matches Go's rune semantics (`.` is one code point); some legacy escapes only parse without it.
      result = new RegExp(t.source, t.flags + "u");
    } catch {
      try {
        result = new RegExp(t.source, t.flags);
      } catch (e) {
        result = e instanceof Error ? e.message : String(e);
      }
    }
  }
  if (cache.size > 4096) cache.clear();
  cache.set(pattern, result);
  return result;
}
