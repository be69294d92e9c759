/**
 * Fidelity traps §12.3 (non-unique hostnames, substring filter), §12.4 (opaque tags), §12.5 (default page size 10,
 * metros ignore paging, IP list default 250) and §12.6 (coherent meta).
 */
import assert from "node:assert/strict";
import { createDevice, type Json, type RawApi, setup } from "./helpers.ts";

Deno.test("hostnames are not unique; the hostname filter is a substring match, tag is exact per element", async () => {
  const { sim, api } = setup();
  const p = sim.defaultProjectId;
  const tagsA = ["kubernetes.io/cluster/shoot--dev--c1", "kubernetes.io/role/node", "pool=ab+c/d=="];
  const a = await createDevice(api, p, { hostname: "worker-1", tags: tagsA });
  const b = await createDevice(api, p, { hostname: "worker-1", tags: ["kubernetes.io/cluster/shoot--dev--c1"] });
  const c = await createDevice(api, p, { hostname: "master-worker-10", tags: [] });
  assert.notEqual(a.id, b.id);
  assert.deepEqual(a.tags, tagsA, "tags keep their text and order");

  const ids = async (query: string) =>
    (await api.get(`/projects/${p}/devices?${query}`)).body.devices.map((d: { id: string }) => d.id);
  assert.deepEqual(await ids("hostname=worker-1"), [a.id, b.id, c.id], "substring: master-worker-10 matches");
  assert.deepEqual(await ids(`tag=${encodeURIComponent("pool=ab+c/d==")}`), [a.id]);
  assert.deepEqual(await ids(`tag=${encodeURIComponent("kubernetes.io/cluster/shoot--dev--c1")}`), [a.id, b.id]);
  assert.deepEqual(await ids(`tag=${encodeURIComponent("kubernetes.io/cluster")}`), [], "no prefix matching");
  assert.deepEqual(await ids("metro=NY"), [a.id, b.id, c.id]);
  assert.deepEqual(await ids("metro=da"), []);
  assert.deepEqual(await ids("facility=ny5"), [a.id, b.id, c.id]);
  assert.deepEqual(await ids("search=master"), [c.id]);
  // 8 listings, of which 7 without a hostname filter (what the playground reports apart as orphan-collection lists).
  assert.equal(sim.counters.total("GET /projects/{id}/devices"), 8);
  assert.deepEqual(sim.unfilteredDeviceListings.snapshot(), { "GET /projects/{id}/devices": 7 });
});

async function walk(api: RawApi, firstPath: string): Promise<Json[]> {
  const pages: Json[] = [];
  let path: string | null = firstPath;
  for (let guard = 0; path && guard < 100; guard++) {
    const r = await api.get(path);
    assert.equal(r.status, 200);
    pages.push(r.body);
    path = r.body.meta.next?.href ?? null;
  }
  return pages;
}

