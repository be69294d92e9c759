/**
 * `deno task docs:flags`: writes the flag tables of docs/operations.md from the commands' flag declarations
 * (`src/extension/options.ts`, `src/admission/options.ts`, `src/mcm/options.ts`), between `<!-- flags:<command> -->` and `<!-- /flags:<command> -->`.
 * tests/docs/operations_test.ts fails when the committed tables differ from what this renders.
 */
import { ADMISSION_FLAGS } from "../src/admission/options.ts";
import { EXTENSION_FLAGS } from "../src/extension/options.ts";
import { MCM_FLAGS } from "../src/mcm/options.ts";
import { type Flag, flagName, type Flags, shownDefault } from "../src/runtime/flags.ts";

/** The commands whose flags docs/operations.md lists, by marker name. */
export const FLAG_TABLES: Record<string, Flags> = {
  extension: EXTENSION_FLAGS,
  admission: ADMISSION_FLAGS,
  "machine-controller": MCM_FLAGS,
};

const cell = (text: string) => text.replaceAll("|", "\\|");

/** A Markdown table of `flags`: flag (with its old names), default, meaning. */
export function renderFlagTable(flags: Flags): string {
  const rows = Object.entries(flags).map(([key, flag]: [string, Flag<unknown>]) => {
    const main = flag.negatable ? `--[no-]${flagName(key).slice(2)}` : flagName(key);
    const names = [main, ...(flag.aliases ?? []).map((a) => `--${a}`)].map((n) => `\`${n}\``).join(", ");
    const shown = flag.kind === "switch" && flag.default !== undefined ? String(flag.default) : shownDefault(flag);
    const extra = [
      flag.choices ? `one of ${flag.choices.join(", ")}` : "",
      flag.env ? `env ${flag.env}` : "",
    ].filter((x) => x !== "");
    const meaning = extra.length ? `${flag.help} (${extra.join("; ")})` : flag.help;
    return `| ${names} | ${shown === "" ? "" : `\`${cell(shown)}\``} | ${cell(meaning)} |`;
  });
  return ["| Flag | Default | Meaning |", "| --- | --- | --- |", ...rows].join("\n");
}

/** `doc` with every flag table between its markers replaced by the rendered one (unformatted). */
export function withFlagTables(doc: string): string {
  let out = doc;
  for (const [command, flags] of Object.entries(FLAG_TABLES)) {
    const open = `<!-- flags:${command} -->`;
    const close = `<!-- /flags:${command} -->`;
    const start = out.indexOf(open);
    const end = out.indexOf(close);
    if (start < 0 || end < start) throw new Error(`docs/operations.md: markers ${open} ... ${close} not found`);
    out = `${out.slice(0, start + open.length)}\n\n${renderFlagTable(flags)}\n\n${out.slice(end)}`;
  }
  return out;
}

/** The Markdown text formatted as `deno fmt` formats it (the committed form). */
export async function formatMarkdown(text: string, cwd = new URL("../", import.meta.url).pathname): Promise<string> {
  const cmd = new Deno.Command(Deno.execPath(), {
    args: ["fmt", "--ext", "md", "-"],
    cwd,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  });
  const child = cmd.spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(text));
  await writer.close();
  const { code, stdout, stderr } = await child.output();
  if (code !== 0) throw new Error(`deno fmt: ${new TextDecoder().decode(stderr)}`);
  return new TextDecoder().decode(stdout);
}

if (import.meta.main) {
  const path = new URL("../docs/operations.md", import.meta.url);
  const doc = await Deno.readTextFile(path);
  await Deno.writeTextFile(path, await formatMarkdown(withFlagTables(doc)));
}
