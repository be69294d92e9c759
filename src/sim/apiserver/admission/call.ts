/**
 * One HTTPS POST of an AdmissionReview to a webhook: the address from `clientConfig.url` or a resolved service
 * reference, `?timeout=<n>s` appended as kube-apiserver does, the server certificate verified against `caBundle`
 * (base64 PEM) alone when given (the Kubernetes client's transport) or the system roots otherwise, and the whole
 * exchange (connect, send, read the answer) bounded by `timeoutSeconds` on the given clock so a call never hangs.
 */
import { decodeBase64Text } from "../../../runtime/base64.ts";
import { createTransport, type Transport } from "../../../k8s/client/http_transport.ts";
import type { Clock } from "../../../runtime/clock.ts";
import { readTextLimited } from "../../../runtime/http_body.ts";
import type { Webhook } from "./config.ts";

/** Largest answer read from a webhook (kube limits responses to a few MB as well). */
const MAX_RESPONSE_BYTES = 3 * 1024 * 1024;

/** Resolves a service reference to a base URL such as `https://127.0.0.1:8443`, or undefined if unknown. */
export type ServiceResolver = (namespace: string, name: string, port: number) => string | undefined;

/** A failed call: kube reports it as `failed calling webhook "<name>": <message>`. */
export class WebhookCallError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WebhookCallError";
  }
}

/** The URL kube posts to, or an error explaining why there is none. */
export function webhookUrl(webhook: Webhook, resolveService?: ServiceResolver): string {
  const cc = webhook.clientConfig;
  const timeout = `timeout=${webhook.timeoutSeconds}s`;
  if (cc.url) return cc.url + (cc.url.includes("?") ? "&" : "?") + timeout;
  const svc = cc.service;
  if (!svc) throw new WebhookCallError("failed to call webhook: clientConfig has neither url nor service");
  const nominal = `https://${svc.name}.${svc.namespace}.svc:${svc.port}${svc.path ?? ""}?${timeout}`;
  const base = resolveService?.(svc.namespace, svc.name, svc.port);
  if (!base) throw new WebhookCallError(`failed to call webhook: Post "${nominal}": service "${svc.name}" not found`);
  return `${base.replace(/\/+$/, "")}${svc.path ?? ""}?${timeout}`;
}

function decodeCaBundle(caBundle: string): string {
  try {
    return decodeBase64Text(caBundle);
  } catch {
    throw new WebhookCallError("failed to call webhook: clientConfig.caBundle is not valid base64");
  }
}

/** POSTs the review and returns the decoded JSON answer; throws WebhookCallError on any failure or timeout. */
export async function postAdmissionReview(
  webhook: Webhook,
  review: unknown,
  clock: Clock,
  resolveService?: ServiceResolver,
): Promise<unknown> {
  const url = webhookUrl(webhook, resolveService);
  const caBundle = webhook.clientConfig.caBundle;
  const caPem = caBundle ? decodeCaBundle(caBundle) : undefined;
  if (caPem !== undefined && !/-----BEGIN CERTIFICATE-----/.test(caPem)) {
    throw new WebhookCallError("failed to call webhook: invalid clientConfig.caBundle: no PEM certificate");
  }
  let transport: Transport;
  try {
    transport = createTransport({ server: new URL(url).origin, caPem });
  } catch (e) {
    throw new WebhookCallError(`failed to call webhook: Post "${url}": ${errorText(e)}`);
  }
  const controller = new AbortController();
  const timer = clock.setTimeout(() => controller.abort(), webhook.timeoutSeconds * 1000);
  try {
    const res = await transport.fetch(url, {
      method: "POST",
      headers: new Headers({ "content-type": "application/json", accept: "application/json" }),
      body: JSON.stringify(review),
      signal: controller.signal,
    });
    const text = await readTextLimited(res, MAX_RESPONSE_BYTES);
    if (res.status < 200 || res.status > 299) {
      throw new Error(`the server responded with status ${res.status}: ${text.slice(0, 200)}`);
    }
    try {
      return JSON.parse(text);
    } catch {
      throw new Error("the server returned a body that is not JSON");
    }
  } catch (e) {
    const reason = controller.signal.aborted ? "context deadline exceeded" : errorText(e);
    throw new WebhookCallError(`failed to call webhook: Post "${url}": ${reason}`);
  } finally {
    clock.clearTimeout(timer);
    transport.close();
  }
}

/** The message of an error and of its causes (fetch puts the useful part, e.g. the TLS failure, in `cause`). */
function errorText(e: unknown): string {
  const parts: string[] = [];
  for (let cur: unknown = e, depth = 0; cur !== undefined && cur !== null && depth < 4; depth++) {
    const text = cur instanceof Error ? cur.message : String(cur);
    if (text && !parts.some((p) => p.includes(text))) parts.push(text);
    cur = cur instanceof Error ? cur.cause : undefined;
  }
  return parts.join(": ");
}
