import assert from "node:assert/strict";
import { startWebhookServer, type WebhookServer } from "../../../src/extension/webhook/server.ts";
import { generateServingCertificates, type ServingCertificates } from "../../../src/runtime/certificates.ts";
import { decodeBase64Text } from "../../../src/runtime/base64.ts";
import { findProgram, testUnless } from "../../support/needs.ts";
import { configureLogging } from "../../../src/observability/log.ts";
import { controlplaneWebhook, mcmDeployment, reviewBody } from "./webhook_fixtures.ts";

configureLogging({ level: "error" });

async function withServer(
  fn: (server: WebhookServer, certs: ServingCertificates, client: Deno.HttpClient) => Promise<void>,
  opts: { maxBodyBytes?: number; headerTimeoutMs?: number; bodyTimeoutMs?: number } = {},
) {
  const certs = await generateServingCertificates();
  const server = await startWebhookServer({
    host: "127.0.0.1",
    port: 0,
    webhooks: [controlplaneWebhook()],
    certificate: certs,
    ...opts,
  });
  const client = Deno.createHttpClient({ caCerts: [certs.caPem] });
  try {
    await fn(server, certs, client);
  } finally {
    client.close();
    await server.shutdown();
  }
}

function post(server: WebhookServer, client: Deno.HttpClient, path: string, body: string) {
  return fetch(`https://localhost:${server.port}${path}`, {
    method: "POST",
    body,
    headers: { "content-type": "application/json" },
    client,
  });
}

Deno.test("the server answers AdmissionReviews over TLS on the webhook's path", async () => {
  await withServer(async (server, _certs, client) => {
    const res = await post(server, client, "/controlplane", reviewBody(mcmDeployment()));
    assert.equal(res.status, 200);
    const review = await res.json();
    assert.equal(review.response.allowed, true);
    assert.match(decodeBase64Text(review.response.patch), /sidecar/);
  });
});

Deno.test("an unknown path is 404, a GET is 405, a bad body is an AdmissionReview with code 400", async () => {
  await withServer(async (server, _certs, client) => {
    const unknown = await post(server, client, "/nothing", reviewBody(mcmDeployment()));
    assert.equal(unknown.status, 404);
    await unknown.body?.cancel();
    const get = await fetch(`https://localhost:${server.port}/controlplane`, { client });
    assert.equal(get.status, 405);
    await get.body?.cancel();
    const bad = await post(server, client, "/controlplane", "{not json");
    assert.equal(bad.status, 200);
    assert.equal((await bad.json()).response.status.code, 400);
  });
});

Deno.test("a body over the limit is refused with 413 and the server keeps serving", async () => {
  await withServer(async (server, _certs, client) => {
    const huge = reviewBody(mcmDeployment({ annotations: { big: "x".repeat(64 * 1024) } }));
    const res = await post(server, client, "/controlplane", huge).catch((e) => e as Error);
    // The server answers 413 and closes; depending on timing the client sees the answer or the closed connection.
    if (res instanceof Response) {
      assert.equal(res.status, 413);
      await res.body?.cancel();
    }
    const ok = await post(server, client, "/controlplane", reviewBody(mcmDeployment()));
    assert.equal(ok.status, 200);
    await ok.body?.cancel();
  }, { maxBodyBytes: 16 * 1024 });
});

Deno.test("a client that does not finish its headers is disconnected", async () => {
  await withServer(async (server, certs) => {
    const conn = await Deno.connectTls({ hostname: "localhost", port: server.port, caCerts: [certs.caPem] });
    try {
      await conn.write(new TextEncoder().encode("POST /controlplane HTTP/1.1\r\nHost: localhost\r\n"));
      const read = await conn.read(new Uint8Array(1024)).catch(() => null);
      assert.equal(read, null); // closed by the server (EOF or reset), without an answer
    } finally {
      try {
        conn.close();
      } catch { /* already closed */ }
    }
  }, { headerTimeoutMs: 200 });
});

Deno.test("a client that stops sending its body is disconnected, and the server keeps serving", async () => {
  await withServer(async (server, certs, client) => {
    const conn = await Deno.connectTls({ hostname: "localhost", port: server.port, caCerts: [certs.caPem] });
    try {
      await conn.write(
        new TextEncoder().encode(
          'POST /controlplane HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1000\r\n\r\n{"apiVersion"',
        ),
      );
      const read = await conn.read(new Uint8Array(1024)).catch(() => null);
      assert.equal(read, null);
    } finally {
      try {
        conn.close();
      } catch { /* already closed */ }
    }
    const ok = await post(server, client, "/controlplane", reviewBody(mcmDeployment()));
    assert.equal(ok.status, 200);
    await ok.body?.cancel();
  }, { bodyTimeoutMs: 200 });
});

Deno.test("a new certificate is served to new connections while old ones finish", async () => {
  await withServer(async (server, oldCerts, oldClient) => {
    const warm = await post(server, oldClient, "/controlplane", reviewBody(mcmDeployment()));
    await warm.body?.cancel();
    const next = await generateServingCertificates();
    server.setCertificate(next);
    const newClient = Deno.createHttpClient({ caCerts: [next.caPem] });
    const strictOld = Deno.createHttpClient({ caCerts: [oldCerts.caPem] });
    try {
      const res = await post(server, newClient, "/controlplane", reviewBody(mcmDeployment()));
      assert.equal(res.status, 200);
      await res.body?.cancel();
      // A fresh connection that trusts only the old CA fails the handshake now.
      await assert.rejects(post(server, strictOld, "/controlplane", reviewBody(mcmDeployment())));
    } finally {
      newClient.close();
      strictOld.close();
    }
  });
});

testUnless(findProgram("openssl") ? undefined : "openssl is not on PATH", {
  name: "TLS 1.1 handshakes are refused, TLS 1.2 ones accepted",
  fn: async () => {
    await withServer(async (server) => {
      const handshake = async (version: string) => {
        const out = await new Deno.Command("openssl", {
          args: ["s_client", version, "-cipher", "DEFAULT@SECLEVEL=0", "-connect", `127.0.0.1:${server.port}`],
          stdin: "null",
          stdout: "piped",
          stderr: "piped",
        }).output();
        return new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
      };
      // openssl prints "Cipher is (NONE)" when no session was established.
      assert.match(await handshake("-tls1_2"), /Cipher is (?!\(NONE\))/);
      assert.match(await handshake("-tls1_1"), /Cipher is \(NONE\)/);
    });
  },
});