Deno.test("pagination: default page size 10 and a meta whose counters and links agree on every page", async () => {
  const { sim, api } = setup();
  const p = sim.defaultProjectId;
  const created: string[] = [];
  for (let i = 0; i < 23; i++) created.push((await createDevice(api, p, { hostname: `w-${i}` })).id);

  const first = (await api.get(`/projects/${p}/devices`)).body;
  assert.equal(first.devices.length, 10, "page 1 holds only 10 devices: page-1-only consumers miss the rest");
  assert.equal(first.meta.total, 23);
  assert.equal(first.meta.current_page, 1);
  assert.equal(first.meta.last_page, 3);
  assert.equal(first.meta.previous, null);

  // Follow `next` (packngo) from the API root: every device exactly once, in creation order.
  const pages = await walk(api, `/projects/${p}/devices?tag=${encodeURIComponent("kubernetes.io/role/node")}`);
  assert.equal(pages.length, 3);
  assert.deepEqual(pages.flatMap((pg) => pg.devices.map((d: { id: string }) => d.id)), created);
  for (const [i, pg] of pages.entries()) {
    assert.equal(pg.meta.current_page, i + 1);
    assert.equal(pg.meta.last_page, 3);
    assert.equal(pg.meta.total, 23);
    assert.match(pg.meta.self.href, new RegExp(`page=${i + 1}`));
    assert.match(pg.meta.self.href, /tag=kubernetes\.io%2Frole%2Fnode/, "filters are kept in the links");
    assert.match(pg.meta.first.href, /page=1&/);
    assert.match(pg.meta.last.href, /page=3&/);
  }
  assert.equal(pages[2].meta.next, null, "next is null on the last page");
  assert.match(pages[2].meta.previous.href, /page=2/);

  // Loop like metalv1: until last_page <= current_page.
  const seen: string[] = [];
  for (let page = 1;; page++) {
    const body = (await api.get(`/projects/${p}/devices?per_page=7&page=${page}`)).body;
    seen.push(...body.devices.map((d: { id: string }) => d.id));
    if (body.meta.last_page <= body.meta.current_page) break;
  }
  assert.deepEqual(seen, created);

  const big = (await api.get(`/projects/${p}/devices?per_page=1000`)).body;
  assert.equal(big.devices.length, 23);
  assert.equal(big.meta.last_page, 1);
  const beyond = (await api.get(`/projects/${p}/devices?page=9`)).body;
  assert.deepEqual(beyond.devices, []);
  assert.equal(beyond.meta.current_page, 9);
  assert.equal(beyond.meta.next, null);
  for (const q of ["per_page=1001", "per_page=0", "page=0", "per_page=ten"]) {
    const r = await api.get(`/projects/${p}/devices?${q}`);
    assert.equal(r.status, 422, q);
    assert.match(r.body.errors[0], new RegExp(q.split("=")[0]));
  }
});

Deno.test("pagination: an empty list has total 0 and one page", async () => {
  const { sim, api } = setup();
  const body = (await api.get(`/projects/${sim.defaultProjectId}/devices`)).body;
  assert.deepEqual(body.devices, []);
  assert.equal(body.meta.total, 0);
  assert.equal(body.meta.current_page, 1);
  assert.equal(body.meta.last_page, 1);
  assert.equal(body.meta.next, null);
});

Deno.test("metros ignore page and per_page and carry no meta", async () => {
  const { api } = setup();
  const all = (await api.get("/locations/metros")).body;
  const paged = (await api.get("/locations/metros?page=2&per_page=5")).body;
  assert.ok(all.metros.length >= 20);
  assert.deepEqual(paged, all);
  assert.equal("meta" in all, false);
  const codes = all.metros.map((m: { code: string }) => m.code);
  for (const code of ["ny", "sv", "da", "dc", "am", "fr", "sg", "sy"]) assert.ok(codes.includes(code), code);
  const ny = all.metros.find((m: { code: string }) => m.code === "ny");
  assert.deepEqual((await api.get(`/locations/metros/${ny.id}`)).body, ny);
  assert.equal((await api.get("/locations/metros/00000000-0000-4000-8000-000000000000")).status, 404);
});

Deno.test("project IP reservations list with a default page size of 250", async () => {
  const { sim, api } = setup({
    seed: { projects: [{ name: "p", organization: "o", publicIpv4Quota: 1000 }], organizations: [{ name: "o" }] },
  });
  const p = sim.defaultProjectId;
  for (let i = 0; i < 255; i++) {
    const r = await api.post(`/projects/${p}/ips`, { type: "public_ipv4", quantity: 1, metro: "da" });
    assert.equal(r.status, 201);
  }
  const first = (await api.get(`/projects/${p}/ips`)).body;
  assert.equal(first.ip_addresses.length, 250);
  assert.equal(first.meta.total, 255);
  assert.equal(first.meta.last_page, 2);
  assert.equal((await api.get(`/projects/${p}/ips?page=2`)).body.ip_addresses.length, 5);
  assert.equal((await api.get(`/projects/${p}/ips?per_page=10`)).body.ip_addresses.length, 10);
});
