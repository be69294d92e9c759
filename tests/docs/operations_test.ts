/**
 * docs/operations.md against the code: the flag tables are what `deno task docs:flags` renders from the flag
 * declarations, every YAML block is a committed example (the CloudProfile decodes, validates and carries the usage
 * page's Shoot through `demo --once`), every metric the product defines is documented, and the error and machine codes
 * of the troubleshooting tables exist.
 */
import assert from "node:assert/strict";
import { ErrorCode } from "../../src/apis/core/error_codes.ts";
import { decodeCloudProfileConfig } from "../../src/apis/equinixmetal/v1alpha1.ts";
import { validateCloudProfileConfig } from "../../src/apis/equinixmetal/validation.ts";
import { MachineCodes } from "../../src/mcm/driver/driver.ts";
import { configureLogging } from "../../src/observability/log.ts";
import { runPlayground } from "../../src/playground/mod.ts";
import { FakeClock } from "../../src/runtime/clock.ts";
import { flagName } from "../../src/runtime/flags.ts";
import { parseCloudProfileManifest } from "../../src/sim/gardenlet/from_shoot.ts";
import { FLAG_TABLES, formatMarkdown, withFlagTables } from "../../tools/flag_tables.ts";
import { FakeTimeDriver } from "../support/fake_time.ts";

configureLogging({ level: "error" });
const ROOT = new URL("../../", import.meta.url).pathname;
const DOC = `${ROOT}docs/operations.md`;
const PROFILE = "example/operations/cloudprofile.yaml";

Deno.test("docs/operations.md: the flag tables are current (deno task docs:flags) and name every flag", async () => {
  const doc = await Deno.readTextFile(DOC);
  assert.equal(await formatMarkdown(withFlagTables(doc), ROOT), doc, "run `deno task docs:flags`");
  for (const [command, flags] of Object.entries(FLAG_TABLES)) {
    const table = doc.slice(doc.indexOf(`<!-- flags:${command} -->`), doc.indexOf(`<!-- /flags:${command} -->`));
    for (const key of Object.keys(flags)) {
      const name = flagName(key);
      const shown = [`\`${name}\``, `\`--[no-]${name.slice(2)}\``];
      assert.ok(shown.some((s) => table.includes(s)), `${command} ${name}`);
    }
  }
});

Deno.test("docs/operations.md: the CloudProfile is the committed example, decodes, validates and runs the usage page's Shoot", async () => {
  const doc = await Deno.readTextFile(DOC);
  const blocks = [...doc.matchAll(/^```yaml\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
  const text = await Deno.readTextFile(`${ROOT}${PROFILE}`);
  assert.deepEqual(blocks, [text], "the page's one YAML block is the CloudProfile example");
  assert.ok(doc.includes(`../${PROFILE}`));
  const profile = parseCloudProfileManifest(text, PROFILE);
  const path = "spec.providerConfig";
  const config = decodeCloudProfileConfig(profile.spec.providerConfig!, { path, object: PROFILE });
  assert.deepEqual(validateCloudProfileConfig(config, path), []);
  const versions = config.machineImages.flatMap((i) => i.versions);
  assert.ok(versions.some((v) => v.id !== undefined) && versions.some((v) => v.ipxeScriptUrl !== undefined));

  const clock = new FakeClock(Date.UTC(2026, 11, 6, 13, 0, 0));
  const lines: string[] = [];
  await new FakeTimeDriver(clock).during(() =>
    runPlayground({
      once: true,
      clock,
      randomSeed: 21,
      print: (l) => lines.push(l),
      shootFiles: [`${ROOT}example/usage/shoot.yaml`],
      cloudProfileFile: `${ROOT}${PROFILE}`,
    })
  );
  assert.match(lines.join("\n"), /^deleted: every shoot gone after [\d.]+ s; no device left; /m);
});

/** Metric names declared in product code (`name: "..."` followed by `help:`), simulators and playground excluded. */
async function productMetrics(): Promise<string[]> {
  const names = new Set<string>();
  const walk = async (dir: string) => {
    for await (const e of Deno.readDir(dir)) {
      const path = `${dir}/${e.name}`;
      if (e.isDirectory && e.name !== "sim" && e.name !== "playground" && e.name !== "gen") await walk(path);
      else if (e.isFile && e.name.endsWith(".ts")) {
        const text = await Deno.readTextFile(path);
        for (const m of text.matchAll(/name: "([a-z_:]+)",?\s*help:/g)) names.add(m[1]);
      }
    }
  };
  await walk(`${ROOT}src`);
  return [...names].sort();
}

Deno.test("docs/operations.md: every metric of the product is in the monitoring table", async () => {
  const doc = await Deno.readTextFile(DOC);
  const metrics = await productMetrics();
  assert.ok(metrics.includes("metal_api_requests_total") && metrics.includes("workqueue_depth"), metrics.join(" "));
  const wildcards = [...doc.matchAll(/`([a-z_]+_)\*`/g)].map((m) => m[1]);
  const missing = metrics.filter((name) => !doc.includes(`\`${name}\``) && !wildcards.some((w) => name.startsWith(w)));
  assert.deepEqual(missing, []);
});

Deno.test("docs/operations.md: the troubleshooting tables name only codes that exist", async () => {
  const doc = await Deno.readTextFile(DOC);
  const errorCodes = new Set<string>(Object.values(ErrorCode));
  for (const [, code] of doc.matchAll(/`(ERR_[A-Z_]+)`/g)) assert.ok(errorCodes.has(code), code);
  const machineCodes = new Set<string>(MachineCodes);
  const section = doc.slice(doc.indexOf("### Machines"), doc.indexOf("### Webhooks"));
  const named = [...section.matchAll(/^\|[^|]*\| `([A-Za-z]+)`/gm)].map((m) => m[1]);
  assert.ok(named.length >= 6);
  for (const code of named) assert.ok(machineCodes.has(code), code);
});
