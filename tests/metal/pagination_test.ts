/** Full listings follow `meta.current_page`/`last_page`, with bounded pages and coherent-meta checks. */
import assert from "node:assert/strict";
import { MetalBadResponseError, MetalInputError } from "../../src/metal/errors.ts";
import { collectAllPages, nextPage } from "../../src/metal/pagination.ts";
import { device, json, meta, PROJECT_ID, type SeenRequest, testClient, uuid } from "./fake_api.ts";

/** A project with `total` devices, paginated like the API (defaults: per_page 10). */
function devicePages(total: number) {
  const all = Array.from({ length: total }, (_, i) => device(i + 1));
  return (req: SeenRequest) => {
    const page = Number(req.url.searchParams.get("page") ?? "1");
    const perPage = Number(req.url.searchParams.get("per_page") ?? "10");
    const items = all.slice((page - 1) * perPage, page * perPage);
    return json(200, { devices: items, meta: meta(page, perPage, total, req.url.pathname) });
  };
}

Deno.test("listing 2,500 devices with per_page 1000 takes exactly 3 requests", async () => {
  const { client, requests } = testClient(devicePages(2_500));
  const devices = await client.devices.listByProject(PROJECT_ID);
  assert.equal(devices.length, 2_500);
  assert.equal(requests.length, 3);
  assert.deepEqual(
    requests.map((r) => [r.url.searchParams.get("page"), r.url.searchParams.get("per_page")]),
    [["1", "1000"], ["2", "1000"], ["3", "1000"]],
  );
  assert.equal(new Set(devices.map((d) => d.id)).size, 2_500);
  assert.equal(devices[2_499].id, uuid(2_500));
});

Deno.test("an explicit perPage is used, and an exact multiple ends on the last full page", async () => {
  const { client, requests } = testClient(devicePages(30));
  const devices = await client.devices.listByProject(PROJECT_ID, { perPage: 10 });
  assert.equal(devices.length, 30);
  assert.equal(requests.length, 3);
});

Deno.test("pages one at a time: each page is requested only when the previous one was taken", async () => {
  const { client, requests } = testClient(devicePages(25));
  const sizes: number[] = [];
  for await (const page of client.devices.pagesByProject(PROJECT_ID, { perPage: 10 })) {
    sizes.push(page.length);
    assert.equal(requests.length, sizes.length, "no read-ahead");
  }
  assert.deepEqual(sizes, [10, 10, 5]);
});

Deno.test("an empty project is one request", async () => {
  const { client, requests } = testClient(devicePages(0));
  assert.deepEqual(await client.devices.listByProject(PROJECT_ID), []);
  assert.equal(requests.length, 1);
});

Deno.test("a server that ignores page (meta stuck on page 1) is an error, not an endless loop", async () => {
  const { client, requests } = testClient((req) =>
    json(200, { devices: [device(1)], meta: meta(1, 1, 3, req.url.pathname) })
  );
  const err = await client.devices.listByProject(PROJECT_ID, { perPage: 1 }).catch((e) => e);
  assert.ok(err instanceof MetalBadResponseError);
  assert.match(err.message, /asked for page 2, meta.current_page is 1/);
  assert.match(err.message, /GET \/projects\/\{id\}\/devices/);
  assert.equal(requests.length, 2);
});

Deno.test("an empty page before meta.last_page is an error", async () => {
  const { client } = testClient((req) => {
    const page = Number(req.url.searchParams.get("page"));
    return json(200, { devices: [], meta: { ...meta(page, 1000, 5000, req.url.pathname), last_page: 999999 } });
  });
  const err = await client.devices.listByProject(PROJECT_ID).catch((e) => e);
  assert.ok(err instanceof MetalBadResponseError);
  assert.match(err.message, /page 1 is empty but meta.last_page is 999999/);
});

