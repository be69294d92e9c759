/**
 * `demo --shoot`: the garden's admission sees the manifest first. A Shoot the admission refuses (an image version the
 * CloudProfile lacks, a WorkerConfig typo) stops the run with the webhook, the object, the field and the reason,
 * before a simulator or component starts.
 */
import assert from "node:assert/strict";
import { configureLogging } from "../../src/observability/log.ts";
import { runPlayground } from "../../src/playground/mod.ts";

configureLogging({ level: "error" });
const ROOT = new URL("../../", import.meta.url).pathname;
const NO_SSH = `${ROOT}example/shoots/no-ssh-two-zones.yaml`;

Deno.test("demo --shoot: the garden's admission refuses an unknown image version and a WorkerConfig typo with their paths", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "garden-admission-" });
  try {
    const text = await Deno.readTextFile(NO_SSH);
    await Deno.writeTextFile(`${tmp}/image.yaml`, text.replace("version: 4081.2.0", "version: 9999.0.0"));
    await Deno.writeTextFile(
      `${tmp}/typo.yaml`,
      text.replace(
        "        maxUnavailable: 0\n",
        "        maxUnavailable: 0\n        providerConfig:\n" +
          "          apiVersion: equinixmetal.provider.extensions.gardener.cloud/v1alpha1\n" +
          "          kind: WorkerConfig\n          reservedDevicesOnli: true\n",
      ),
    );
    const lines: string[] = [];
    await assert.rejects(
      runPlayground({ once: true, shootFiles: [`${tmp}/image.yaml`], print: (l) => lines.push(l) }),
      /refused by the garden's admission: .*Shoot garden-dev\/no-ssh: spec\.provider\.workers\[0\]\.machine\.image\.version: Unsupported value: "9999\.0\.0"/,
    );
    await assert.rejects(
      runPlayground({ once: true, shootFiles: [`${tmp}/typo.yaml`], print: (l) => lines.push(l) }),
      /refused by the garden's admission: .*spec\.provider\.workers\[0\]\.providerConfig\.reservedDevicesOnli: Forbidden: unknown field/,
    );
    assert.ok(!lines.some((l) => /^created:/.test(l)), "nothing ran");
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
