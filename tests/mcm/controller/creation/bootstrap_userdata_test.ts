import assert from "node:assert/strict";
import {
  bootstrapTokenId,
  bootstrapTokenSecretName,
  buildBootstrapTokenSecret,
  decodeSecretValue,
  isTokenOf,
  randomTokenSecret,
  tokenFromSecret,
} from "../../../../src/mcm/controller/creation/bootstrap_token.ts";
import {
  mergeSecretData,
  needsBootstrapToken,
  secretData,
  substituteUserData,
} from "../../../../src/mcm/controller/creation/userdata.ts";
import { NOW } from "../fixtures.ts";

Deno.test("bootstrap token id: 6 chars of [0-9a-z], stable per machine name", () => {
  const id = bootstrapTokenId("shoot--pool-abcde");
  assert.match(id, /^[0-9a-z]{6}$/);
  assert.equal(bootstrapTokenId("shoot--pool-abcde"), id, "a restarted controller finds its token again");
  assert.equal(bootstrapTokenSecretName("shoot--pool-abcde"), `bootstrap-token-${id}`);
  // Short names do not crash (MCM slices the last 5 bytes and panics).
  assert.match(bootstrapTokenId("a"), /^[0-9a-z]{6}$/);
  assert.match(bootstrapTokenId(""), /^[0-9a-z]{6}$/);
});

Deno.test("bootstrap token id: machines of one pool do not share tokens (MCM used 3 chars of the suffix)", () => {
  // MachineSet names: <set>-<5 random chars>; MCM's id only saw the first 3 of them, so these all collided.
  const names = Array.from(
    { length: 2000 },
    (_, i) => `shoot--p--c-worker-z1-6c4f9-ab${i.toString(36).padStart(3, "0")}`,
  );
  const ids = new Set(names.map(bootstrapTokenId));
  assert.equal(ids.size, names.length);
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
  const id = bootstrapTokenId("shoot--pool-abcde");
  assert.equal(s.metadata.name, `bootstrap-token-${id}`);
  const d = Object.fromEntries(Object.entries(s.data!).map(([k, v]) => [k, decodeSecretValue(v)]));
  assert.equal(d["token-id"], id);
  assert.equal(d["token-secret"], "0123456789abcdef");
  assert.equal(d["expiration"], "2026-11-21T12:20:00Z");
  assert.equal(d["usage-bootstrap-authentication"], "true");
  assert.equal(d["usage-bootstrap-signing"], "true");
  assert.equal(d["auth-extra-groups"], "system:bootstrappers:gardener");
  assert.match(d["description"], /shoot--a\/shoot--pool-abcde/);
  assert.equal(tokenFromSecret(s), `${id}.0123456789abcdef`);
  assert.equal(isTokenOf(s, "shoot--pool-abcde", "shoot--a"), true);
  assert.equal(isTokenOf(s, "shoot--pool-xyz12", "shoot--a"), false, "a clashing id is recognised");
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
