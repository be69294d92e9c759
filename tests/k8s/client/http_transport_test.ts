/**
 * The transport for servers verified against their own CA: proxies (kubeconfig proxy-url, HTTPS_PROXY/NO_PROXY) through
 * an HTTP CONNECT tunnel with the same exclusive trust and host name check, and streaming bodies that outlive the
 * idle-connection timeout.
 */
import assert from "node:assert/strict";
import type { IncomingMessage, ServerResponse } from "node:http";
import { KubeClient } from "../../../src/k8s/client/client.ts";
import { createTransport } from "../../../src/k8s/client/http_transport.ts";
import { connectionFromKubeconfigText, KubeconfigError } from "../../../src/k8s/client/kubeconfig.ts";
import { proxyFromEnvironment, tunnelProxy } from "../../../src/k8s/client/proxy.ts";
import { CoreV1 } from "../../../src/k8s/api/resources.ts";
import { startConnectProxy } from "../support/connect_proxy.ts";
import { startTestHttps } from "../support/https_server.ts";
import { makeTestPki } from "../support/pki.ts";

Deno.test("proxyFromEnvironment follows Go's HTTPS_PROXY / NO_PROXY rules", () => {
  const p = "http://proxy:3128";
  const pick = (url: string, noProxy?: string, env: Record<string, string> = { HTTPS_PROXY: p }) =>
    proxyFromEnvironment(new URL(url), noProxy === undefined ? env : { ...env, NO_PROXY: noProxy });
  assert.equal(pick("https://api.example.com"), p);
  assert.equal(pick("https://api.example.com", undefined, {}), undefined, "no proxy configured");
  assert.equal(pick("https://api.example.com", undefined, { https_proxy: p }), p, "lower case is read too");
  assert.equal(pick("https://api.example.com", undefined, { HTTP_PROXY: p }), undefined, "HTTP_PROXY is for http");
  for (const loopback of ["https://localhost:6443", "https://127.0.0.1", "https://127.9.9.9", "https://[::1]:6443"]) {
    assert.equal(pick(loopback), undefined, `${loopback} is never proxied`);
  }
  assert.equal(pick("https://api.example.com", "*"), undefined);
  assert.equal(pick("https://api.example.com", "example.com"), undefined, "a domain covers its subdomains");
  assert.equal(pick("https://example.com", "example.com"), undefined, "and itself");
  assert.equal(pick("https://example.com", ".example.com"), p, "a leading dot covers subdomains only");
  assert.equal(pick("https://api.example.com", "*.example.com"), undefined);
  assert.equal(pick("https://badexample.com", "example.com"), p, "suffix matches stop at a dot");
  assert.equal(pick("https://api.example.com:6443", "api.example.com:443"), p, "a port must match");
  assert.equal(pick("https://api.example.com:6443", " other , API.example.com:6443 "), undefined);
  assert.equal(pick("https://10.1.2.3", "10.0.0.0/8"), undefined);
  assert.equal(pick("https://11.1.2.3", "10.0.0.0/8"), p);
  assert.equal(pick("https://10.1.2.3", "10.1.2.3"), undefined);
  assert.equal(pick("https://[fd00::5]", "fd00::/64"), undefined);
  assert.equal(pick("https://[fd01::5]", "fd00::/64"), p);
  assert.equal(pick("https://[fd00::5]:6443", "[fd00::5]:6443"), undefined);
});

Deno.test("only http proxies can carry a tunnel; a bare host:port means http", () => {
  assert.equal((tunnelProxy("proxy.corp:3128") as { url: URL }).url.href, "http://proxy.corp:3128/");
  assert.ok("url" in tunnelProxy("http://u:p@proxy:3128"));
  for (const raw of ["socks5://proxy:1080", "https://proxy:3129"]) {
    const t = tunnelProxy(raw);
    assert.ok("problem" in t && /use an http:\/\/ proxy/.test(t.problem), raw);
  }
});

function kubeconfigText(cluster: Record<string, unknown>): string {
  return JSON.stringify({
    clusters: [{ name: "c", cluster }],
    users: [{ name: "u", user: { token: "t" } }],
    contexts: [{ name: "x", context: { cluster: "c", user: "u" } }],
    "current-context": "x",
  });
}

Deno.test("kubeconfig: a socks5 proxy-url is refused with a CA, naming the field, and kept without one", async () => {
  const pki = await makeTestPki();
  await assert.rejects(
    connectionFromKubeconfigText(
      kubeconfigText({
        server: "https://k:6443",
        "certificate-authority-data": btoa(pki.caPem),
        "proxy-url": "socks5://p:1080",
      }),
      { name: "kc" },
    ),
    (e: unknown) =>
      e instanceof KubeconfigError && /clusters\[0\]\.cluster\.proxy-url: socks5:\/\/ proxies are not/.test(e.message),
  );
  const systemRoots = await connectionFromKubeconfigText(
    kubeconfigText({ server: "https://k:6443", "proxy-url": "socks5://p:1080" }),
    { name: "kc" },
  );
  assert.equal(systemRoots.proxyUrl, "socks5://p:1080");
});

