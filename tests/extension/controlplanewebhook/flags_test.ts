/** Setting one flag to one value in a command line: every form of an existing flag replaced, position kept. */
import assert from "node:assert/strict";
import { hasFlags, withFlag, withoutFlag } from "../../../src/extension/controlplanewebhook/flags.ts";

const TABLE: Array<{ name: string; input: string[]; want: string[] }> = [
  { name: "absent: appended", input: ["/bin/x", "--a=1"], want: ["/bin/x", "--a=1", "--cloud-provider=external"] },
  {
    name: "absent: before the first shell variable",
    input: ["--a=1", "--v=2", "$KUBELET_EXTRA_ARGS"],
    want: ["--a=1", "--v=2", "--cloud-provider=external", "$KUBELET_EXTRA_ARGS"],
  },
  {
    name: "other value: replaced where it stood",
    input: ["/bin/x", "--cloud-provider=aws", "--b=2"],
    want: ["/bin/x", "--cloud-provider=external", "--b=2"],
  },
  {
    name: "two-word form: replaced with its value",
    input: ["/bin/x", "--cloud-provider", "aws", "--b=2"],
    want: ["/bin/x", "--cloud-provider=external", "--b=2"],
  },
  {
    name: "several: one left, at the first place",
    input: ["--a", "--cloud-provider=gce", "--b", "--cloud-provider=external", "--cloud-provider=aws"],
    want: ["--a", "--cloud-provider=external", "--b"],
  },
  {
    name: "a longer flag with the same prefix is another flag",
    input: ["--cloud-provider-gce-lb-src-cidrs=1.2.3.4/32"],
    want: ["--cloud-provider-gce-lb-src-cidrs=1.2.3.4/32", "--cloud-provider=external"],
  },
  { name: "already right: unchanged", input: ["--cloud-provider=external"], want: ["--cloud-provider=external"] },
];

for (const c of TABLE) {
  Deno.test(`flags: ${c.name}; idempotent`, () => {
    const input = [...c.input];
    const once = withFlag(input, "cloud-provider", "external");
    assert.deepEqual(once, c.want);
    assert.deepEqual(withFlag(once, "cloud-provider", "external"), once);
    assert.deepEqual(input, c.input, "the input is not modified");
  });
}

Deno.test("flags: withoutFlag keeps a following flag that is not the value; hasFlags", () => {
  assert.deepEqual(withoutFlag(["--cloud-provider", "--v=2"], "cloud-provider"), ["--v=2"]);
  assert.equal(hasFlags(["/usr/local/bin/kube-apiserver"]), false);
  assert.equal(hasFlags(undefined), false);
  assert.equal(hasFlags(["--v=2"]), true);
});
