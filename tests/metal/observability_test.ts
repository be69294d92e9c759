/** What the client logs and counts: request lines at debug, metrics by path template, never token or user data. */
import assert from "node:assert/strict";
import { captureLogs, configureLogging } from "../../src/observability/log.ts";
import { MetalInvalidError } from "../../src/metal/errors.ts";
import { device, json, PROJECT_ID, testClient, TOKEN, uuid } from "./fake_api.ts";

const USERDATA = "#!/bin/bash\necho bootstrap-token=07401b.f395accd246ae52d\n";

async function withDebugLogs(fn: () => Promise<void>): Promise<string[]> {
  const logs = captureLogs();
  configureLogging({ level: "debug" });
  try {
    await fn();
  } finally {
    configureLogging({ level: "info" });
    logs.restore();
  }
  return logs.lines;
}

Deno.test("each request is logged at debug with method, path template, status, duration and request id", async () => {
  const { client } = testClient(() => json(200, device(1), { "x-request-id": "abc-123" }));
  const lines = await withDebugLogs(async () => {
    await client.devices.get(uuid(1));
  });
  const entries = lines.map((l) => JSON.parse(l));
  const req = entries.find((e) => e.msg === "Metal API request");
  assert.ok(req, lines.join("\n"));
  assert.equal(req.level, "debug");
  assert.equal(req.logger, "metal-client");
  assert.equal(req.method, "GET");
  assert.equal(req.endpoint, "/devices/{id}");
  assert.equal(req.status, "200");
  assert.equal(req.requestId, "abc-123");
  assert.equal(typeof req.durationMs, "number");
  assert.ok(!lines.join("\n").includes(uuid(1)), "raw paths are not logged, templates are");
});

Deno.test("neither the token nor user data reach logs or errors, even when the API echoes them", async () => {
  const { client } = testClient(() =>
    json(422, { errors: [`userdata is invalid: ${USERDATA}`, `token ${TOKEN} rejected`] })
  );
  let err: unknown;
  const lines = await withDebugLogs(async () => {
    err = await client.devices.create(PROJECT_ID, {
      metro: "ny",
      plan: "c3.small.x86",
      operating_system: "flatcar_stable",
      userdata: USERDATA,
    }).catch((e) => e);
  });
  assert.ok(err instanceof MetalInvalidError);
  const text = [err.message, ...err.messages, ...lines].join("\n");
  assert.ok(!text.includes(TOKEN), text);
  assert.ok(!text.includes("07401b.f395accd246ae52d"), text);
  assert.ok(lines.some((l) => l.includes('"endpoint":"/projects/{id}/devices"')));
});

Deno.test("metrics count requests, durations and retries by method, endpoint template and code", async () => {
  const { client, clock, registry } = testClient((_, i) =>
    i === 0 ? json(503, { errors: ["busy"] }) : json(200, { devices: [device(1)], meta: null })
  );
  const result = client.devices.listByProject(PROJECT_ID);
  await new Promise((r) => setTimeout(r, 0));
  await clock.advance(1_000);
  await result;
  const requests = await registry.getSingleMetric("metal_api_requests_total")!.get();
  assert.deepEqual(
    requests.values.map((v) => [v.labels, v.value]).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
    [
      [{ method: "GET", endpoint: "/projects/{id}/devices", code: "200" }, 1],
      [{ method: "GET", endpoint: "/projects/{id}/devices", code: "503" }, 1],
    ],
  );
  const retries = await registry.getSingleMetric("metal_api_retries_total")!.get();
  assert.deepEqual(retries.values.map((v) => [v.labels, v.value]), [
    [{ endpoint: "/projects/{id}/devices", reason: "server_error" }, 1],
  ]);
  const duration = await registry.getSingleMetric("metal_api_request_duration_seconds")!.get();
  const count = duration.values.find((v) =>
    (v as { metricName?: string }).metricName === "metal_api_request_duration_seconds_count"
  );
  assert.deepEqual(count?.labels, { method: "GET", endpoint: "/projects/{id}/devices" });
  assert.equal(count?.value, 2);
});

Deno.test("a deprecated endpoint (Deprecation/Sunset headers) is warned about once per client", async () => {
  const { client } = testClient(() =>
    json(200, { facilities: [] }, { deprecation: "@1685404800", sunset: "Tue, 30 Jun 2026 00:00:00 GMT" })
  );
  const logs = captureLogs();
  try {
    await client.locations.listFacilities();
    await client.locations.listFacilities();
  } finally {
    logs.restore();
  }
  const warnings = logs.lines.map((l) => JSON.parse(l)).filter((e) => e.msg === "Metal API endpoint is deprecated");
  assert.equal(warnings.length, 1);
  assert.equal(warnings[0].endpoint, "/facilities");
  assert.equal(warnings[0].sunset, "Tue, 30 Jun 2026 00:00:00 GMT");
});
