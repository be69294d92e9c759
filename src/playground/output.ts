/**
 * Where the playground's human-readable output goes. On a terminal the live status is a block redrawn in place
 * (ANSI: cursor up, clear to the end of the screen) below the permanent lines; otherwise the status is one line,
 * printed only when it changed. `quiet` drops the status (tests, benchmarks).
 */

/** How the live status is shown. */
export type StatusMode = "tty" | "plain" | "quiet";

const CURSOR_UP_AND_CLEAR = (n: number) => (n > 0 ? `\x1b[${n}F\x1b[J` : "\x1b[J");

/** The playground's output: permanent lines plus a live status. */
export class Output {
  private drawn: string[] = [];
  private lastPlain = "";

  /** `write` receives raw text (tty mode); `print` receives whole lines (other modes). */
  constructor(
    readonly mode: StatusMode,
    private readonly print: (line: string) => void,
    private readonly write: (text: string) => void = (t) => print(t.replace(/\n$/, "")),
  ) {}

  /** A permanent line (on a terminal it goes above the live block). */
  line(text: string): void {
    if (this.mode !== "tty") {
      this.print(text);
      return;
    }
    const block = this.drawn;
    this.write(block.length ? `${CURSOR_UP_AND_CLEAR(block.length)}${text}\n${block.join("\n")}\n` : `${text}\n`);
  }

  /** Replaces the live status: the block on a terminal, else its one-line form when that changed. */
  status(block: string[], plainLine: string): void {
    if (this.mode === "quiet") return;
    if (this.mode === "plain") {
      if (plainLine !== this.lastPlain) this.print(plainLine);
      this.lastPlain = plainLine;
      return;
    }
    this.write(`${CURSOR_UP_AND_CLEAR(this.drawn.length)}${block.join("\n")}\n`);
    this.drawn = [...block];
  }

  /** Leaves the last block on screen as it is; further lines go below it. */
  endStatus(): void {
    this.drawn = [];
  }
}

/** The terminal mode for stdout: tty when it is a terminal (and not `NO_COLOR`-style dumb), else plain. */
export function detectStatusMode(): StatusMode {
  try {
    if (Deno.stdout.isTerminal() && Deno.env.get("TERM") !== "dumb") return "tty";
  } catch {
    // no stdout or no permission to read TERM: plain lines are always safe
  }
  return "plain";
}

/** Writes text to stdout synchronously (the block must not interleave with other output). */
export function writeStdout(text: string): void {
  const bytes = new TextEncoder().encode(text);
  let written = 0;
  while (written < bytes.length) written += Deno.stdout.writeSync(bytes.subarray(written));
}
