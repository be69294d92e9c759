/**
 * Least privilege per command: each production command runs as the binary does (`deno run -P --no-prompt`, the
 * permission set of deno.json) with a probe preloaded that, when the process exits, tries one operation of every
 * permission kind (tests/cli/fixtures/permission_probe.ts). What the command gave up must be refused.
 */
import assert from "node:assert/strict";
import { cliCommand } from "../../src/playground/components.ts";
import { startApiServer } from "../../src/sim/apiserver/mod.ts";
import { GARDEN_CRD_GROUP, loadCrds } from "../../src/playground/crds.ts";
import { MetalSimulator } from "../../src/sim/metal/mod.ts";
import { eventually } from "../support/eventually.ts";
import { generateServingCertificates } from "../../src/runtime/certificates.ts";
import { KubeClient } from "../../src/k8s/client/client.ts";
import { AdmissionregistrationV1 } from "../../src/k8s/api/resources.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const PROBE = `${ROOT}tests/cli/fixtures/permission_probe.ts`;
const DENIED = "NotCapable";

type Outcome = Record<"read" | "write" | "run" | "env" | "sys" | "net", string>;

/**
 * Starts a command with the probe preloaded; `stop` sends SIGTERM (unless `terminate` is false: the command ends by
 * itself) and returns the probe's outcome.
 */
