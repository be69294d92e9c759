/** docs/architecture.md's module map against the tree: every folder it lists exists, every folder of src/ is listed. */
import assert from "node:assert/strict";

const root = new URL("../../", import.meta.url);

Deno.test("architecture: the module map names exactly the folders of src/ (and the top-level ones it lists exist)", async () => {
  const doc = await Deno.readTextFile(new URL("docs/architecture.md", root));
  const listed = [...doc.matchAll(/^\| `([a-z0-9_./]+\/)`/gm)].map((m) => m[1]);
  assert.ok(listed.length > 5, "the module map is a table of `folder/` rows");
  for (const folder of listed) {
    const info = await Deno.stat(new URL(folder, root)).catch(() => undefined);
    assert.ok(info?.isDirectory, `docs/architecture.md lists ${folder}, which does not exist`);
  }
  for await (const e of Deno.readDir(new URL("src/", root))) {
    if (e.isDirectory) assert.ok(listed.includes(`src/${e.name}/`), `src/${e.name}/ is missing from the module map`);
  }
});
