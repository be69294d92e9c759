/** AdmissionReview handling: bad reviews are answered with 400, a throwing handler with a 500 denial, never a crash. */
import assert from "node:assert/strict";
import { answerReview, type ValidatingHandler } from "../../src/admission/review.ts";

const allow: ValidatingHandler = () => Promise.resolve({ allowed: true });
const signal = new AbortController().signal;

function review(request: Record<string, unknown>): string {
  return JSON.stringify({ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", request });
}
const request = {
  uid: "u-1",
  kind: { group: "core.gardener.cloud", version: "v1beta1", kind: "Shoot" },
  resource: { group: "core.gardener.cloud", version: "v1beta1", resource: "shoots" },
  operation: "CREATE",
  name: "demo",
  namespace: "garden-dev",
  object: { metadata: { name: "demo" } },
};

const bad: { name: string; body: string; text: RegExp }[] = [
  { name: "not JSON", body: "{nope", text: /not JSON/ },
  { name: "an empty body", body: "", text: /not JSON/ },
  { name: "JSON null", body: "null", text: /not an admission.k8s.io\/v1 AdmissionReview/ },
  { name: "an array", body: "[]", text: /AdmissionReview/ },
  {
    name: "a v1beta1 review",
    body: JSON.stringify({ apiVersion: "admission.k8s.io/v1beta1", kind: "AdmissionReview", request }),
    text: /apiVersion/,
  },
  {
    name: "a review without request",
    body: JSON.stringify({ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview" }),
    text: /request/,
  },
  { name: "a request without uid", body: review({ ...request, uid: undefined }), text: /request.uid/ },
  { name: "an unknown operation", body: review({ ...request, operation: "PATCH" }), text: /request.operation/ },
  { name: "an object that is a string", body: review({ ...request, object: "x" }), text: /request.object/ },
];

for (const row of bad) {
  Deno.test(`admission review: ${row.name} is answered with 400`, async () => {
    const answer = await answerReview(row.body, allow, signal);
    assert.equal(answer.status, 400);
    assert.match(String(answer.body), row.text);
  });
}

Deno.test("admission review: allowed and denied answers carry the uid, a denial its code and message", async () => {
  const ok = await answerReview(review(request), allow, signal);
  assert.deepEqual(ok.body, {
    apiVersion: "admission.k8s.io/v1",
    kind: "AdmissionReview",
    response: { uid: "u-1", allowed: true },
  });
  const deny: ValidatingHandler = () =>
    Promise.resolve({ allowed: false, code: 403, message: "Shoot x: spec.region: no" });
  const denied = await answerReview(review(request), deny, signal);
  assert.deepEqual((denied.body as { response: unknown }).response, {
    uid: "u-1",
    allowed: false,
    status: { code: 403, reason: "Forbidden", message: "Shoot x: spec.region: no" },
  });
});

Deno.test("admission review: a handler that throws is a 500 denial, not a crash", async () => {
  const boom: ValidatingHandler = () => Promise.reject(new Error("garden unreachable"));
  const answer = await answerReview(review(request), boom, signal);
  const response = (answer.body as { response: { allowed: boolean; status: { code: number; message: string } } })
    .response;
  assert.equal(response.allowed, false);
  assert.equal(response.status.code, 500);
  assert.match(response.status.message, /garden unreachable/);
});
