/** The simulator logs each request at debug level without tokens or user data. */
import assert from "node:assert/strict";
import { captureLogs, configureLogging } from "../../../src/observability/log.ts";
import { createDevice, setup } from "./helpers.ts";

Deno.test("logging: request lines name method, endpoint template, status and request id — never secrets", async () => {
  configureLogging({ level: "debug" });
  const logs = captureLogs();
  try {
    const { sim, api } = setup();
    const userdata = "#!/bin/bash\nexport BOOTSTRAP_TOKEN=abcdef.0123456789abcdef";
    const d = await createDevice(api, sim.defaultProjectId, { userdata });
    await api.get(`/devices/${d.id}`);
    await api.get(`/devices/${d.id}`, "an-unknown-token-value");
    const lines = logs.lines.filter((l) => l.includes('"logger":"metal-simulator"'));
    assert.equal(lines.length, 3);
    const first = JSON.parse(lines[0]);
    assert.equal(first.method, "POST");
    assert.equal(first.endpoint, "/projects/{id}/devices");
    assert.equal(first.status, "201");
    assert.match(first.requestId, /^[0-9a-f-]{36}$/);
    const all = logs.lines.join("\n");
    for (const secret of [sim.defaultToken, "abcdef.0123456789abcdef", "an-unknown-token-value", d.id]) {
      assert.ok(!all.includes(secret), `log lines contain ${secret.slice(0, 6)}…`);
    }
  } finally {
    logs.restore();
    configureLogging({ level: "info" });
  }
});
