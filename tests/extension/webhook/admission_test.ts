import assert from "node:assert/strict";
import { reviewAdmission } from "../../../src/extension/webhook/admission.ts";
import { applyJsonPatch, type JsonPatchOperation } from "../../../src/k8s/api/patch/json_patch.ts";
import { decodeBase64Text } from "../../../src/runtime/base64.ts";
import { captureLogs, getLogger } from "../../../src/observability/log.ts";
import { registerSecret } from "../../../src/observability/redact.ts";
import type { KubeObject } from "../../../src/k8s/api/objects.ts";
import { controlplaneWebhook, mcmDeployment, reviewBody, SIDECAR } from "./webhook_fixtures.ts";

const log = getLogger("test.webhook");
const signal = new AbortController().signal;

function review(body: string, webhook = controlplaneWebhook()) {
  return reviewAdmission(webhook, body, { signal, log });
}

Deno.test("the patch turns the object as received into the mutated one, and echoes uid and apiVersion", async () => {
  const received = mcmDeployment();
  const { review: r, outcome } = await review(reviewBody(received));
  assert.equal(outcome, "patched");
  assert.equal(r.apiVersion, "admission.k8s.io/v1");
  assert.equal(r.kind, "AdmissionReview");
  assert.equal(r.response.uid, "0b9e2f8c-0000-4000-8000-000000000001");
  assert.equal(r.response.allowed, true);
  assert.equal(r.response.patchType, "JSONPatch");
  const ops: JsonPatchOperation[] = JSON.parse(decodeBase64Text(r.response.patch!));
  assert.deepEqual(ops, [{ op: "add", path: "/spec/template/spec/containers/1", value: SIDECAR }]);
  const patched = applyJsonPatch(received, ops) as typeof received;
  assert.deepEqual(patched.spec.template.spec.containers.map((c) => c.name), ["machine-controller-manager", "sidecar"]);
});

Deno.test("the patch is computed against the object as received, even when the mutation changes its input", async () => {
  const received = mcmDeployment();
  // A careless mutation that edits the object it is given and returns it: the server hands it a copy.
  const careless = controlplaneWebhook((object) => {
    (object.metadata.labels ??= {})["touched"] = "yes";
    return Promise.resolve(object);
  });
  const { review: r } = await review(reviewBody(received), careless);
  const ops: JsonPatchOperation[] = JSON.parse(decodeBase64Text(r.response.patch!));
  assert.deepEqual(ops, [{ op: "add", path: "/metadata/labels/touched", value: "yes" }]);
});

Deno.test("a second review of the patched object answers without a patch", async () => {
  const received = mcmDeployment();
  const first = await review(reviewBody(received));
  const patched = applyJsonPatch(received, JSON.parse(decodeBase64Text(first.review.response.patch!)));
  const { review: r, outcome } = await review(reviewBody(patched, { operation: "UPDATE", oldObject: patched }));
  assert.equal(outcome, "unchanged");
  assert.equal(r.response.allowed, true);
  assert.equal(r.response.patch, undefined);
  assert.equal(r.response.patchType, undefined);
});

Deno.test("objects with a deletionTimestamp are not mutated", async () => {
  let called = false;
  const webhook = controlplaneWebhook((o) => {
    called = true;
    return Promise.resolve(o);
  });
  const deleting = mcmDeployment({ deletionTimestamp: "2026-01-01T00:00:00Z", finalizers: ["x"] });
  const { review: r, outcome } = await review(reviewBody(deleting, { operation: "UPDATE" }), webhook);
  assert.equal(outcome, "skipped");
  assert.equal(called, false);
  assert.equal(r.response.allowed, true);
  assert.equal(r.response.patch, undefined);
});

Deno.test("bad reviews are answered with code 400 and never reach the mutation", async (t) => {
  const cases: [string, string, RegExp][] = [
    ["malformed JSON", '{"apiVersion": "admission.k8s.io/v1", "kind": ', /malformed JSON/],
    ["not an AdmissionReview", JSON.stringify({ apiVersion: "v1", kind: "Pod" }), /not an AdmissionReview/],
    ["no request", JSON.stringify({ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview" }), /request/],
    [
      "a kind the webhook does not handle",
      reviewBody({ apiVersion: "v1", kind: "Secret", metadata: { name: "s" } }, {
        kind: { group: "", version: "v1", kind: "Secret" },
        resource: { group: "", version: "v1", resource: "secrets" },
      }),
      /unexpected request kind core\/v1 secrets/,
    ],
    ["an operation the rules do not list", reviewBody(null, { operation: "DELETE" }), /unexpected request kind/],
    ["an object that is not an object", reviewBody([1, 2]), /request\.object: expected a Kubernetes object/],
  ];
  for (const [name, body, message] of cases) {
    await t.step(name, async () => {
      let called = false;
      const webhook = controlplaneWebhook((o) => {
        called = true;
        return Promise.resolve(o);
      });
      const { review: r, outcome } = await review(body, webhook);
      assert.equal(outcome, "bad-request");
      assert.equal(r.response.allowed, false);
      assert.equal(r.response.status?.code, 400);
      assert.match(r.response.status?.message ?? "", message);
      assert.equal(called, false);
    });
  }
});

Deno.test("a mutation that throws is answered with code 500 and logged without the object or secrets", async () => {
  const secret = "s3cr3t-token-value-1234";
  registerSecret(secret);
  const webhook = controlplaneWebhook(() => Promise.reject(new Error(`cannot read credentials ${secret}`)));
  const object = mcmDeployment({ annotations: { "x-token": "annotation-value-not-logged" } });
  const logs = captureLogs();
  let r;
  try {
    r = (await review(reviewBody(object), webhook)).review;
  } finally {
    logs.restore();
  }
  assert.equal(r.response.allowed, false);
  assert.equal(r.response.status?.code, 500);
  assert.equal(r.response.uid, "0b9e2f8c-0000-4000-8000-000000000001");
  const text = logs.lines.join("\n");
  assert.match(text, /Webhook mutation failed/);
  assert.doesNotMatch(text, /s3cr3t-token-value-1234/);
  assert.doesNotMatch(text, /annotation-value-not-logged/);
});

Deno.test("a mutation that returns nothing is an error, not a patch replacing the object", async () => {
  const webhook = controlplaneWebhook(() => Promise.resolve(undefined as unknown as KubeObject));
  const logs = captureLogs();
  try {
    const { review: r } = await review(reviewBody(mcmDeployment()), webhook);
    assert.equal(r.response.status?.code, 500);
  } finally {
    logs.restore();
  }
});

Deno.test("a v1beta1 review is answered in v1beta1", async () => {
  const body = JSON.parse(reviewBody(mcmDeployment()));
  body.apiVersion = "admission.k8s.io/v1beta1";
  const { review: r } = await review(JSON.stringify(body));
  assert.equal(r.apiVersion, "admission.k8s.io/v1beta1");
  assert.equal(r.response.patchType, "JSONPatch");
});
