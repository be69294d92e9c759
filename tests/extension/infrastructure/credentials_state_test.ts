/** The credentials secret (clear errors naming secret and key, the token redacted) and the flow state document. */
import assert from "node:assert/strict";
import type { Secret } from "kubernetes-types/core/v1.d.ts";
import { credentialsFromSecret } from "../../../src/extension/infrastructure/credentials.ts";
import { encodeFlowState, observeState, statePatch } from "../../../src/extension/infrastructure/state.ts";
import { ConfigurationError, determineErrorCodes } from "../../../src/extension/reconciler/error_codes.ts";
import { redact } from "../../../src/observability/redact.ts";

const PROJECT = "5d7a1a2e-9f1b-4c3d-8e2f-0a1b2c3d4e5f";
const secret = (data?: Record<string, string>, labels?: Record<string, string>): Secret => ({
  metadata: { name: "cloudprovider", namespace: "shoot--a--b", labels },
  data: data && Object.fromEntries(Object.entries(data).map(([k, v]) => [k, btoa(v)])),
});
const fails = (s: Secret, re: RegExp) =>
  assert.throws(() => credentialsFromSecret(s), (e) => e instanceof ConfigurationError && re.test(e.message));

Deno.test("credentials: apiToken and projectID, trimmed; the token is redacted from then on", () => {
  const token = "tok-1b2c3d4e5f6a7b8c";
  assert.deepEqual(credentialsFromSecret(secret({ apiToken: ` ${token}\n`, projectID: PROJECT })), {
    apiToken: token,
    projectID: PROJECT,
  });
  assert.equal(redact(`x ${token} y`), "x [REDACTED] y");
});

Deno.test("credentials: every problem names the secret and the key and is a configuration problem", () => {
  fails(secret(), /^secret shoot--a--b\/cloudprovider does not contain any data$/);
  fails(secret({ projectID: PROJECT }), /^secret shoot--a--b\/cloudprovider: missing "apiToken" field in secret$/);
  fails(secret({ apiToken: "t0k3n-abcdefgh" }), /missing "projectID" field in secret$/);
  fails(secret({ apiToken: "  ", projectID: PROJECT }), /field "apiToken" is empty/);
  fails(
    secret({ apiToken: "t0k3n-abcdefgh", projectID: "proj" }),
    /field "projectID" must be an Equinix Metal project UUID, got "proj"/,
  );
  fails(
    secret({ token: "x", config: "y" }, { "security.gardener.cloud/purpose": "workload-identity-token-requestor" }),
    /WorkloadIdentity/,
  );
  try {
    credentialsFromSecret(secret({ projectID: PROJECT }));
  } catch (e) {
    assert.deepEqual(determineErrorCodes(e), ["ERR_CONFIGURATION_PROBLEM"]);
  }
});

Deno.test("state: none, flow, Terraform raw state; anything else names status.state", () => {
  const obj = "Infrastructure shoot--a--b/b";
  assert.deepEqual(observeState(undefined, obj), { kind: "none" });
  assert.deepEqual(observeState({}, obj), { kind: "none" });
  const flow = encodeFlowState({ sshKeyID: "k", obsoleteSSHKeyIDs: ["o", "o"] });
  assert.deepEqual(flow, {
    apiVersion: "equinixmetal.provider.extensions.gardener.cloud/v1alpha1",
    kind: "InfrastructureState",
    data: { sshKeyID: "k", obsoleteSSHKeyIDs: ["o"] },
  });
  assert.deepEqual(observeState(flow, obj), { kind: "flow", data: { sshKeyID: "k", obsoleteSSHKeyIDs: ["o"] } });
  assert.deepEqual(observeState({ data: "e30=", encoding: "base64" }, obj), {
    kind: "terraform",
    raw: { data: "e30=", encoding: "base64" },
  });
  assert.throws(
    () => observeState({ something: 1 }, obj),
    /Infrastructure shoot--a--b\/b: .*status\.state\.apiVersion: Required value/,
  );
  assert.throws(
    () => observeState({ ...flow, data: { sshKeyID: 5 } }, obj),
    /status\.state\.data\.sshKeyID/,
  );
});

Deno.test("state patch: replaces a Terraform state field by field (encoding nulled), drops cleared ids", () => {
  const flow = encodeFlowState({ sshKeyID: "k" });
  assert.deepEqual(statePatch({ data: "e30=", encoding: "base64" }, flow), { ...flow, encoding: null });
  assert.deepEqual(statePatch(undefined, flow), flow);
  assert.deepEqual(
    statePatch(encodeFlowState({ sshKeyID: "k", obsoleteSSHKeyIDs: ["o"] }), flow),
    { data: { obsoleteSSHKeyIDs: null } },
  );
});
