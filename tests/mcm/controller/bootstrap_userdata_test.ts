import assert from "node:assert/strict";
import {
  bootstrapTokenId,
  bootstrapTokenSecretName,
  buildBootstrapTokenSecret,
  decodeSecretValue,
  randomTokenSecret,
  tokenFromSecret,
} from "../../../src/mcm/controller/bootstrap_token.ts";
import {
  mergeSecretData,
  needsBootstrapToken,
  secretData,
  substituteUserData,
} from "../../../src/mcm/controller/userdata.ts";
import { NOW } from "./fixtures.ts";

Deno.test("bootstrap token id: first 6 hex digits of the last 5 bytes of the machine name (as MCM)", () => {
  // "abcde" → 6162636465 → "616263"
  assert.equal(bootstrapTokenId("shoot--pool-abcde"), "616263");
  assert.equal(bootstrapTokenSecretName("shoot--pool-abcde"), "bootstrap-token-616263");
  assert.match(bootstrapTokenId("machine-0"), /^[0-9a-f]{6}$/);
});

Deno.test("bootstrap token id: names shorter than 5 bytes do not crash (MCM panics) and stay 6 chars", () => {
  assert.equal(bootstrapTokenId("ab"), "616200");
  assert.equal(bootstrapTokenId("a"), "610000");
  assert.match(bootstrapTokenId(""), /^0{6}$/);
});

Deno.test("token secret: 16 chars of [0-9a-z], random", () => {
  const a = randomTokenSecret();
  assert.match(a, /^[0-9a-z]{16}$/);
  assert.notEqual(a, randomTokenSecret());
});

Deno.test("bootstrap token secret: type, data keys, expiry, usages, extra groups; token round-trips", () => {
  const s = buildBootstrapTokenSecret({
    machineName: "shoot--pool-abcde",
    machineNamespace: "shoot--a",
    tokenSecret: "0123456789abcdef",
    expiresAt: NOW + 20 * 60_000,
    extraGroups: "system:bootstrappers:gardener",
  });
  assert.equal(s.type, "bootstrap.kubernetes.io/token");
  assert.equal(s.metadata.namespace, "kube-system");
  assert.equal(s.metadata.name, "bootstrap-token-616263");
  const d = Object.fromEntries(Object.entries(s.data!).map(([k, v]) => [k, decodeSecretValue(v)]));
  assert.equal(d["token-id"], "616263");
  assert.equal(d["token-secret"], "0123456789abcdef");
  assert.equal(d["expiration"], "2026-11-21T12:20:00Z");
  assert.equal(d["usage-bootstrap-authentication"], "true");
  assert.equal(d["usage-bootstrap-signing"], "true");
  assert.equal(d["auth-extra-groups"], "system:bootstrappers:gardener");
  assert.match(d["description"], /shoot--a\/shoot--pool-abcde/);
  assert.equal(tokenFromSecret(s), "616263.0123456789abcdef");
  const noGroups = buildBootstrapTokenSecret({
    machineName: "m-abcde",
    tokenSecret: "x".repeat(16),
    expiresAt: NOW,
    extraGroups: "",
  });
  assert.equal(noGroups.data!["auth-extra-groups"], undefined);
});

Deno.test("tokenFromSecret names the secret and the missing key", () => {
  assert.throws(
    () => tokenFromSecret({ metadata: { name: "bootstrap-token-abc123", namespace: "kube-system" }, data: {} }),
    /kube-system\/bootstrap-token-abc123 has no data.token-id/,
  );
});

Deno.test("userData placeholders: plain and URL-encoded forms", () => {
  const ud =
    "token=<<BOOTSTRAP_TOKEN>> url=https://x/?t=%3C%3CBOOTSTRAP_TOKEN%3E%3E name=<<MACHINE_NAME>> n2=%3C%3CMACHINE_NAME%3E%3E";
  assert.equal(needsBootstrapToken(ud), true);
  assert.equal(needsBootstrapToken("#!/bin/sh\necho hi"), false);
  assert.equal(
    substituteUserData(ud, { token: "abcdef.0123456789abcdef", machineName: "m-1" }),
    "token=abcdef.0123456789abcdef url=https://x/?t=abcdef.0123456789abcdef name=m-1 n2=m-1",
  );
  assert.equal(
    substituteUserData("<<BOOTSTRAP_TOKEN>> <<MACHINE_NAME>>", { machineName: "m" }),
    "<<BOOTSTRAP_TOKEN>> m",
  );
});

Deno.test("secret data: base64 decoded, merged with later refs winning", () => {
  const a = secretData({ metadata: { name: "a" }, data: { userData: btoa("ud"), apiToken: btoa("old") } });
  const b = secretData({ metadata: { name: "b" }, stringData: { apiToken: "new" } });
  assert.deepEqual(mergeSecretData(a, undefined, b), { userData: "ud", apiToken: "new" });
  assert.deepEqual(secretData(undefined), {});
});
