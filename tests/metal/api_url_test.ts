/**
 * Plain http:// Metal API URLs: refused unless the host is loopback (the simulator) or `--metal-api-allow-plain-http`
 * is set, in the client and in every command that takes `--metal-api-url`.
 */
import assert from "node:assert/strict";
import { resolveExtensionOptions } from "../../src/extension/options.ts";
import { ALLOW_PLAIN_HTTP_FLAG, metalApiUrlProblem } from "../../src/metal/api_url.ts";
import { MetalClient } from "../../src/metal/client.ts";
import { MetalInputError } from "../../src/metal/errors.ts";
import { resolveMcmOptions } from "../../src/mcm/options.ts";
import { cliCommand } from "../../src/playground/components.ts";

const REMOTE_HTTP = "http://metal.corp.example/metal/v1";

Deno.test("metalApiUrlProblem: https anywhere, http only on loopback hosts unless allowed", () => {
  for (const ok of ["https://api.equinix.com/metal/v1", "https://10.0.0.5:8443/metal/v1"]) {
    assert.equal(metalApiUrlProblem(ok), undefined, ok);
  }
  const loopback = [
    "http://127.0.0.1:4242/metal/v1",
    "http://127.10.20.30/metal/v1",
    "http://localhost:8080/metal/v1",
    "http://LOCALHOST./metal/v1",
    "http://[::1]:8080/metal/v1",
    "http://[::ffff:127.0.0.1]:8080/metal/v1",
  ];
  for (const url of loopback) assert.equal(metalApiUrlProblem(url), undefined, url);
  const remote = [
    REMOTE_HTTP,
    "http://128.0.0.1/metal/v1",
    "http://10.0.0.5/metal/v1",
    "http://localhost.example.com/metal/v1",
    "http://[::2]/metal/v1",
    "http://[::ffff:10.0.0.1]/metal/v1",
  ];
  for (const url of remote) {
    const problem = metalApiUrlProblem(url);
    assert.match(problem ?? "", /plain http:\/\/ .*unencrypted.*--metal-api-allow-plain-http/, url);
    assert.equal(metalApiUrlProblem(url, true), undefined, `${url} with the flag`);
  }
  assert.match(metalApiUrlProblem("api.equinix.com") ?? "", /not an absolute http\(s\) URL/);
  assert.match(metalApiUrlProblem("ftp://x/") ?? "", /not an absolute http\(s\) URL/);
  assert.match(metalApiUrlProblem("https://x/?a=1") ?? "", /query or fragment/);
});

Deno.test("MetalClient refuses a remote http:// base URL, naming the field and the flag", () => {
  assert.throws(
    () => new MetalClient({ token: "t", baseUrl: REMOTE_HTTP }),
    (e) => e instanceof MetalInputError && e.field === "baseUrl" && e.message.includes(ALLOW_PLAIN_HTTP_FLAG),
  );
  assert.equal(new MetalClient({ token: "t", baseUrl: REMOTE_HTTP, allowPlainHttp: true }).baseUrl, REMOTE_HTTP);
  assert.equal(new MetalClient({ token: "t", baseUrl: "http://127.0.0.1:9/v1" }).baseUrl, "http://127.0.0.1:9/v1");
});

Deno.test("extension: --metal-api-url over remote http needs --metal-api-allow-plain-http", () => {
  const refused = resolveExtensionOptions({ metalApiUrl: REMOTE_HTTP }, {});
  assert.equal(refused.options, undefined);
  assert.deepEqual(refused.errors.length, 1);
  assert.match(refused.errors[0], /^--metal-api-url: uses plain http:\/\/ .*--metal-api-allow-plain-http/);
  const allowed = resolveExtensionOptions({ metalApiUrl: REMOTE_HTTP, metalApiAllowPlainHttp: "true" }, {});
  assert.deepEqual(allowed.errors, []);
  assert.equal(allowed.options?.metalApiAllowPlainHttp, true);
  const simulator = resolveExtensionOptions({ metalApiUrl: "http://127.0.0.1:4242/metal/v1" }, {});
  assert.deepEqual(simulator.errors, []);
  assert.equal(simulator.options?.metalApiAllowPlainHttp, false);
  assert.match(
    resolveExtensionOptions({ metalApiAllowPlainHttp: "perhaps" }, {}).errors[0],
    /^--metal-api-allow-plain-http: invalid boolean/,
  );
});

Deno.test("machine-controller: --metal-api-url over remote http needs --metal-api-allow-plain-http", () => {
  const refused = resolveMcmOptions({ metalApiUrl: REMOTE_HTTP });
  assert.equal(refused.options, undefined);
  assert.match(refused.errors.join("\n"), /--metal-api-url: uses plain http:\/\/ .*--metal-api-allow-plain-http/);
  const allowed = resolveMcmOptions({ metalApiUrl: REMOTE_HTTP, metalApiAllowPlainHttp: true });
  assert.deepEqual(allowed.errors, []);
  assert.equal(allowed.options?.metalApiAllowPlainHttp, true);
  assert.deepEqual(resolveMcmOptions({ metalApiUrl: "http://localhost:4242/metal/v1" }).errors, []);
});

async function cmi(args: string[]): Promise<{ code: number; stderr: string; stdout: string }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: cliCommand(["cmi", ...args]),
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  // A command that starts serving prints its endpoint; stop it there.
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let stdout = "";
  for (let r = await reader.read(); !r.done; r = await reader.read()) {
    stdout += r.value;
    if (stdout.includes("listening:")) {
      child.kill("SIGTERM");
      break;
    }
  }
  await reader.cancel().catch(() => {});
  const status = await child.status;
  const stderr = await new Response(child.stderr).text();
  return { code: status.code, stderr, stdout };
}

Deno.test("cmi: --metal-api-url over remote http is refused unless --metal-api-allow-plain-http", async () => {
  const refused = await cmi(["--listen", "tcp://127.0.0.1:0", "--metal-api-url", REMOTE_HTTP]);
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /--metal-api-url: uses plain http:\/\/ .*--metal-api-allow-plain-http/);
  assert.ok(!refused.stdout.includes("listening:"));
  const allowed = await cmi([
    "--listen",
    "tcp://127.0.0.1:0",
    "--metal-api-url",
    REMOTE_HTTP,
    "--metal-api-allow-plain-http",
  ]);
  assert.match(allowed.stdout, /listening: /, allowed.stderr);
});
