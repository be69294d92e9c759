/**
 * docs/usage.md against the code: every YAML block of the page is a committed file under example/ (byte for byte), every
 * file of example/usage/ is shown on the page, and every example is exercised by what reads it in the product — provider
 * configs by the strict decoders and their validation, the credentials Secret by the extension's credential rules and
 * the garden admission's, the bindings by the admission against that Secret, and the Shoot by `demo --once --shoot`
 * (in-process, on a fake clock; the demo passes it through the garden's admission first).
 */
import assert from "node:assert/strict";
import { parse } from "yaml";
import type { Secret } from "kubernetes-types/core/v1.d.ts";
import {
  decodeControlPlaneConfig,
  decodeInfrastructureConfig,
  decodeWorkerConfig,
  NEXT_AVAILABLE_RESERVATION,
} from "../../src/apis/equinixmetal/v1alpha1.ts";
import { validateCredentialsData, validateWorkerConfig } from "../../src/apis/equinixmetal/validation.ts";
import { CredentialsBindingSchema } from "../../src/apis/core/security_v1alpha1.ts";
import { SecretBindingSchema } from "../../src/apis/core/v1beta1.ts";
import { validateCredentialsBinding, validateSecretBinding } from "../../src/admission/credentials.ts";
import { credentialsFromSecret } from "../../src/extension/infrastructure/credentials.ts";
import { configureLogging } from "../../src/observability/log.ts";
import { runPlayground } from "../../src/playground/mod.ts";
import { FakeClock } from "../../src/runtime/clock.ts";
import { encodeBase64 } from "../../src/runtime/base64.ts";
import { parseShootManifest } from "../../src/sim/gardenlet/from_shoot.ts";
import { FakeTimeDriver } from "../support/fake_time.ts";

configureLogging({ level: "error" });
const ROOT = new URL("../../", import.meta.url).pathname;
const DOC = "docs/usage.md";

interface Example {
  /** Path relative to the repository, e.g. `example/usage/shoot.yaml`. */
  file: string;
  text: string;
  // deno-lint-ignore no-explicit-any
  value: any;
}

