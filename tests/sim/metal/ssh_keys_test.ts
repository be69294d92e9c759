/** Project SSH keys (CRUD, MD5 fingerprints) and the keys a device gets (fidelity trap §12.18). */
import assert from "node:assert/strict";
import { createDevice, KEYS, setup } from "./helpers.ts";

Deno.test("ssh keys: create, list (query), get, update (PUT and PATCH), delete; fingerprint as ssh-keygen -E md5", async () => {
  const { sim, api } = setup();
  const p = sim.defaultProjectId;
  const created = await api.post(`/projects/${p}/ssh-keys`, {
    label: "shoot--dev--c1-ssh-publickey",
    key: KEYS.rsa.key,
  });
  assert.equal(created.status, 201);
  const k = created.body;
  assert.equal(k.fingerprint, KEYS.rsa.fingerprint);
  assert.equal(k.key, KEYS.rsa.key);
  assert.deepEqual(k.entity, { href: `/metal/v1/projects/${p}` });
  assert.equal(k.href, `/metal/v1/ssh-keys/${k.id}`);
  const e = (await api.post(`/projects/${p}/ssh-keys`, { label: "other", key: KEYS.ed25519.key, tags: ["a"] })).body;
  assert.equal(e.fingerprint, KEYS.ed25519.fingerprint);

  const list = (await api.get(`/projects/${p}/ssh-keys`)).body;
  assert.equal("meta" in list, false);
  assert.deepEqual(list.ssh_keys.map((x: { id: string }) => x.id), [k.id, e.id]);
  const q = (await api.get(`/projects/${p}/ssh-keys?query=${KEYS.ed25519.fingerprint.slice(0, 8)}`)).body;
  assert.deepEqual(q.ssh_keys.map((x: { id: string }) => x.id), [e.id]);

  assert.equal((await api.get(`/ssh-keys/${k.id}`)).body.label, "shoot--dev--c1-ssh-publickey");
  assert.equal((await api.put(`/ssh-keys/${k.id}`, { label: "renamed" })).body.label, "renamed");
  const patched = (await api.patch(`/ssh-keys/${k.id}`, { key: KEYS.ed25519.key.replace("test@example", "y") })).body;
  assert.equal(patched.fingerprint, KEYS.ed25519.fingerprint);
  assert.equal((await api.del(`/ssh-keys/${k.id}`)).status, 204);
  assert.equal((await api.get(`/ssh-keys/${k.id}`)).status, 404);

  const bad = await api.post(`/projects/${p}/ssh-keys`, { label: "x", key: "ssh-rsa bm90IGEga2V5" });
  assert.equal(bad.status, 422);
  assert.deepEqual(bad.body, { errors: ["Key is invalid"] });
  assert.deepEqual((await api.post(`/projects/${p}/ssh-keys`, { key: KEYS.rsa.key })).body, {
    errors: ["Label can't be blank"],
  });
  const foreign = sim.seed.projects[1].id;
  assert.equal((await api.post(`/projects/${foreign}/ssh-keys`, { label: "x", key: KEYS.rsa.key })).status, 403);
});

Deno.test("device ssh_keys: given project keys only; none given → all project and member keys; no_ssh_keys → none", async () => {
  const { sim, api } = setup();
  const p = sim.defaultProjectId;
  const infra = (await api.post(`/projects/${p}/ssh-keys`, { label: "infra", key: KEYS.rsa.key })).body;
  const other = (await api.post(`/projects/${p}/ssh-keys`, { label: "other", key: KEYS.ed25519.key })).body;
  const userKey = await api.post("/ssh-keys", {
    label: "mine",
    key: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIhNtA2V3BKYIh1KcKlBOngqfbeOupN0CNCUPGRN me",
  });
  assert.equal(userKey.status, 422, "a truncated key blob is refused");
  const mine = (await api.post("/ssh-keys", { label: "mine", key: KEYS.ed25519.key })).body;
  assert.deepEqual(mine.entity, { href: `/metal/v1/users/${sim.seed.users[0].id}` });

  const hrefs = (ids: string[]) => ids.map((id) => ({ href: `/metal/v1/ssh-keys/${id}` }));
  const given = await createDevice(api, p, { project_ssh_keys: [infra.id] });
  assert.deepEqual(given.ssh_keys, hrefs([infra.id]));
  const defaults = await createDevice(api, p);
  assert.deepEqual(defaults.ssh_keys, hrefs([infra.id, other.id, mine.id]));
  const none = await createDevice(api, p, { no_ssh_keys: true });
  assert.deepEqual(none.ssh_keys, []);
  const bad = await api.post(`/projects/${p}/devices`, {
    metro: "ny",
    plan: "c3.small.x86",
    operating_system: "flatcar_stable",
    project_ssh_keys: [mine.id],
  });
  assert.deepEqual(bad.body, { errors: [`${mine.id} is not a valid project ssh key`] });
  const byUser = await createDevice(api, p, { user_ssh_keys: [sim.seed.users[0].id] });
  assert.deepEqual(byUser.ssh_keys, hrefs([mine.id]));
});

Deno.test("device ssh_keys: empty key lists count as none given; no_ssh_keys only overrides that default", async () => {
  const { sim, api } = setup();
  const p = sim.defaultProjectId;
  const shootA = (await api.post(`/projects/${p}/ssh-keys`, { label: "shoot-a", key: KEYS.rsa.key })).body;
  const shootB = (await api.post(`/projects/${p}/ssh-keys`, { label: "shoot-b", key: KEYS.ed25519.key })).body;
  const ids = (d: { ssh_keys: { href: string }[] }) => d.ssh_keys.map((k) => k.href.split("/").pop());
  const empty = { project_ssh_keys: [], user_ssh_keys: [], ssh_keys: [] };
  assert.deepEqual(ids(await createDevice(api, p, empty)), [shootA.id, shootB.id]);
  assert.deepEqual(ids(await createDevice(api, p, { ...empty, no_ssh_keys: false })), [shootA.id, shootB.id]);
  assert.deepEqual(ids(await createDevice(api, p, { ...empty, no_ssh_keys: true })), []);
  assert.deepEqual(ids(await createDevice(api, p, { project_ssh_keys: [shootA.id], no_ssh_keys: true })), [shootA.id]);
});