Deno.test("an object shifted onto the next page while listing is returned once", async () => {
  // Page 2 repeats the last device of page 1, as happens when a device is created during the listing.
  const { client } = testClient((req) => {
    const page = Number(req.url.searchParams.get("page"));
    const items = page === 1 ? [device(1), device(2)] : [device(2), device(3)];
    return json(200, { devices: items, meta: meta(page, 2, 4, req.url.pathname) });
  });
  const devices = await client.devices.listByProject(PROJECT_ID, { perPage: 2 });
  assert.deepEqual(devices.map((d) => d.id), [uuid(1), uuid(2), uuid(3)]);
});

Deno.test("a list answer without meta is complete in one request", async () => {
  const { client, requests } = testClient(() => json(200, { devices: [device(1), device(2)] }));
  assert.equal((await client.devices.listByProject(PROJECT_ID)).length, 2);
  assert.equal(requests.length, 1);
});

Deno.test("hardware reservations are listed over all pages with the provisionable filter", async () => {
  const all = Array.from({ length: 25 }, (_, i) => ({ id: uuid(i + 1), provisionable: true, spare: false }));
  const { client, requests } = testClient((req) => {
    const page = Number(req.url.searchParams.get("page"));
    const perPage = Number(req.url.searchParams.get("per_page"));
    return json(200, {
      hardware_reservations: all.slice((page - 1) * perPage, page * perPage),
      meta: meta(page, perPage, all.length, req.url.pathname),
    });
  });
  const list = await client.hardwareReservations.listForProject(PROJECT_ID, { provisionableOnly: true, perPage: 10 });
  assert.equal(list.length, 25);
  assert.equal(requests.length, 3);
  for (const r of requests) {
    assert.equal(r.path, `/projects/${PROJECT_ID}/hardware-reservations`);
    assert.equal(r.url.searchParams.get("provisionable"), "only");
  }
});

Deno.test("perPage outside 1..1000 is rejected before sending", async () => {
  const { client, requests } = testClient(devicePages(1));
  for (const perPage of [0, 1001, 2.5]) {
    const err = await client.devices.listByProject(PROJECT_ID, { perPage }).catch((e) => e);
    assert.ok(err instanceof MetalInputError);
    assert.equal(err.field, "filter.perPage");
  }
  assert.equal(requests.length, 0);
});

Deno.test("nextPage decides from meta alone", () => {
  const m = (current: number | null, last: number | null, next: unknown = { href: "x" }) => ({
    current_page: current,
    last_page: last,
    next: next as { href: string } | null,
  });
  assert.deepEqual(nextPage(1, 10, 10, undefined), { done: true });
  assert.deepEqual(nextPage(1, 10, 10, null), { done: true });
  assert.deepEqual(nextPage(1, 10, 10, m(1, 3)), { done: false, next: 2 });
  assert.deepEqual(nextPage(3, 5, 10, m(3, 3)), { done: true });
  assert.deepEqual(nextPage(2, 10, 10, m(1, 3)), { error: "asked for page 2, meta.current_page is 1" });
  assert.deepEqual(nextPage(1, 0, 10, m(1, 2)), { error: "page 1 is empty but meta.last_page is 2" });
  // No last_page: a full page with a next link continues, a short page or no next ends.
  assert.deepEqual(nextPage(1, 10, 10, m(1, null)), { done: false, next: 2 });
  assert.deepEqual(nextPage(1, 9, 10, m(1, null)), { done: true });
  assert.deepEqual(nextPage(1, 10, 10, m(1, null, null)), { done: true });
  // No current_page: the requested page is assumed.
  assert.deepEqual(nextPage(2, 10, 10, m(null, 3)), { done: false, next: 3 });
});

Deno.test("collectAllPages stops with an error after maxPages pages", async () => {
  let reads = 0;
  const err = await collectAllPages((page) => {
    reads++;
    return Promise.resolve({ items: [{ id: `x${page}` }], meta: { current_page: page, last_page: 1_000_000 } });
  }, { perPage: 1, maxPages: 5, describe: { method: "GET", path: "/things", endpoint: "/things" } }).catch((e) => e);
  assert.ok(err instanceof MetalBadResponseError);
  assert.match(err.message, /more than 5 pages/);
  assert.equal(reads, 5);
});