/** The ```yaml blocks of a Markdown text, each with its text as it would be in a file. */
export function yamlBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```yaml\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
}

async function filesUnder(dir: string): Promise<string[]> {
  const files: string[] = [];
  for await (const e of Deno.readDir(`${ROOT}${dir}`)) {
    if (e.isFile && e.name.endsWith(".yaml")) files.push(`${dir}/${e.name}`);
  }
  return files.sort();
}

/** Every YAML block of the page, matched to the committed example file with exactly its text. */
async function examples(): Promise<Example[]> {
  const doc = await Deno.readTextFile(`${ROOT}${DOC}`);
  const candidates = [...await filesUnder("example/usage"), ...await filesUnder("example/shoots")];
  const texts = new Map<string, string>();
  for (const f of candidates) texts.set(f, await Deno.readTextFile(`${ROOT}${f}`));
  return yamlBlocks(doc).map((block, i) => {
    const file = [...texts].find(([, text]) => text === block)?.[0];
    assert.ok(
      file,
      `${DOC}: YAML block ${i + 1} is not the text of any file of example/usage or example/shoots:\n${block}`,
    );
    assert.ok(doc.includes(`../${file}`), `${DOC} shows ${file} without linking it`);
    return { file, text: block, value: parse(block) };
  });
}

Deno.test("docs/usage.md: every YAML block is a committed example file, and every file of example/usage is shown", async () => {
  const shown = (await examples()).map((e) => e.file);
  assert.ok(shown.length >= 8, `${shown.length} blocks`);
  for (const file of await filesUnder("example/usage")) assert.ok(shown.includes(file), `${file} is not in ${DOC}`);
});

Deno.test("docs/usage.md: provider configs decode strictly and validate; the Secret passes the credential rules; bindings point at it", async () => {
  const all = await examples();
  const byKind = (kind: string) => all.filter((e) => e.value?.kind === kind);
  const exercised = new Set<string>();
  const use = (e: Example) => exercised.add(e.file);

  for (const e of byKind("InfrastructureConfig")) use(e), decodeInfrastructureConfig(e.text, { object: e.file });
  for (const e of byKind("ControlPlaneConfig")) use(e), decodeControlPlaneConfig(e.text, { object: e.file });
  const workerConfigs = byKind("WorkerConfig");
  assert.ok(workerConfigs.length >= 2);
  for (const e of workerConfigs) {
    use(e);
    const cfg = decodeWorkerConfig(e.text, { object: e.file });
    assert.deepEqual(validateWorkerConfig(cfg), [], e.file);
    assert.ok(cfg.reservationIDs?.includes(NEXT_AVAILABLE_RESERVATION), `${e.file} shows next-available`);
  }
  assert.ok(workerConfigs.some((e) => e.value.reservedDevicesOnly === true), "one example forbids on-demand devices");

  const [secret] = byKind("Secret");
  assert.ok(secret, "the page shows the credentials Secret");
  use(secret);
  // The API server turns stringData into data; the extension reads data.
  const stored: Secret = {
    metadata: secret.value.metadata,
    data: Object.fromEntries(
      Object.entries(secret.value.stringData as Record<string, string>).map(([k, v]) => [k, encodeBase64(v)]),
    ),
  };
  const credentials = credentialsFromSecret(stored);
  assert.equal(credentials.projectID, secret.value.stringData.projectID);
  assert.deepEqual(validateCredentialsData(stored.data), [], "the garden admission's rules for the Secret");

  const [credentialsBinding] = byKind("CredentialsBinding");
  const [secretBinding] = byKind("SecretBinding");
  assert.ok(credentialsBinding && secretBinding, "the page shows both bindings");
  use(credentialsBinding), use(secretBinding);
  for (const b of [credentialsBinding, secretBinding]) {
    assert.equal(b.value.provider.type, "equinixmetal", b.file);
    assert.equal(b.value.metadata.namespace, secret.value.metadata.namespace, `${b.file}: in the Secret's project`);
  }
  assert.equal(credentialsBinding.value.apiVersion, "security.gardener.cloud/v1alpha1");
  assert.deepEqual(credentialsBinding.value.credentialsRef, {
    apiVersion: "v1",
    kind: "Secret",
    name: secret.value.metadata.name,
    namespace: secret.value.metadata.namespace,
  });
  assert.deepEqual(secretBinding.value.secretRef, {
    name: secret.value.metadata.name,
    namespace: secret.value.metadata.namespace,
  });
  const admitted = { metadata: stored.metadata ?? undefined, data: stored.data };
  assert.deepEqual(validateCredentialsBinding(CredentialsBindingSchema.parse(credentialsBinding.value), admitted), []);
  assert.deepEqual(validateSecretBinding(SecretBindingSchema.parse(secretBinding.value), admitted), []);
  // The rules do look at the Secret: the same bindings to a Secret without projectID are refused.
  const withoutProject = { ...admitted, data: { apiToken: stored.data!.apiToken } };
  assert.notDeepEqual(
    validateCredentialsBinding(CredentialsBindingSchema.parse(credentialsBinding.value), withoutProject),
    [],
  );

  const shoots = byKind("Shoot");
  assert.ok(shoots.length >= 1, "the page shows a complete Shoot");
  for (const e of shoots) {
    use(e);
    const shoot = parseShootManifest(e.text, e.file);
    const { infrastructureConfig, controlPlaneConfig, workers } = shoot.spec.provider;
    if (infrastructureConfig) decodeInfrastructureConfig(infrastructureConfig, { object: e.file });
    if (controlPlaneConfig) decodeControlPlaneConfig(controlPlaneConfig, { object: e.file });
    workers.forEach((w, i) => {
      if (!w.providerConfig) return;
      const path = `spec.provider.workers[${i}].providerConfig`;
      assert.deepEqual(validateWorkerConfig(decodeWorkerConfig(w.providerConfig, { path, object: e.file }), path), []);
    });
    const binding = (shoot.spec as { credentialsBindingName?: string }).credentialsBindingName;
    if (binding !== undefined) assert.equal(binding, credentialsBinding.value.metadata.name, `${e.file}: its binding`);
  }

  const unexercised = all.map((e) => e.file).filter((f) => !exercised.has(f));
  assert.deepEqual(unexercised, [], "every example on the page is exercised");
});

Deno.test("docs/usage.md: the complete Shoot runs through demo --once --shoot as it stands", async () => {
  const shoots = (await examples()).filter((e) => e.value?.kind === "Shoot");
  assert.ok(shoots.length >= 1);
  for (const [i, shoot] of shoots.entries()) {
    const clock = new FakeClock(Date.UTC(2026, 11, 6, 12, i, 0));
    const lines: string[] = [];
    const result = await new FakeTimeDriver(clock).during(() =>
      runPlayground({
        once: true,
        clock,
        randomSeed: 11 + i,
        print: (l) => lines.push(l),
        shootFiles: [`${ROOT}${shoot.file}`],
      })
    );
    const text = lines.join("\n");
    const pools = shoot.value.spec.provider.workers as { minimum: number }[];
    const machines = pools.reduce((n, p) => n + p.minimum, 0);
    assert.equal(result.reports[0].name, "create", text);
    assert.equal(result.reports[0].machines, machines, text);
    assert.match(text, new RegExp(`^created: all ${machines} machines Running`, "m"));
    assert.match(text, /^deleted: every shoot gone after [\d.]+ s; no device left; /m);
  }
});
