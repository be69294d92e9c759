/** The Metal API fault flags parse on the commands that take them, in the spellings the docs show. */
import assert from "node:assert/strict";
import { cli } from "../../src/cli/root.ts";
import { parse } from "../../src/cli/parser.ts";

Deno.test("--metal-429-bursts (the README's spelling) and --metal429-bursts both set the 429 bursts", () => {
  for (const command of ["metal-simulator", "playground"]) {
    for (const spelling of ["--metal-429-bursts", "--metal429-bursts"]) {
      const inv = parse(cli, [command, spelling, "20:5"], () => undefined);
      assert.equal(inv.kind, "run", `${command} ${spelling}: ${JSON.stringify(inv)}`);
      if (inv.kind === "run") assert.deepEqual(inv.values.metal429Bursts, { everyMs: 20_000, size: 5 });
    }
  }
});
