/** A CMI client for tests: connect's gRPC transport over TCP or a unix socket, closed explicitly. */
import * as net from "node:net";
import { type Client, createClient } from "@connectrpc/connect";
import { createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
import { parseEndpoint } from "../../../src/mcm/cmi/endpoint.ts";
import { Identity, Machine } from "../../../src/mcm/cmi/gen/cmi_pb.ts";

export interface CmiClient {
  identity: Client<typeof Identity>;
  machine: Client<typeof Machine>;
  close(): void;
}

/** Connects to a CMI endpoint (`tcp://host:port` or `unix:///path`). */
export function connectCmi(endpoint: string): CmiClient {
  const ep = parseEndpoint(endpoint);
  const baseUrl = ep.kind === "tcp"
    ? `http://${ep.host.includes(":") ? `[${ep.host}]` : ep.host}:${ep.port}`
    : "http://localhost";
  const nodeOptions = ep.kind === "unix" ? { createConnection: () => net.connect(ep.path) } : {};
  const sessionManager = new Http2SessionManager(baseUrl, {}, nodeOptions);
  const transport = createGrpcTransport({ baseUrl, sessionManager });
  return {
    identity: createClient(Identity, transport),
    machine: createClient(Machine, transport),
    close: () => sessionManager.abort(),
  };
}
