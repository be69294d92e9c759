/** Editing a unit's `[Service]` `ExecStart=` in place, in gardenlet's layout, leaving every other line alone. */
import assert from "node:assert/strict";
import { editExecStart } from "../../../src/extension/controlplanewebhook/systemd_unit.ts";

Deno.test("systemd unit: ExecStart outside [Service] and units without one are left alone", () => {
  const noExec = "[Unit]\nDescription=x\n[Service]\nType=oneshot\n";
  assert.equal(editExecStart(noExec, () => ["changed"]), noExec);
  const other = "[Unit]\nExecStart=/bin/not-a-service-key\n[Service]\nExecStart=/bin/true --a\n";
  assert.equal(
    editExecStart(other, (w) => [...w, "--b"]),
    "[Unit]\nExecStart=/bin/not-a-service-key\n[Service]\nExecStart=/bin/true \\\n    --a \\\n    --b\n",
  );
});

Deno.test("systemd unit: a single-line ExecStart is laid out one flag per line, variables after the last flag", () => {
  const unit = "[Service]\nExecStart=/opt/bin/kubelet --a=1 $EXTRA\nRestart=always\n";
  assert.equal(
    editExecStart(unit, (w) => [...w.slice(0, -1), "--b=2", w.at(-1)!]),
    "[Service]\nExecStart=/opt/bin/kubelet \\\n    --a=1 \\\n    --b=2 $EXTRA\nRestart=always\n",
  );
  assert.equal(editExecStart(unit, (w) => w), unit, "no change, same text");
});
