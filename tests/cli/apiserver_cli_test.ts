/** The `apiserver` subcommand: kubeconfig output, plain HTTP, bad flags, graceful stop. */
import assert from "node:assert/strict";
import { parse } from "yaml";
import { cliCommand } from "../../src/playground/components.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

/** Starts `apiserver` with extra args; returns the printed kubeconfig path and a stop function. */
async function start(args: string[]) {
  const child = new Deno.Command(Deno.execPath(), {
    args: cliCommand(["--log-level", "error", "apiserver", ...args]),
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  const reader = child.stdout.getReader();
  const decoder = new TextDecoder();
  let text = "";
  while (!/^kubeconfig: .*$/m.test(text)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`apiserver exited before printing the kubeconfig: ${text}${await stderr}`);
    text += decoder.decode(value, { stream: true });
  }
  const path = /^kubeconfig: (.*)$/m.exec(text)![1];
  return {
    path,
    async stop(): Promise<number> {
      child.kill("SIGTERM");
      const status = await child.status;
      await reader.cancel();
      await stderr;
      return status.code;
    },
  };
}

Deno.test("without --kubeconfig-out a temporary kubeconfig is written; SIGTERM stops the server with exit 0", async () => {
  const server = await start([]);
  try {
    const kc = parse(await Deno.readTextFile(server.path)) as {
      clusters: Array<{ cluster: { server: string; "certificate-authority-data": string } }>;
      users: Array<{ user: { token: string } }>;
    };
    const url = kc.clusters[0].cluster.server;
    assert.match(url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const client = Deno.createHttpClient({ caCerts: [atob(kc.clusters[0].cluster["certificate-authority-data"])] });
    try {
      const res = await fetch(`${url}/api/v1/namespaces/default`, {
        headers: { authorization: `Bearer ${kc.users[0].user.token}` },
        client,
      });
      assert.equal(res.status, 200);
      await res.body?.cancel();
    } finally {
      client.close();
    }
  } finally {
    assert.equal(await server.stop(), 0);
    await Deno.remove(server.path.replace(/\/kubeconfig$/, ""), { recursive: true });
  }
});

Deno.test("--plain-http serves HTTP without authentication", async () => {
  const dir = await Deno.makeTempDir();
  const server = await start(["--plain-http", "--kubeconfig-out", `${dir}/kc`]);
  try {
    assert.equal(server.path, `${dir}/kc`);
    const kc = parse(await Deno.readTextFile(server.path)) as { clusters: Array<{ cluster: { server: string } }> };
    const res = await fetch(`${kc.clusters[0].cluster.server}/api/v1/namespaces`);
    assert.equal(res.status, 200);
    await res.body?.cancel();
  } finally {
    assert.equal(await server.stop(), 0);
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a bad --port is refused with a message naming the flag", async () => {
  const res = await new Deno.Command(Deno.execPath(), {
    args: cliCommand(["apiserver", "--port", "70000"]),
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.notEqual(res.code, 0);
  assert.match(
    new TextDecoder().decode(res.stderr),
    /--port: expected a port number 0-65535, got 70000/,
  );
});
