import assert from "node:assert/strict";
import {
  forgetSecret,
  redact,
  REDACTED,
  registeredSecretCount,
  registerSecret,
} from "../../src/observability/redact.ts";

Deno.test("redact replaces every occurrence of a registered secret", () => {
  const token = "tok-" + crypto.randomUUID();
  registerSecret(token);
  try {
    assert.equal(redact(`a ${token} b ${token}`), `a ${REDACTED} b ${REDACTED}`);
    assert.equal(redact("nothing secret here"), "nothing secret here");
  } finally {
    forgetSecret(token);
  }
  assert.equal(redact(`a ${token}`), `a ${token}`);
});

Deno.test("redact also catches the JSON-escaped and base64 forms of a secret", () => {
  const userData = `#!/bin/bash\necho "bootstrap ${crypto.randomUUID()}"\n`;
  registerSecret(userData);
  try {
    const line = JSON.stringify({ msg: "creating", userData });
    assert.ok(!redact(line).includes(JSON.stringify(userData).slice(1, -1)));
    const b64 = btoa(userData);
    assert.equal(redact(`data: ${b64}`), `data: ${REDACTED}`);
  } finally {
    forgetSecret(userData);
  }
});

Deno.test("redact prefers the longest secret sharing a prefix", () => {
  const short = "abcdefgh1234";
  const long = "abcdefgh1234-and-more";
  registerSecret(short);
  registerSecret(long);
  try {
    assert.equal(redact(`x ${long} y ${short}`), `x ${REDACTED} y ${REDACTED}`);
  } finally {
    forgetSecret(short);
    forgetSecret(long);
  }
});

Deno.test("short values are not treated as secrets and registrations are counted", () => {
  const before = registeredSecretCount();
  registerSecret("abc");
  assert.equal(registeredSecretCount(), before);
  const s = "secret-" + crypto.randomUUID();
  registerSecret(s);
  registerSecret(s);
  forgetSecret(s);
  assert.equal(redact(s), REDACTED, "still registered once");
  forgetSecret(s);
  assert.equal(redact(s), s);
});
