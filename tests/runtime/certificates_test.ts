import assert from "node:assert/strict";
import {
  certificateValidity,
  generateCertificateAuthority,
  generateServerCertificate,
  isSignedBy,
} from "../../src/runtime/certificates.ts";

const DAY = 24 * 60 * 60 * 1000;

Deno.test("a server certificate is signed by its CA, not by another, and never outlives it", async () => {
  const now = Date.UTC(2026, 0, 1);
  const ca = await generateCertificateAuthority({ commonName: "test CA", now, validMs: 30 * DAY });
  const other = await generateCertificateAuthority({ commonName: "test CA", now, validMs: 30 * DAY });
  const server = await generateServerCertificate({
    ca,
    commonName: "server",
    dnsNames: ["localhost"],
    ipAddresses: ["127.0.0.1"],
    now,
    validMs: 365 * DAY,
  });
  assert(await isSignedBy(server.certPem, ca.certPem));
  assert(!(await isSignedBy(server.certPem, other.certPem)));
  assert.equal(certificateValidity(ca.certPem).notAfter, now + 30 * DAY);
  assert.equal(certificateValidity(server.certPem).notAfter, now + 30 * DAY);
  assert(certificateValidity(server.certPem).notBefore < now);
});
