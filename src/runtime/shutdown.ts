/** Graceful shutdown: SIGTERM/SIGINT abort a signal; a second signal exits at once. */
import type { Logger } from "../observability/log.ts";

/** Returns a signal that aborts on the first SIGTERM or SIGINT; the second one terminates the process. */
export function shutdownSignal(log?: Logger): AbortSignal {
  const controller = new AbortController();
  const onSignal = (name: string) => () => {
    if (controller.signal.aborted) {
      log?.error("Received second signal, exiting immediately", { signal: name });
      Deno.exit(1);
    }
    log?.info("Received signal, shutting down gracefully", { signal: name });
    controller.abort(new DOMException(`received ${name}`, "AbortError"));
  };
  for (const sig of ["SIGTERM", "SIGINT"] as const) {
    try {
      Deno.addSignalListener(sig, onSignal(sig));
    } catch {
      // signals are not available on every platform; the process then stops only when killed
    }
  }
  return controller.signal;
}

/** Resolves when the signal aborts. */
export function aborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
}

/** Runs `work` but gives up waiting after `deadlineMs`, reporting whether it finished in time. */
export async function withDeadline(work: Promise<unknown>, deadlineMs: number): Promise<boolean> {
  let timer: number | undefined;
  const timeout = new Promise<false>((
    resolve,
  ) => (timer = setTimeout(() => resolve(false), deadlineMs) as unknown as number));
  try {
    return await Promise.race([work.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
