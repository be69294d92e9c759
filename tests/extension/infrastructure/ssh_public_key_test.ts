/** Public keys: MD5 fingerprints equal to `ssh-keygen -l -E md5` (values in the harness), and clear errors. */
import assert from "node:assert/strict";
import { parsePublicKey } from "../../../src/extension/infrastructure/ssh_public_key.ts";
import { canonicalKey, isOurKey, sshKeyLabel } from "../../../src/extension/infrastructure/ssh_key_match.ts";
import type { SshKey } from "../../../src/metal/types.ts";
import { KEY_1, KEY_2 } from "../reconciler/harness.ts";

const RSA =
  "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQDugHe/AWNpXkOIOc5CnWrMHNGHdlJnf2RASCcdiH3YQuwyxOV6r2i5kHMV3L/glPRxFLuBkKLVDKH0doMlnjL2YQJfwM/QVVqCYKf6JNxgbFQRd8cFX0CYjvNmomFSDOsGaPKzMXONg6U3PsCMzkwT72Eno7l3QONS6vYqcIdwV/rWnnA77gr651ytzdVICSRbbkXoe7KKnKchBByeGEH9j3TUxBJJLdKDpf43JXN0eiLBDS3BlqSeKqYLN4WYvfyG40J3OGd42LPNIb/LSc6PRgoslFcj1U+chHse29TFzOZu+6rXgnNAc6U5wGBvc5B3PXwQqKvb16nYkS9zdyOh rsa@example";

Deno.test("fingerprints match ssh-keygen -l -E md5 (the comment and surrounding space do not matter)", () => {
  assert.equal(parsePublicKey(KEY_1.key, "f", "o").fingerprint, KEY_1.fingerprint);
  assert.equal(
    parsePublicKey(`  ${KEY_2.key.replace("gardener@rotated", "")}\n`, "f", "o").fingerprint,
    KEY_2.fingerprint,
  );
  // ssh-keygen -l -E md5 of this RSA key prints 9f:84:e5:02:a9:c9:0b:e5:db:6d:29:43:49:3d:8e:e0.
  assert.equal(parsePublicKey(RSA, "f", "o").fingerprint, "9f:84:e5:02:a9:c9:0b:e5:db:6d:29:43:49:3d:8e:e0");
});

Deno.test("bad keys name the field and the object", () => {
  const obj = "Infrastructure shoot--a--b/b";
  assert.throws(
    () => parsePublicKey("ssh-ed25519", "spec.sshPublicKey", obj),
    /^ConfigurationError: Infrastructure shoot--a--b\/b: spec\.sshPublicKey: Invalid value: must be an OpenSSH public key/,
  );
  assert.throws(() => parsePublicKey("ssh-ed25519 ***", "spec.sshPublicKey", obj), /not base64/);
  assert.throws(
    () => parsePublicKey(RSA.replace("ssh-rsa", "ssh-ed25519"), "spec.sshPublicKey", obj),
    /does not hold a ssh-ed25519 key/,
  );
  assert.throws(() => parsePublicKey(`${KEY_1.key}\n${KEY_2.key}`, "spec.sshPublicKey", obj), /single public key line/);
});

Deno.test("our key: label and fingerprint; duplicates resolve to the oldest, then the lowest id", () => {
  const publicKey = parsePublicKey(KEY_1.key, "f", "o");
  const d = { label: sshKeyLabel("shoot--a--b"), publicKey };
  assert.equal(d.label, "shoot--a--b-ssh-publickey");
  const key = (id: string, created: string, label = d.label, fingerprint = KEY_1.fingerprint) =>
    ({ id, label, fingerprint, created_at: created, tags: [] }) as unknown as SshKey;
  assert.equal(isOurKey(key("1", "x"), d), true);
  assert.equal(isOurKey(key("1", "x", "other"), d), false);
  assert.equal(isOurKey(key("1", "x", d.label, KEY_2.fingerprint), d), false);
  assert.equal(isOurKey(key("1", "x", d.label, KEY_1.fingerprint.toUpperCase()), d), true);
  const keys = [key("b", "2026-01-01T00:00:02Z"), key("c", "2026-01-01T00:00:01Z"), key("a", "2026-01-01T00:00:01Z")];
  assert.equal(canonicalKey(keys)?.id, "a");
  assert.equal(canonicalKey([...keys].reverse())?.id, "a", "independent of list order");
});
