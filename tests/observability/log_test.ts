import assert from "node:assert/strict";
import { captureLogs, configureLogging, getLogger } from "../../src/observability/log.ts";
import { forgetSecret, registerSecret } from "../../src/observability/redact.ts";

function withCapture(fn: (lines: string[]) => void) {
  const cap = captureLogs();
  try {
    fn(cap.lines);
  } finally {
    cap.restore();
    configureLogging({ level: "info", format: "json" });
  }
}

Deno.test("JSON lines carry level, ts, logger, msg and fields like Gardener's components", () => {
  withCapture((lines) => {
    configureLogging({ level: "info", format: "json" });
    getLogger("machine-controller").child("safety").info("Orphan collected", { device: "d1", count: 2 });
    assert.equal(lines.length, 1);
    const entry = JSON.parse(lines[0]);
    assert.equal(entry.level, "info");
    assert.equal(entry.logger, "machine-controller.safety");
    assert.equal(entry.msg, "Orphan collected");
    assert.equal(entry.device, "d1");
    assert.equal(entry.count, 2);
    assert.match(entry.ts, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });
});

Deno.test("levels below the configured one are dropped", () => {
  withCapture((lines) => {
    configureLogging({ level: "error", format: "json" });
    const log = getLogger("x");
    log.debug("d");
    log.info("i");
    log.warn("w");
    log.error("e");
    assert.deepEqual(lines.map((l) => JSON.parse(l).msg), ["e"]);
  });
});

Deno.test("text format is one tab-separated line with quoted fields", () => {
  withCapture((lines) => {
    configureLogging({ level: "debug", format: "text" });
    getLogger("a").debug("hello", { k: "v" });
    assert.match(lines[0], /^\S+\tDEBUG\ta\thello\tk="v"$/);
  });
});

Deno.test("registered secrets never reach a log line, in messages, fields, nested values or errors", () => {
  const token = "apitoken-" + crypto.randomUUID();
  registerSecret(token);
  try {
    withCapture((lines) => {
      for (const format of ["json", "text"] as const) {
        configureLogging({ level: "debug", format });
        const log = getLogger("metal").with({ header: `X-Auth-Token: ${token}` });
        log.info(`calling with ${token}`, { nested: { deeper: [token] }, err: new Error(`401 for ${token}`) });
      }
      assert.equal(lines.length, 2);
      for (const line of lines) assert.ok(!line.includes(token), line);
    });
  } finally {
    forgetSecret(token);
  }
});

Deno.test("fields named like secrets are redacted even when the value was never registered", () => {
  withCapture((lines) => {
    configureLogging({ level: "info", format: "json" });
    getLogger("x").info("m", { apiToken: "unregistered-value-123", userData: "#!ipxe", enabled: true });
    const entry = JSON.parse(lines[0]);
    assert.equal(entry.apiToken, "[REDACTED]");
    assert.equal(entry.userData, "[REDACTED]");
    assert.equal(entry.enabled, true);
  });
});
