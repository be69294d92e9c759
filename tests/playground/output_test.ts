/** Output: the live block redrawn in place on a terminal, plain lines on changes otherwise, nothing when quiet. */
import assert from "node:assert/strict";
import { Output } from "../../src/playground/output.ts";

Deno.test("tty: the block is redrawn in place (cursor up, clear) and permanent lines go above it", () => {
  const written: string[] = [];
  const out = new Output("tty", () => assert.fail("no plain lines on a terminal"), (t) => written.push(t));
  out.status(["a", "b"], "ignored");
  out.status(["a", "c", "d"], "ignored");
  out.line("note");
  out.endStatus();
  out.line("after");
  assert.deepEqual(written, [
    "\x1b[Ja\nb\n",
    "\x1b[2F\x1b[Ja\nc\nd\n",
    "\x1b[3F\x1b[Jnote\na\nc\nd\n",
    "after\n",
  ]);
});

Deno.test("plain: status lines only when they change; quiet: no status at all", () => {
  const printed: string[] = [];
  const plain = new Output("plain", (l) => printed.push(l));
  for (const s of ["x", "x", "y", "y", "x"]) plain.status([s], s);
  plain.line("done");
  assert.deepEqual(printed, ["x", "y", "x", "done"]);
  const quiet: string[] = [];
  const q = new Output("quiet", (l) => quiet.push(l));
  q.status(["x"], "x");
  q.line("kept");
  assert.deepEqual(quiet, ["kept"]);
});
