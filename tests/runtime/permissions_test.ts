/** The binary's permission set (deno.json) against the code: every environment variable the code reads is allowed. */
import assert from "node:assert/strict";
import { PROXY_ENV_VARS } from "../../src/k8s/client/proxy.ts";

const root = new URL("../../", import.meta.url);

async function* sources(dir: URL): AsyncGenerator<string> {
  for await (const e of Deno.readDir(dir)) {
    if (e.isDirectory) yield* sources(new URL(`${e.name}/`, dir));
    else if (e.name.endsWith(".ts")) yield await Deno.readTextFile(new URL(e.name, dir));
  }
}

Deno.test("permissions: the env allow-list holds every variable src/ reads", async () => {
  const config = JSON.parse(await Deno.readTextFile(new URL("deno.json", root))) as {
    permissions: { default: { env: { allow: string[]; ignore: boolean } } };
  };
  const { allow, ignore } = config.permissions.default.env;
  assert.equal(ignore, true, "variables outside the list read as unset (npm packages probe some)");
  const read = new Set<string>(PROXY_ENV_VARS);
  for await (const text of sources(new URL("src/", root))) {
    for (
      const re of [
        /Deno\.env\.get\("([A-Za-z_]+)"\)/g,
        /\benv\.([A-Z][A-Z0-9_]+)\b(?!\s*=[^=])/g,
        /\benv: "([A-Z][A-Z0-9_]+)"/g,
      ]
    ) {
      for (const m of text.matchAll(re)) read.add(m[1]);
    }
  }
  assert.ok(read.has("KUBECONFIG") && read.has("CMI_ENDPOINT"), [...read].join(", "));
  assert.deepEqual([...read].filter((v) => !allow.includes(v)), []);
});
