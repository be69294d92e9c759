/**
 * A stateful, fault-injecting simulator of the Equinix Metal API (v1), faithful to the real API's shapes, texts
 * and asynchronous behaviour. It is the product's embedded default since the real
 * service was shut down, and the ground truth of every test.
 *
 *   const sim = new MetalSimulator({ clock, randomSeed: 1 });
 *   const client = new MetalClient({ token: sim.defaultToken, baseUrl: IN_PROCESS_BASE_URL, fetch: sim.fetch });
 *   const { url, stop } = await sim.serve();        // the same API over loopback HTTP
 *   sim.faults.add({ method: "POST", endpoint: "/projects/{id}/devices", loseResponse: true, times: 1 });
 *   await clock.advance(60_000);                     // queued → provisioning → active, no timers involved
 *
 * Decisions (see docs/decisions.md): devices being deprovisioned stay listed; a busy/spare reservation answers
 * 422 "Server is not provisionable"; capacity returns when a device is gone; meta links are API-root-relative.
 */
export * from "./simulator.ts";