Deno.test("proxy-url: requests tunnel through CONNECT with credentials, keep their connection, and trust the CA alone", async () => {
  const pki = await makeTestPki("alice");
  const other = await makeTestPki("mallory");
  const server = await startTestHttps(pki.server, { clientCa: pki.caPem });
  const proxy = startConnectProxy(server.port, { requireAuthorization: `Basic ${btoa("user:p@ss")}` });
  const proxyUrl = proxy.url.replace("http://", "http://user:p%40ss@");
  const token = () => Promise.resolve("tunnel-token-1");
  const client = new KubeClient({
    server: server.url,
    caPem: pki.caPem,
    clientCertPem: pki.client.certPem,
    clientKeyPem: pki.client.keyPem,
    proxyUrl,
    token,
  });
  const wrongCa = new KubeClient({ server: server.url, caPem: other.caPem, proxyUrl, token });
  const badCredentials = new KubeClient({ server: server.url, caPem: pki.caPem, proxyUrl: proxy.url, token });
  try {
    await client.list(CoreV1.namespaces);
    await client.list(CoreV1.namespaces);
    assert.deepEqual(server.seen.map((s) => s.cn), ["alice", "alice"], "mTLS inside the tunnel");
    assert.equal(server.seen[0].auth, "Bearer tunnel-token-1");
    assert.deepEqual(proxy.connects, [
      { target: `127.0.0.1:${server.port}`, proxyAuthorization: `Basic ${btoa("user:p@ss")}` },
    ], "one tunnel, reused for the second request");

    await assert.rejects(wrongCa.list(CoreV1.namespaces), /certificate/i);
    assert.equal(server.seen.length, 2, "the wrong-CA request never reached the server");

    await assert.rejects(badCredentials.list(CoreV1.namespaces), (e: Error) => {
      assert.match(e.message, /proxy http:\/\/127\.0\.0\.1:\d+ refused CONNECT 127\.0\.0\.1:\d+: HTTP 407/);
      return true;
    });
  } finally {
    client.close();
    wrongCa.close();
    badCredentials.close();
    proxy.close();
    await server.close();
  }
});

Deno.test("through a tunnel the server's name is still checked against its certificate", async () => {
  const pki = await makeTestPki("alice", { dnsNames: ["api.cluster.test"] });
  const server = await startTestHttps(pki.server);
  const proxy = startConnectProxy(server.port);
  const viaEnv = createTransport(
    { server: `https://api.cluster.test:${server.port}`, caPem: pki.caPem },
    { env: { HTTPS_PROXY: proxy.url, NO_PROXY: "localhost,.internal" } },
  );
  const wrongName = createTransport(
    { server: `https://wrong.cluster.test:${server.port}`, caPem: pki.caPem, proxyUrl: proxy.url },
  );
  try {
    const res = await viaEnv.fetch(`https://api.cluster.test:${server.port}/api/v1/namespaces`, {
      method: "GET",
      headers: new Headers(),
    });
    assert.equal(res.status, 200);
    await res.body?.cancel();
    assert.equal(proxy.connects[0].target, `api.cluster.test:${server.port}`, "HTTPS_PROXY was used");

    await assert.rejects(
      wrongName.fetch(`https://wrong.cluster.test:${server.port}/api/v1/namespaces`, {
        method: "GET",
        headers: new Headers(),
      }),
      /wrong\.cluster\.test\. is not in the cert's altnames/,
    );
    assert.equal(server.seen.length, 1, "the request to the wrong name was not sent");
  } finally {
    viaEnv.close();
    wrongName.close();
    proxy.close();
    await server.close();
  }
});

Deno.test("a streaming body that pauses longer than the idle-connection timeout is read to the end", async () => {
  const pki = await makeTestPki();
  let release!: () => void;
  const paused = new Promise<void>((r) => (release = r));
  const server = await startTestHttps(pki.server, {
    handler: (_req: IncomingMessage, res: ServerResponse) => {
      res.setHeader("content-type", "application/json");
      res.write('{"type":"ADDED"}\n');
      paused.then(() => res.end('{"type":"MODIFIED"}\n'));
    },
  });
  const transport = createTransport({ server: server.url, caPem: pki.caPem }, { idleSocketTimeoutMs: 50 });
  try {
    const res = await transport.fetch(`${server.url}/watch`, { method: "GET", headers: new Headers() });
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    assert.equal((await reader.read()).value, '{"type":"ADDED"}\n');
    // Several idle timeouts pass while the response is open; the connection is in use, so it stays.
    await new Promise((r) => setTimeout(r, 300));
    release();
    let rest = "";
    for (let r = await reader.read(); !r.done; r = await reader.read()) rest += r.value;
    assert.equal(rest, '{"type":"MODIFIED"}\n');
  } finally {
    transport.close();
    await server.close();
  }
});

Deno.test("a rotated client certificate (exec plugin) is used for new requests, with the same CA trust", async () => {
  const pki = await makeTestPki("first", { moreClients: ["second"] });
  const server = await startTestHttps(pki.server, { clientCa: pki.caPem });
  let current = pki.client;
  const client = new KubeClient({
    server: server.url,
    caPem: pki.caPem,
    clientCertificate: () => Promise.resolve(current),
  });
  try {
    await client.list(CoreV1.namespaces);
    current = pki.clients.second;
    await client.list(CoreV1.namespaces);
    assert.deepEqual(server.seen.map((s) => s.cn), ["first", "second"]);
  } finally {
    client.close();
    await server.close();
  }
});
