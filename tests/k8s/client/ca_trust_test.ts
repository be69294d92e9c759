/**
 * The client trusts the cluster's CA alone (as kubectl does), whatever the process's default roots contain. A child
 * process runs our client with CA-B made a default root (`DENO_CERT` for Deno's TLS stack, `NODE_EXTRA_CA_CERTS` for
 * node's) against a server whose certificate CA-B signed: a kubeconfig or service account naming CA-A must be
 * refused, and the bearer token must never reach the server.
 */
import assert from "node:assert/strict";
import { startTestHttps } from "../support/https_server.ts";
import { makeTestPki } from "../support/pki.ts";

const ROOT = new URL("../../../", import.meta.url).pathname;
const PROBE = new URL("../support/trust_probe.ts", import.meta.url).pathname;

function kubeconfig(server: string, token: string, caPem?: string): string {
  const cluster: Record<string, string> = { server };
  if (caPem) cluster["certificate-authority-data"] = btoa(caPem);
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "c", cluster }],
    users: [{ name: "u", user: { token } }],
    contexts: [{ name: "x", context: { cluster: "c", user: "u" } }],
    "current-context": "x",
  });
}

/** The parent's environment without proxy settings (a proxy would change where the control requests go). */
function childEnv(extra: Record<string, string>): Record<string, string> {
  const env = Deno.env.toObject();
  for (const k of Object.keys(env)) if (/^(https?|all|no)_proxy$/i.test(k)) delete env[k];
  return { ...env, ...extra };
}

Deno.test("a CA that the process trusts by default does not replace the kubeconfig's or service account's CA", async () => {
  const caA = await makeTestPki("a");
  const caB = await makeTestPki("b");
  const server = await startTestHttps(caB.server);
  const dir = await Deno.makeTempDir({ prefix: "ca-trust-" });
  try {
    await Deno.writeTextFile(`${dir}/caB.pem`, caB.caPem);
    await Deno.writeTextFile(`${dir}/ca-a.yaml`, kubeconfig(server.url, "token-sent-with-ca-a", caA.caPem));
    await Deno.writeTextFile(`${dir}/ca-b.yaml`, kubeconfig(server.url, "token-sent-with-ca-b", caB.caPem));
    await Deno.writeTextFile(`${dir}/no-ca.yaml`, kubeconfig(server.url, "token-sent-with-system-roots"));
    await Deno.mkdir(`${dir}/sa`);
    await Deno.writeTextFile(`${dir}/sa/ca.crt`, caA.caPem);
    await Deno.writeTextFile(`${dir}/sa/token`, "token-of-the-service-account");
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "--quiet",
        PROBE,
        `kubeconfig=${dir}/ca-a.yaml`,
        `kubeconfig=${dir}/ca-b.yaml`,
        `kubeconfig=${dir}/no-ca.yaml`,
        `in-cluster=${dir}/sa:${server.port}`,
      ],
      cwd: ROOT,
      clearEnv: true,
      env: childEnv({ DENO_CERT: `${dir}/caB.pem`, NODE_EXTRA_CA_CERTS: `${dir}/caB.pem` }),
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 0, stderr);
    const results = new TextDecoder().decode(out.stdout).trim().split("\n").map((l) => JSON.parse(l));
    const [withA, withB, systemRoots, inCluster] = results;
    assert.equal(results.length, 4, stderr);

    assert.equal(withB.ok, true, `control: the kubeconfig naming CA-B connects (${withB.error})`);
    assert.equal(systemRoots.ok, true, `control: CA-B is a default root of the child (${systemRoots.error})`);
    assert.equal(withA.ok, false, "a kubeconfig naming CA-A must not accept a certificate signed by CA-B");
    assert.match(withA.error, /certificate/i);
    assert.equal(inCluster.ok, false, "the service account's ca.crt (CA-A) must not accept CA-B either");
    assert.match(inCluster.error, /certificate/i);
    const tokens = server.seen.map((s) => s.auth);
    assert.ok(tokens.includes("Bearer token-sent-with-ca-b"));
    assert.ok(!tokens.includes("Bearer token-sent-with-ca-a"), "the token never reached the wrong server");
    assert.ok(!tokens.includes("Bearer token-of-the-service-account"));
  } finally {
    await server.close();
    await Deno.remove(dir, { recursive: true });
  }
});
