/**
 * CONTRACT STUB (implemented by the k8s-runtime work): how to reach one API server. Loaded from a kubeconfig file
 * (token, tokenFile, client certificates, exec credential plugins, CA data/file, insecure-skip-tls-verify; the
 * KUBECONFIG variable and --kubeconfig) or from the in-cluster service account (token re-read when it rotates).
 */

/** Everything the client needs to talk to one API server. */
export interface ClusterConnection {
  /** Base URL, e.g. `https://127.0.0.1:6443`. */
  server: string;
  /** PEM CA bundle to trust (absent: system roots). */
  caPem?: string;
  /** PEM client certificate and key for mTLS. */
  clientCertPem?: string;
  clientKeyPem?: string;
  insecureSkipTlsVerify?: boolean;
  /** Returns the current bearer token (re-read or refreshed as needed); undefined for none. */
  token?: () => Promise<string | undefined>;
  /** Default namespace from the context or the in-cluster namespace file. */
  namespace?: string;
}

export interface LoadKubeconfigOptions {
  /** Explicit path (a --kubeconfig flag). Otherwise KUBECONFIG, then ~/.kube/config, then in-cluster. */
  path?: string;
  context?: string;
}

/** Resolves a connection from flags, environment and files, as kubectl and controller-runtime do. */
export function loadConnection(_opts: LoadKubeconfigOptions = {}): Promise<ClusterConnection> {
  throw new Error("not implemented yet: src/k8s/kubeconfig.ts");
}

/** The in-cluster connection from KUBERNETES_SERVICE_HOST/PORT and the service account files. */
export function inClusterConnection(
  _root = "/var/run/secrets/kubernetes.io/serviceaccount",
): Promise<ClusterConnection> {
  throw new Error("not implemented yet: src/k8s/kubeconfig.ts");
}
