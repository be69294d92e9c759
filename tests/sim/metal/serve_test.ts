/** The same API over loopback HTTP: headers, lost responses (headers then a broken body), hung requests on stop. */
import assert from "node:assert/strict";
import { eventually } from "../../support/eventually.ts";
import { rawApi, setup, workerBody } from "./helpers.ts";

Deno.test("serve: the API over HTTP on a free loopback port", async () => {
  const { sim } = setup();
  const server = await sim.serve();
  try {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/metal\/v1$/);
    const api = rawApi(sim, fetch, server.url);
    const created = await api.post(`/projects/${sim.defaultProjectId}/devices`, workerBody());
    assert.equal(created.status, 201);
    assert.match(created.headers.get("content-type")!, /^application\/json/);
    assert.ok(created.headers.get("x-request-id"));
    const got = await api.get(`/devices/${created.body.id}`);
    assert.equal(got.body.state, "queued");
    assert.equal((await api.get("/user", "wrong-token-value")).status, 401);
    assert.equal((await api.del(`/devices/${created.body.id}`)).status, 204);
  } finally {
    await server.stop();
  }
});

Deno.test("serve: a lost response sends the status line and headers, then the body breaks; the effect happened", async () => {
  const { sim } = setup();
  const server = await sim.serve();
  try {
    sim.faults.add({ method: "POST", endpoint: "/projects/{id}/devices", loseResponse: true, times: 1 });
    const res = await fetch(`${server.url}/projects/${sim.defaultProjectId}/devices`, {
      method: "POST",
      headers: { "X-Auth-Token": sim.defaultToken, "Content-Type": "application/json" },
      body: JSON.stringify(workerBody()),
    });
    assert.equal(res.status, 201);
    await assert.rejects(res.text(), TypeError);
    assert.equal(sim.devices().length, 1);
  } finally {
    await server.stop();
  }
});

Deno.test("serve: a lost response to a DELETE (204, no body) breaks the client's read too; the device is deleted", async () => {
  const { sim } = setup();
  const server = await sim.serve();
  try {
    const api = rawApi(sim, fetch, server.url);
    const created = await api.post(`/projects/${sim.defaultProjectId}/devices`, workerBody());
    sim.faults.add({ method: "DELETE", endpoint: "/devices/{id}", loseResponse: true, times: 1 });
    const res = await fetch(`${server.url}/devices/${created.body.id}`, {
      method: "DELETE",
      headers: { "X-Auth-Token": sim.defaultToken },
    });
    await assert.rejects(res.text(), TypeError);
    assert.equal(sim.devices().length, 0, "the DELETE took effect");
    assert.equal(sim.counters.snapshot()["DELETE /devices/{id} lost"], 1);
    assert.equal(sim.counters.total("DELETE /devices/{id} 500"), 0, "no 500 from building the lost response");
  } finally {
    await server.stop();
  }
});

Deno.test("serve: a hanging request ends when the client aborts, and stop() releases the rest", async () => {
  const { sim } = setup();
  const server = await sim.serve();
  sim.faults.add({ endpoint: "/locations/metros", timeout: true });
  const url = `${server.url}/locations/metros`;
  const headers = { "X-Auth-Token": sim.defaultToken };
  const ac = new AbortController();
  const aborted = fetch(url, { headers, signal: ac.signal });
  const hung = (n: number) => () => sim.counters.snapshot()["GET /locations/metros timeout"] === n;
  await eventually(hung(1), { description: "the first request to hang" });
  ac.abort();
  await assert.rejects(aborted, (e: Error) => e.name === "AbortError");
  const hanging = fetch(url, { headers }).then((r) => r.body?.cancel().then(() => r.status), () => "failed");
  await eventually(hung(2), { description: "the second request to hang" });
  await server.stop();
  const outcome = await hanging;
  assert.ok(outcome === 504 || outcome === "failed", String(outcome));
});
