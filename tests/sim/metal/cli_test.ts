/** `provider-equinix-metal metal-simulator` as a subprocess: the three lines, a request with them, a clean stop. */
import assert from "node:assert/strict";
import { cliCommand } from "../../../src/playground/components.ts";

const ROOT = new URL("../../../", import.meta.url).pathname;

function simulatorProcess(args: string[]) {
  return new Deno.Command(Deno.execPath(), {
    args: cliCommand(["--log-format", "text", "metal-simulator", ...args]),
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  });
}

/** Reads stdout until `n` lines have arrived; returns them and the reader to drain later. */
async function readLines(stream: ReadableStream<Uint8Array>, n: number) {
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  while (buffer.split("\n").length <= n) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
  }
  return { lines: buffer.split("\n").slice(0, n), reader };
}

Deno.test("cli: metal-simulator prints url, token and project, serves them, and stops on SIGTERM", async () => {
  const dir = await Deno.makeTempDir({ prefix: "metal-sim-cli-" });
  try {
    const seedPath = `${dir}/seed.yaml`;
    await Deno.writeTextFile(
      seedPath,
      [
        "organizations: [{name: acme}]",
        "users: [{email: ops@acme.test, organizations: [acme]}]",
        "projects: [{name: garden, organization: acme}]",
        "tokens: [{token: acme-operator-token-0001, user: ops@acme.test}]",
        "hardwareReservations: [{project: garden, plan: c3.small.x86, facility: ny5}]",
        "capacity: [{metro: ny, plan: c3.small.x86, count: 1}]",
        "timings: {queuedMs: 0, provisioningMs: 0}",
      ].join("\n"),
    );
    const child = simulatorProcess(["--port", "0", "--seed", seedPath, "--random-seed", "7"]).spawn();
    const stderr = new Response(child.stderr).text();
    const { lines, reader } = await readLines(child.stdout, 3);
    try {
      const [url, token, project] = lines.map((l) => l.slice(l.indexOf(": ") + 2));
      assert.match(lines[0], /^url: http:\/\/127\.0\.0\.1:\d+\/metal\/v1$/);
      assert.equal(lines[1], "token: acme-operator-token-0001");
      assert.match(lines[2], /^project: [0-9a-f-]{36}$/);
      const headers = { "X-Auth-Token": token, "Content-Type": "application/json" };
      const created = await fetch(`${url}/projects/${project}/devices`, {
        method: "POST",
        headers,
        body: JSON.stringify({ metro: "ny", plan: "c3.small.x86", operating_system: "flatcar_stable" }),
      });
      assert.equal(created.status, 201);
      const device = await created.json();
      assert.equal(device.state, "active", "the seed's timings apply");
      const full = await fetch(`${url}/projects/${project}/devices`, {
        method: "POST",
        headers,
        body: JSON.stringify({ metro: "ny", plan: "c3.small.x86", operating_system: "flatcar_stable" }),
      });
      assert.equal(full.status, 422, "the seed's capacity applies");
      await full.body?.cancel();
      const hr = await (await fetch(`${url}/projects/${project}/hardware-reservations`, { headers })).json();
      assert.equal(hr.hardware_reservations.length, 1);
      const denied = await fetch(`${url}/projects/${project}/devices`, { headers: { "X-Auth-Token": "nope-nope" } });
      assert.equal(denied.status, 401);
      await denied.body?.cancel();
    } finally {
      child.kill("SIGTERM");
      const status = await child.status;
      while (!(await reader.read()).done) { /* drain */ }
      const err = await stderr;
      assert.equal(status.code, 0, err);
      assert.ok(!err.includes("acme-operator-token-0001"), "the token never reaches the logs");
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli: an invalid seed file fails with exit code 1 naming the file and the field", async () => {
  const dir = await Deno.makeTempDir({ prefix: "metal-sim-cli-" });
  try {
    const seedPath = `${dir}/seed.json`;
    await Deno.writeTextFile(seedPath, JSON.stringify({ projects: [{ name: "p", organization: "nobody" }] }));
    const out = await simulatorProcess(["--seed", seedPath]).output();
    assert.equal(out.code, 1);
    // One text log line; its error field is JSON-quoted.
    const errorField = (stderr: Uint8Array) =>
      JSON.parse(/\terror=("(?:[^"\\]|\\.)*")/.exec(new TextDecoder().decode(stderr))![1]) as string;
    const err = errorField(out.stderr);
    assert.match(err, /seed\.projects\[0\]\.organization: unknown organization "nobody"/);
    await Deno.writeTextFile(seedPath, JSON.stringify({ tokens: [{ token: "short" }], timing: {} }));
    const typo = errorField((await simulatorProcess(["--seed", seedPath]).output()).stderr);
    assert.match(typo, new RegExp(`${seedPath.replaceAll(".", "\\.")}: seed\\.tokens\\[0\\]\\.token`));
    assert.match(typo, /Unrecognized key.*"timing"/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli: --metal-late-commits loses the create's response and keeps the device out of listings", async () => {
  const child = simulatorProcess(["--port", "0", "--metal-late-commits", "100"]).spawn();
  const stderr = new Response(child.stderr).text();
  const { lines, reader } = await readLines(child.stdout, 3);
  try {
    const [url, token, project] = lines.map((l) => l.slice(l.indexOf(": ") + 2));
    const headers = { "X-Auth-Token": token, "Content-Type": "application/json" };
    const body = { metro: "ny", plan: "c3.small.x86", operating_system: "flatcar_stable", hostname: "late" };
    await assert.rejects(
      (async () => {
        const res = await fetch(`${url}/projects/${project}/devices`, {
          method: "POST",
          headers,
          body: JSON.stringify(body),
        });
        await res.text();
      })(),
      "the response is lost",
    );
    const listed = await (await fetch(`${url}/projects/${project}/devices`, { headers })).json();
    assert.deepEqual(listed.devices, [], "the create is still being committed");
  } finally {
    child.kill("SIGTERM");
    const status = await child.status;
    while (!(await reader.read()).done) { /* drain */ }
    assert.equal(status.code, 0, await stderr);
  }
});