function start(args: string[], env: Record<string, string> = {}) {
  const [run, ...rest] = cliCommand(args);
  const child = new Deno.Command(Deno.execPath(), {
    args: [run, "--preload", PROBE, ...rest],
    cwd: ROOT,
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let stdout = "";
  const reading = (async () => {
    for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) stdout += chunk;
  })();
  const stderr = new Response(child.stderr).text();
  return {
    /** Waits until the command printed a line matching `re` on stdout. */
    async printed(re: RegExp): Promise<void> {
      await eventually(() => re.test(stdout), { timeoutMs: 30_000, description: `stdout ${re}` });
    },
    async stop(terminate = true): Promise<{ code: number; outcome: Outcome; stderr: string; stdout: string }> {
      if (terminate) {
        try {
          child.kill("SIGTERM");
        } catch {
          // already exited
        }
      }
      const status = await child.status;
      await reading;
      const err = await stderr;
      const line = err.split("\n").find((l) => l.startsWith("PERMISSION-PROBE "));
      assert.ok(line, `no probe line; stderr: ${err.slice(-2000)}`);
      return { code: status.code, outcome: JSON.parse(line.slice("PERMISSION-PROBE ".length)), stderr: err, stdout };
    },
  };
}

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

async function ready(url: string): Promise<void> {
  await eventually(async () => (await (await fetch(url).catch(() => undefined))?.text())?.startsWith("ok"), {
    timeoutMs: 30_000,
    description: url,
  });
}

Deno.test("version gives up every permission", async () => {
  const r = await start(["version"]).stop(false);
  assert.equal(r.code, 0);
  assert.deepEqual(r.outcome, { read: DENIED, write: DENIED, run: DENIED, env: DENIED, sys: DENIED, net: DENIED });
});

for (const transport of ["tcp", "unix"] as const) {
  Deno.test(`cmi over ${transport} keeps only the network${transport === "unix" ? " and writing its socket" : ""}`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "cmi-perm-" });
    const listen = transport === "tcp" ? "tcp://127.0.0.1:0" : `unix://${dir}/cmi.sock`;
    const proc = start(["cmi", "--listen", listen, "--metal-api-url", "http://127.0.0.1:1/metal/v1"]);
    try {
      // The probe runs at exit, after the last revocation (cmi gives up read once it listens).
      await proc.printed(/^listening: /m);
    } finally {
      const r = await proc.stop();
      assert.equal(r.code, 0, r.stderr.slice(-2000));
      assert.deepEqual(r.outcome, {
        read: DENIED,
        write: transport === "unix" ? "allowed" : DENIED,
        run: DENIED,
        env: DENIED,
        sys: DENIED,
        net: "allowed",
      });
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("machine-controller keeps read, net, env and sys; no writing files, no programs without an exec plugin", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mc-perm-" });
  const control = await startApiServer({ namespaces: ["default", "kube-system"] });
  const target = await startApiServer();
  const sim = new MetalSimulator({ randomSeed: 5 });
  const metal = await sim.serve();
  try {
    await control.installCrds(loadCrds({ groups: ["machine"] }));
    await control.writeKubeconfig(`${dir}/control`);
    await target.writeKubeconfig(`${dir}/target`);
    const port = freePort();
    const proc = start([
      "--log-level=error",
      "machine-controller",
      `--control-kubeconfig=${dir}/control`,
      `--target-kubeconfig=${dir}/target`,
      `--port=${port}`,
      "--address=127.0.0.1",
      "--leader-elect=false",
      `--metal-api-url=${metal.url}`,
    ]);
    await ready(`http://127.0.0.1:${port}/readyz`).finally(async () => {
      const r = await proc.stop();
      assert.equal(r.code, 0, r.stderr.slice(-2000));
      assert.deepEqual(r.outcome, {
        read: "allowed",
        write: DENIED,
        run: DENIED,
        env: "allowed",
        sys: "allowed",
        net: "allowed",
      });
    });
  } finally {
    sim.close();
    await metal.stop();
    await control.stop();
    await target.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

/** A kubeconfig whose credentials come from an exec plugin (a shell script printing the server's bearer token). */
async function execKubeconfig(dir: string, server: string, caPem: string, token: string): Promise<string> {
  const plugin = `${dir}/credential-plugin`;
  const credential = JSON.stringify({
    apiVersion: "client.authentication.k8s.io/v1",
    kind: "ExecCredential",
    status: { token },
  });
  await Deno.writeTextFile(plugin, `#!/bin/sh\necho '${credential}'\n`, { mode: 0o755 });
  const kubeconfig = {
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "seed", cluster: { server, "certificate-authority-data": btoa(caPem) } }],
    users: [{
      name: "plugin",
      user: { exec: { apiVersion: "client.authentication.k8s.io/v1", command: plugin, interactiveMode: "Never" } },
    }],
    contexts: [{ name: "seed", context: { cluster: "seed", user: "plugin" } }],
    "current-context": "seed",
  };
  await Deno.writeTextFile(`${dir}/kubeconfig`, JSON.stringify(kubeconfig));
  return `${dir}/kubeconfig`;
}

for (const credentials of ["token", "exec plugin"] as const) {
  Deno.test(`extension with a ${credentials} kubeconfig keeps read, net, env and sys; run only for a plugin`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "extension-perm-" });
    const api = await startApiServer({ namespaces: ["default", "kube-system", "garden"] });
    try {
      await api.installCrds(loadCrds({ groups: ["gardener"] }));
      let kubeconfig = `${dir}/kubeconfig`;
      await api.writeKubeconfig(kubeconfig);
      if (credentials === "exec plugin") {
        const conn = api.connection();
        kubeconfig = await execKubeconfig(dir, conn.server, conn.caPem!, (await conn.token!())!);
      }
      const health = freePort();
      const proc = start([
        "--log-level=error",
        "extension",
        `--kubeconfig=${kubeconfig}`,
        "--leader-election=false",
        "--metrics-bind-address=0",
        `--health-bind-address=127.0.0.1:${health}`,
        "--heartbeat-namespace=default",
        // The webhook server writes its certificate directory (tests/extension/webhook); here nothing is written.
        "--disable-webhooks=*",
      ]);
      await ready(`http://127.0.0.1:${health}/readyz`).finally(async () => {
        const r = await proc.stop();
        assert.equal(r.code, 0, r.stderr.slice(-2000));
        assert.deepEqual(r.outcome, {
          read: "allowed",
          write: DENIED,
          run: credentials === "exec plugin" ? "allowed" : DENIED,
          env: "allowed",
          sys: "allowed",
          net: "allowed",
        });
      });
    } finally {
      await api.stop();
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("admission keeps read, net, env and sys; registers its webhooks in the garden of GARDEN_KUBECONFIG", async () => {
  const dir = await Deno.makeTempDir({ prefix: "admission-perm-" });
  const garden = await startApiServer({ namespaces: ["default", "garden"] });
  try {
    await garden.installCrds(loadCrds({ groups: [GARDEN_CRD_GROUP] }));
    await garden.writeKubeconfig(`${dir}/kubeconfig`);
    const certs = await generateServingCertificates();
    await Deno.mkdir(`${dir}/certs`);
    await Deno.writeTextFile(`${dir}/certs/tls.crt`, certs.certPem);
    await Deno.writeTextFile(`${dir}/certs/tls.key`, certs.keyPem);
    await Deno.writeTextFile(`${dir}/certs/ca.crt`, certs.caPem);
    const health = freePort();
    const proc = start([
      "--log-level=error",
      "admission",
      "--webhook-config-server-address=127.0.0.1:0",
      `--webhook-config-cert-dir=${dir}/certs`,
      "--leader-election-namespace=garden",
      "--metrics-bind-address=0",
      `--health-bind-address=127.0.0.1:${health}`,
    ], { GARDEN_KUBECONFIG: `${dir}/kubeconfig` });
    await ready(`http://127.0.0.1:${health}/readyz`).finally(async () => {
      using client = new KubeClient(garden.connection());
      await eventually(
        async () =>
          (await client.get(
            AdmissionregistrationV1.validatingWebhookConfigurations,
            "gardener-extension-admission-equinixmetal",
          ).catch(() => undefined)) !== undefined,
        { timeoutMs: 30_000, description: "the ValidatingWebhookConfiguration" },
      ).catch(() => {});
      const registered = await client.get(
        AdmissionregistrationV1.validatingWebhookConfigurations,
        "gardener-extension-admission-equinixmetal",
      ).catch(() => undefined);
      const r = await proc.stop();
      assert.equal(r.code, 0, r.stderr.slice(-2000));
      assert.ok(registered, "the admission registered its ValidatingWebhookConfiguration");
      assert.deepEqual(r.outcome, {
        read: "allowed",
        write: DENIED,
        run: DENIED,
        env: "allowed",
        sys: "allowed",
        net: "allowed",
      });
    });
  } finally {
    await garden.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
