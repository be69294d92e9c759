/**
 * A real HTTPS admission webhook for tests, with its own generated CA. Behaviour is chosen by the path:
 *   /allow                      allowed, with a warning naming the path
 *   /label?key=k&value=v        allowed, JSONPatch adding metadata.labels[k]=v
 *   /deny?message=m&code=c      denied (status.code c when given)
 *   /hang                       never answers until the test stops the server
 *   /bad-uid                    answers with another uid
 *   /bad-patch                  a JSONPatch that cannot be applied
 *   /patch-without-type         a patch without patchType
 *   /http-500                   answers 500 with a text body
 * Every request is recorded (path and AdmissionReview) so tests can assert what kube-apiserver would send.
 */
import { generateServingCertificates } from "../../../src/runtime/certificates.ts";

export interface ReceivedReview {
  path: string;
  review: { apiVersion: string; kind: string; request: Record<string, unknown> & { uid: string } };
}

export interface TestWebhookServer {
  /** `https://127.0.0.1:<port>` */
  readonly url: string;
  /** base64 of the CA's PEM, as a caBundle. */
  readonly caBundle: string;
  readonly received: ReceivedReview[];
  /** Resolves when a request for `path` arrives (for tests that hang a call). */
  waitFor(path: string): Promise<void>;
  stop(): Promise<void>;
}

function b64(text: string): string {
  return btoa(String.fromCharCode(...new TextEncoder().encode(text)));
}

/** Starts the webhook on 127.0.0.1 with a random port. */
export async function startTestWebhook(): Promise<TestWebhookServer> {
  const certs = await generateServingCertificates();
  const received: ReceivedReview[] = [];
  const waiters: Array<{ path: string; resolve: () => void }> = [];
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));

  const answer = (uid: string, response: Record<string, unknown>) =>
    Response.json({ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", response: { uid, ...response } });

  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    cert: certs.certPem,
    key: certs.keyPem,
    onListen: () => {},
  }, async (req) => {
    const url = new URL(req.url);
    const review = await req.json() as ReceivedReview["review"];
    received.push({ path: url.pathname, review });
    for (const w of waiters.filter((w) => w.path === url.pathname)) w.resolve();
    const uid = review.request.uid;
    const q = url.searchParams;
    switch (url.pathname) {
      case "/allow":
        return answer(uid, { allowed: true, warnings: [`warning from ${url.pathname}`] });
      case "/label": {
        const obj = review.request.object as { metadata?: { labels?: Record<string, string> } };
        const key = (q.get("key") ?? "").replaceAll("~", "~0").replaceAll("/", "~1");
        const ops = obj.metadata?.labels
          ? [{ op: "add", path: `/metadata/labels/${key}`, value: q.get("value") }]
          : [{ op: "add", path: "/metadata/labels", value: { [q.get("key") ?? ""]: q.get("value") } }];
        return answer(uid, { allowed: true, patchType: "JSONPatch", patch: b64(JSON.stringify(ops)) });
      }
      case "/deny": {
        const code = q.get("code");
        return answer(uid, {
          allowed: false,
          status: { message: q.get("message") ?? undefined, ...(code ? { code: Number(code) } : {}) },
        });
      }
      case "/hang":
        await released;
        return answer(uid, { allowed: true });
      case "/bad-uid":
        return answer("not-" + uid, { allowed: true });
      case "/bad-patch":
        return answer(uid, {
          allowed: true,
          patchType: "JSONPatch",
          patch: b64(JSON.stringify([{ op: "remove", path: "/spec/doesNotExist" }])),
        });
      case "/patch-without-type":
        return answer(uid, { allowed: true, patch: b64("[]") });
      case "/http-500":
        return new Response("boom", { status: 500 });
      default:
        return new Response("not found", { status: 404 });
    }
  });
  const addr = server.addr as Deno.NetAddr;
  return {
    url: `https://127.0.0.1:${addr.port}`,
    caBundle: b64(certs.caPem),
    received,
    waitFor: (path) => new Promise<void>((resolve) => waiters.push({ path, resolve })),
    stop: async () => {
      release();
      await server.shutdown();
    },
  };
}
