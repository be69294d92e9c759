import assert from "node:assert/strict";
import {
  type CaRecord,
  DEFAULT_CERTIFICATE_POLICY,
  planCertificates,
  type ServerRecord,
} from "../../../src/k8s/webhook/certificates.ts";

const DAY = 24 * 60 * 60 * 1000;
const T0 = Date.UTC(2026, 0, 1);

function ca(name: string, issuedAt: number): CaRecord {
  return { secretName: name, issuedAt, validUntil: issuedAt + 30 * DAY, certPem: name };
}
function server(name: string, signingCa: string, issuedAt: number): ServerRecord {
  return { secretName: name, issuedAt, validUntil: issuedAt + 30 * DAY, signingCa };
}

Deno.test("nothing stored: issue a CA first", () => {
  const plan = planCertificates({ cas: [], servers: [], published: [] }, T0);
  assert.equal(plan.createCa, true);
  assert.equal(plan.createServer, false);
});

Deno.test("a CA and nothing published yet: serve from it (nothing refers to any bundle yet)", () => {
  const plan = planCertificates({ cas: [ca("ca-1", T0)], servers: [], published: [] }, T0);
  assert.deepEqual(plan.bundle, ["ca-1"]);
  assert.equal(plan.signer, "ca-1");
  assert.equal(plan.createServer, true);
});

Deno.test("steady state: nothing to do", () => {
  const plan = planCertificates(
    { cas: [ca("ca-1", T0)], servers: [server("srv-1", "ca-1", T0)], published: ["ca-1"] },
    T0 + 10 * DAY,
  );
  assert.deepEqual(plan, {
    createCa: false,
    bundle: ["ca-1"],
    signer: "ca-1",
    createServer: false,
    server: "srv-1",
    obsolete: [],
  });
});

Deno.test("rotation, step by step: new CA joins the bundle, the server switches only once it is published", () => {
  const due = T0 + 30 * DAY * DEFAULT_CERTIFICATE_POLICY.renewAfterFraction;
  assert.equal(planCertificates({ cas: [ca("ca-1", T0)], servers: [], published: ["ca-1"] }, due).createCa, true);

  const cas = [ca("ca-1", T0), ca("ca-2", due)];
  const servers = [server("srv-1", "ca-1", T0)];
  // New CA stored, bundle not yet published: both CAs in the bundle, server stays on the old CA.
  let plan = planCertificates({ cas, servers, published: ["ca-1"] }, due);
  assert.equal(plan.createCa, false);
  assert.deepEqual(plan.bundle, ["ca-2", "ca-1"]);
  assert.equal(plan.signer, "ca-1");
  assert.equal(plan.createServer, false);

  // Bundle with both published: switch the server to the new CA; the old CA stays.
  plan = planCertificates({ cas, servers, published: ["ca-2", "ca-1"] }, due);
  assert.equal(plan.signer, "ca-2");
  assert.equal(plan.createServer, true);
  assert.deepEqual(plan.bundle, ["ca-2", "ca-1"]);

  // New server certificate issued: old one obsolete; the old CA stays during the overlap.
  const switched = [...servers, server("srv-2", "ca-2", due + 1000)];
  plan = planCertificates({ cas, servers: switched, published: ["ca-2", "ca-1"] }, due + 1000);
  assert.equal(plan.createServer, false);
  assert.deepEqual(plan.bundle, ["ca-2", "ca-1"]);
  assert.deepEqual(plan.obsolete, ["srv-1"]);

  // After the overlap the old CA leaves the bundle and is deleted.
  plan = planCertificates({ cas, servers: [switched[1]], published: ["ca-2", "ca-1"] }, due + DAY + 1);
  assert.deepEqual(plan.bundle, ["ca-2"]);
  assert.deepEqual(plan.obsolete, ["ca-1"]);
});

Deno.test("an old CA stays in the bundle past the overlap while the serving certificate still chains to it", () => {
  const due = T0 + 24 * DAY;
  const plan = planCertificates(
    { cas: [ca("ca-1", T0), ca("ca-2", due)], servers: [server("srv-1", "ca-1", T0)], published: ["ca-1"] },
    due + 2 * DAY,
  );
  assert.deepEqual(plan.bundle, ["ca-2", "ca-1"]);
  assert.equal(plan.signer, "ca-1");
});

Deno.test("a serving certificate near its end is renewed from the same CA", () => {
  const plan = planCertificates(
    {
      cas: [ca("ca-1", T0 + 10 * DAY)],
      servers: [{ secretName: "srv-1", signingCa: "ca-1", issuedAt: T0, validUntil: T0 + 12 * DAY }],
      published: ["ca-1"],
    },
    T0 + 11 * DAY,
  );
  assert.equal(plan.createServer, true);
  assert.equal(plan.signer, "ca-1");
});
