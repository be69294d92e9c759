/** The admission's route on the shared webhook server: reviews answered, anything else refused with the right status. */
import assert from "node:assert/strict";
import { generateServingCertificates } from "../../src/runtime/certificates.ts";
import { startWebhookServer } from "../../src/k8s/webhook/server.ts";
import { MAX_REVIEW_BYTES, validatingRoute } from "../../src/admission/review.ts";
import { getLogger } from "../../src/observability/log.ts";

Deno.test("admission server: answers reviews on its path; 404, 405, 400 and 413 otherwise, never a crash", async () => {
  const certs = await generateServingCertificates();
  const server = await startWebhookServer({
    host: "127.0.0.1",
    port: 0,
    certificate: certs,
    routes: [
      validatingRoute(
        "test",
        "/webhooks/validate",
        () => Promise.resolve({ allowed: false, code: 403, message: "no" }),
      ),
    ],
    maxBodyBytes: MAX_REVIEW_BYTES,
    log: getLogger("test"),
  });
  const url = `https://127.0.0.1:${server.port}`;
  const client = Deno.createHttpClient({ caCerts: [certs.caPem] });
  const call = async (path: string, init: RequestInit) => {
    const res = await fetch(`${url}${path}`, { ...init, client });
    return { status: res.status, text: await res.text() };
  };
  try {
    const review = {
      apiVersion: "admission.k8s.io/v1",
      kind: "AdmissionReview",
      request: {
        uid: "u",
        kind: { group: "", version: "v1", kind: "Secret" },
        operation: "CREATE",
        object: { metadata: { name: "s" } },
      },
    };
    const ok = await call("/webhooks/validate", { method: "POST", body: JSON.stringify(review) });
    assert.equal(ok.status, 200);
    assert.deepEqual(JSON.parse(ok.text).response, {
      uid: "u",
      allowed: false,
      status: { code: 403, reason: "Forbidden", message: "no" },
    });
    assert.equal((await call("/other", { method: "POST", body: "{}" })).status, 404);
    assert.equal((await call("/webhooks/validate", { method: "GET" })).status, 405);
    const bad = await call("/webhooks/validate", { method: "POST", body: "{]" });
    assert.equal(bad.status, 400);
    assert.match(bad.text, /not JSON/);
    const huge = await call("/webhooks/validate", { method: "POST", body: "x".repeat(MAX_REVIEW_BYTES + 1) });
    assert.equal(huge.status, 413);
    // Still serving after all that.
    assert.equal((await call("/webhooks/validate", { method: "POST", body: JSON.stringify(review) })).status, 200);
  } finally {
    client.close();
    await server.shutdown();
  }
});
