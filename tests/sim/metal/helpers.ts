/** Shared helpers of the simulator tests: a simulator on a FakeClock and a raw JSON client over its in-process fetch. */
import { FakeClock } from "../../../src/runtime/clock.ts";
import { IN_PROCESS_BASE_URL, MetalSimulator, type MetalSimulatorOptions } from "../../../src/sim/metal/mod.ts";

/** A parsed JSON response body; tests assert on it field by field. */
// deno-lint-ignore no-explicit-any -- arbitrary JSON from the API under test
export type Json = any;

/** One answer of the simulated API. */
export interface Reply {
  status: number;
  headers: Headers;
  body: Json;
}

/** A raw client: method, path below /metal/v1, optional JSON body, a token (default: the simulator's). */
export interface RawApi {
  get(path: string, token?: string): Promise<Reply>;
  post(path: string, body?: unknown, token?: string): Promise<Reply>;
  put(path: string, body?: unknown, token?: string): Promise<Reply>;
  patch(path: string, body?: unknown, token?: string): Promise<Reply>;
  del(path: string, body?: unknown, token?: string): Promise<Reply>;
  request(method: string, path: string, opts?: { body?: string; token?: string | null }): Promise<Reply>;
}

/** A raw JSON client over a fetch function (the simulator's in-process fetch by default). */
export function rawApi(sim: MetalSimulator, doFetch: typeof fetch = sim.fetch, base = IN_PROCESS_BASE_URL): RawApi {
  const request = async (method: string, path: string, opts: { body?: string; token?: string | null } = {}) => {
    const headers: Record<string, string> = { Accept: "application/json" };
    const token = opts.token === undefined ? sim.defaultToken : opts.token;
    if (token !== null) headers["X-Auth-Token"] = token;
    if (opts.body !== undefined) headers["Content-Type"] = "application/json";
    const res = await doFetch(`${base}${path}`, { method, headers, body: opts.body });
    const text = await res.text();
    let body: Json = undefined;
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    return { status: res.status, headers: res.headers, body };
  };
  const withBody = (method: string) => (path: string, body?: unknown, token?: string) =>
    request(method, path, { body: body === undefined ? undefined : JSON.stringify(body), token });
  return {
    get: (path, token) => request("GET", path, { token }),
    post: withBody("POST"),
    put: withBody("PUT"),
    patch: withBody("PATCH"),
    del: withBody("DELETE"),
    request,
  };
}

/** A simulator on a FakeClock with reproducible ids, and a raw client for it. */
export function setup(opts: MetalSimulatorOptions = {}): { sim: MetalSimulator; clock: FakeClock; api: RawApi } {
  const clock = new FakeClock();
  const sim = new MetalSimulator({ clock, randomSeed: 20261121, ...opts });
  return { sim, clock, api: rawApi(sim) };
}

/** The body of a typical Gardener worker create (what the MCM driver sends). */
export function workerBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    metro: "ny",
    plan: "c3.small.x86",
    operating_system: "flatcar_stable",
    hostname: "shoot--dev--c1-worker-z1-7d9f8-abcde",
    billing_cycle: "hourly",
    userdata: "#!/bin/bash\necho secret-bootstrap-token-abcdef",
    tags: ["kubernetes.io/cluster/shoot--dev--c1", "kubernetes.io/role/node"],
    ...overrides,
  };
}

/** Creates a device in the default project and returns its body (asserting 201). */
export async function createDevice(api: RawApi, projectId: string, overrides: Record<string, unknown> = {}) {
  const r = await api.post(`/projects/${projectId}/devices`, workerBody(overrides));
  if (r.status !== 201) throw new Error(`create failed: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

/** Two SSH public keys with fingerprints computed by `ssh-keygen -l -E md5` (independent oracle). */
export const KEYS = {
  ed25519: {
    key: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIhNtA2V3BKYIh1KcKlBOngqfbeOupN0CNCUPGRNiAXj test@example",
    fingerprint: "ea:08:c0:40:96:41:03:f9:6a:49:dd:e4:66:22:72:dc",
  },
  rsa: {
    key:
      "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQDugHe/AWNpXkOIOc5CnWrMHNGHdlJnf2RASCcdiH3YQuwyxOV6r2i5kHMV3L/glPRxFLuBkKLVDKH0doMlnjL2YQJfwM/QVVqCYKf6JNxgbFQRd8cFX0CYjvNmomFSDOsGaPKzMXONg6U3PsCMzkwT72Eno7l3QONS6vYqcIdwV/rWnnA77gr651ytzdVICSRbbkXoe7KKnKchBByeGEH9j3TUxBJJLdKDpf43JXN0eiLBDS3BlqSeKqYLN4WYvfyG40J3OGd42LPNIb/LSc6PRgoslFcj1U+chHse29TFzOZu+6rXgnNAc6U5wGBvc5B3PXwQqKvb16nYkS9zdyOh rsa@example",
    fingerprint: "9f:84:e5:02:a9:c9:0b:e5:db:6d:29:43:49:3d:8e:e0",
  },
};
