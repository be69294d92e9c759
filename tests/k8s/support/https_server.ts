/** A `node:https` server for TLS tests: serves an empty NamespaceList and records who asked (client CN, token). */
import https from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { CertAndKey } from "./pki.ts";

/** What the server saw of one request. */
export interface SeenRequest {
  /** CN of a verified client certificate. */
  cn?: string;
  auth?: string;
  path?: string;
}

/** A running test server. */
export interface TestHttpsServer {
  url: string;
  port: number;
  seen: SeenRequest[];
  close: () => Promise<void>;
}

/**
 * Starts a server with `server`'s certificate; with `clientCa`, client certificates are requested and those signed
 * by that CA are reported by CN.
 */
export async function startTestHttps(
  server: CertAndKey,
  opts: { clientCa?: string; handler?: (req: IncomingMessage, res: ServerResponse) => void } = {},
): Promise<TestHttpsServer> {
  const seen: SeenRequest[] = [];
  const srv = https.createServer(
    {
      cert: server.certPem,
      key: server.keyPem,
      ca: opts.clientCa,
      requestCert: opts.clientCa !== undefined,
      rejectUnauthorized: false,
    },
    (req: IncomingMessage, res: ServerResponse) => {
      const socket = req.socket as unknown as {
        authorized?: boolean;
        getPeerCertificate?: () => { subject?: { CN?: string } };
      };
      seen.push({
        cn: socket.authorized ? socket.getPeerCertificate?.()?.subject?.CN : undefined,
        auth: req.headers.authorization,
        path: req.url,
      });
      if (opts.handler) return opts.handler(req, res);
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ kind: "NamespaceList", metadata: { resourceVersion: "1" }, items: [] }));
    },
  );
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", () => r()));
  const port = (srv.address() as { port: number }).port;
  return {
    url: `https://127.0.0.1:${port}`,
    port,
    seen,
    close: () => new Promise<void>((r) => srv.close(() => r())),
  };
}
