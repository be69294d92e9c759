/** The kubeconfig that points kubectl and our CLI at the fake API server. */
import { encodeBase64 } from "../../../runtime/base64.ts";
import { stringify } from "yaml";

/** Renders a single-context kubeconfig (CA embedded, bearer token user). */
export function renderKubeconfig(opts: { server: string; caPem?: string; token: string; namespace?: string }): string {
  const cluster: Record<string, unknown> = { server: opts.server };
  if (opts.caPem) cluster["certificate-authority-data"] = encodeBase64(opts.caPem);
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "fake-apiserver", cluster }],
    users: [{ name: "fake-admin", user: { token: opts.token } }],
    contexts: [{
      name: "fake-apiserver",
      context: { cluster: "fake-apiserver", user: "fake-admin", namespace: opts.namespace ?? "default" },
    }],
    "current-context": "fake-apiserver",
    preferences: {},
  });
}
