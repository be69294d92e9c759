/**
 * Editing the `ExecStart=` of a systemd unit's `[Service]` section in place, as text: gardenlet renders the kubelet
 * unit as `ExecStart=/opt/bin/kubelet \` followed by one flag per line and ` $KUBELET_EXTRA_ARGS` after the last.
 * Only that logical line changes (the rest of the unit keeps gardenlet's bytes), and only when its tokens change, so a
 * unit that already has what we want comes back byte for byte. Pure.
 */

/** The indentation gardenlet puts before each continued flag line. */
const CONTINUATION = " \\\n    ";

/** Where the logical `ExecStart=` line of `[Service]` is: first and last physical line (inclusive). */
function findExecStart(lines: readonly string[]): { first: number; last: number } | undefined {
  let section = "";
  for (let i = 0; i < lines.length; i++) {
    const trimmed = lines[i].trim();
    if (trimmed.startsWith("[") && trimmed.endsWith("]")) {
      section = trimmed;
      continue;
    }
    if (section !== "[Service]" || !/^ExecStart\s*=/.test(trimmed)) continue;
    let last = i;
    while (last < lines.length - 1 && lines[last].trimEnd().endsWith("\\")) last++;
    return { first: i, last };
  }
  return undefined;
}

/** Splits a command line into words (gardenlet's values hold no spaces inside a flag). */
function tokens(commandLine: string): string[] {
  return commandLine.split(/\s+/).filter((t) => t !== "");
}

/**
 * Lays the words out as gardenlet does: the binary on the `ExecStart=` line, each flag on its own continued line, shell
 * variables (`$KUBELET_EXTRA_ARGS`) after the last flag on the same line.
 */
function layout(words: readonly string[]): string {
  const lines: string[] = [];
  for (const word of words) {
    if (lines.length > 0 && word.startsWith("$")) lines[lines.length - 1] += ` ${word}`;
    else lines.push(word);
  }
  return lines.join(CONTINUATION);
}

/**
 * The unit text with `edit` applied to the words of `[Service]`'s `ExecStart=` (binary first). Returns `content`
 * itself when the unit has no such line or `edit` leaves the words as they are.
 */
export function editExecStart(content: string, edit: (words: string[]) => string[]): string {
  const lines = content.split("\n");
  const at = findExecStart(lines);
  if (!at) return content;
  const logical = lines
    .slice(at.first, at.last + 1)
    .map((line) => line.trimEnd().replace(/\\$/, ""))
    .join(" ");
  const eq = logical.indexOf("=");
  const key = logical.slice(0, eq).trim();
  const words = tokens(logical.slice(eq + 1));
  const edited = edit([...words]);
  if (edited.length === words.length && edited.every((w, i) => w === words[i])) return content;
  const replacement = `${key}=${layout(edited)}`.split("\n");
  return [...lines.slice(0, at.first), ...replacement, ...lines.slice(at.last + 1)].join("\n");
}
