/** Credentials admission rules: bindings, secrets, WorkloadIdentity; never a secret value in a message. */
import assert from "node:assert/strict";
import { aggregateMessage } from "../../src/apis/decode.ts";
import type { CredentialsBinding } from "../../src/apis/core/security_v1alpha1.ts";
import {
  validateCredentialsBinding,
  validateSecret,
  validateSecretBinding,
  validateWorkloadIdentity,
} from "../../src/admission/credentials.ts";
import { credentialsSecret, PROJECT_ID, secretData } from "./fixtures.ts";

const TOKEN = "super secret token";

const secrets: { name: string; data: Record<string, string>; fields: string[]; text?: RegExp }[] = [
  { name: "a valid secret", data: secretData({ apiToken: "t0k3n", projectID: PROJECT_ID }), fields: [] },
  { name: "no projectID", data: secretData({ apiToken: "t0k3n" }), fields: ["data.projectID"], text: /Required/ },
  { name: "no apiToken", data: secretData({ projectID: PROJECT_ID }), fields: ["data.apiToken"] },
  { name: "a blank projectID", data: secretData({ apiToken: "t", projectID: "  " }), fields: ["data.projectID"] },
  {
    name: "a projectID that is no UUID",
    data: secretData({ apiToken: "t", projectID: "my-project" }),
    fields: ["data.projectID"],
    text: /project UUID/,
  },
  {
    name: "a token with whitespace (never shown)",
    data: secretData({ apiToken: TOKEN, projectID: PROJECT_ID }),
    fields: ["data.apiToken"],
  },
  {
    name: "a value that is not base64",
    data: { apiToken: "%%%", projectID: secretData({ p: PROJECT_ID }).p },
    fields: ["data.apiToken"],
  },
];

for (const row of secrets) {
  Deno.test(`credentials admission: secret with ${row.name}`, () => {
    const errors = validateSecret({ data: row.data });
    assert.deepEqual(errors.map((e) => e.field), row.fields);
    const text = aggregateMessage(errors);
    if (row.text) assert.match(text, row.text);
    assert.ok(!text.includes(TOKEN) && !text.includes("t0k3n"), text);
  });
}

function binding(kind = "Secret"): CredentialsBinding {
  return {
    apiVersion: "security.gardener.cloud/v1alpha1",
    kind: "CredentialsBinding",
    metadata: { name: "metal", namespace: "garden-dev" },
    credentialsRef: { apiVersion: "v1", kind, name: "metal-secret", namespace: "garden-dev" },
    provider: { type: "equinixmetal" },
  };
}

Deno.test("credentials admission: a CredentialsBinding names the secret and the missing key under credentialsRef", () => {
  assert.deepEqual(validateCredentialsBinding(binding(), credentialsSecret()), []);
  const bad = credentialsSecret();
  bad.data = secretData({ apiToken: "x" });
  const errors = validateCredentialsBinding(binding(), bad);
  assert.equal(errors.length, 1);
  assert.equal(errors[0].field, "credentialsRef");
  assert.match(aggregateMessage(errors), /secret garden-dev\/metal-secret: data\.projectID/);
  assert.deepEqual(validateCredentialsBinding(binding(), undefined).map((e) => e.field), ["credentialsRef.name"]);
  assert.deepEqual(validateCredentialsBinding(binding("ConfigMap"), undefined).map((e) => e.field), [
    "credentialsRef.kind",
  ]);
  const other = binding();
  other.provider.type = "aws";
  assert.deepEqual(validateCredentialsBinding(other, undefined), []);
});

Deno.test("credentials admission: WorkloadIdentity refused, directly and through a CredentialsBinding", () => {
  const viaBinding = validateCredentialsBinding(binding("WorkloadIdentity"), undefined);
  assert.equal(viaBinding[0].field, "credentialsRef.kind");
  assert.match(viaBinding[0].message, /no OIDC federation/);
  assert.deepEqual(validateWorkloadIdentity("equinixmetal").map((e) => e.field), ["spec.targetSystem.type"]);
  assert.deepEqual(validateWorkloadIdentity("aws"), []);
});

Deno.test("credentials admission: a SecretBinding's secret namespace defaults to the binding's", () => {
  const sb = {
    metadata: { name: "metal", namespace: "garden-dev" },
    secretRef: { name: "metal-secret" },
    provider: { type: "equinixmetal" },
  };
  assert.deepEqual(validateSecretBinding(sb, credentialsSecret()), []);
  const errors = validateSecretBinding(sb, undefined);
  assert.match(aggregateMessage(errors), /Secret garden-dev\/metal-secret not found/);
});
