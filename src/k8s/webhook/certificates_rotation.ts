/**
 * The leader's certificate loop of a webhook server: reconciles the managed certificates (and, through their bundle
 * publishers, the webhook registration) at start and then every interval, with a forced check first; a failure is
 * logged and retried sooner. Shared by the extension's and the admission's webhook servers.
 */
import type { Clock } from "../../runtime/clock.ts";
import type { Logger } from "../../observability/log.ts";
import type { Runnable } from "../controller/manager.ts";
import type { WebhookCertificates } from "./certificates_reconcile.ts";

/** Wait after a failed round. */
export const ROTATION_RETRY_MS = 10_000;

/** How the rotation loop runs. */
export interface CertificateRotationOptions {
  clock: Clock;
  log: Logger;
  /** Wait between successful rounds. */
  intervalMs: number;
  /** Runs after each successful reconcile (e.g. the server picks up a renewed certificate); its errors retry too. */
  afterReconcile?: (signal: AbortSignal) => Promise<void>;
}

/** The runnable that keeps `certificates` current until its signal aborts. */
export function certificateRotation(certificates: WebhookCertificates, opts: CertificateRotationOptions): Runnable {
  const { clock, log, intervalMs, afterReconcile } = opts;
  return {
    async start(signal) {
      let force = true;
      while (!signal.aborted) {
        let failed = false;
        try {
          await certificates.reconcile(signal, force);
          force = false;
          await afterReconcile?.(signal);
        } catch (e) {
          if (signal.aborted) break;
          failed = true;
          log.error("Webhook certificates or registration failed; retrying", {
            error: e instanceof Error ? e.message : String(e),
          });
        }
        await clock.sleep(failed ? ROTATION_RETRY_MS : intervalMs, signal).catch(() => {});
      }
    },
  };
}
