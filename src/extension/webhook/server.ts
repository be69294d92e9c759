/**
 * The extension's webhooks on the shared webhook server (`src/k8s/webhook/server.ts`): each `Webhook` becomes a route
 * whose AdmissionReviews `reviewAdmission` answers (mutate a copy, JSONPatch against the object as received).
 */
import {
  startWebhookServer as startServer,
  type WebhookRoute,
  type WebhookServer,
  type WebhookServerOptions as ServerOptions,
} from "../../k8s/webhook/server.ts";
import { reviewAdmission } from "./admission.ts";
import type { Webhook } from "./webhook.ts";

export type { ServingPair, WebhookServer } from "../../k8s/webhook/server.ts";

/** How to start the server with the extension's webhooks. */
export type WebhookServerOptions = Omit<ServerOptions, "routes"> & { webhooks: Webhook[] };

/** The route of one mutating webhook. */
export function webhookRoute(webhook: Webhook): WebhookRoute {
  return {
    name: webhook.name,
    path: webhook.path,
    async answer(text, opts) {
      const { review, outcome } = await reviewAdmission(webhook, text, opts);
      return { body: review, outcome };
    },
  };
}

/** Starts the shared webhook server with one route per webhook; resolves once it listens. */
export function startWebhookServer(opts: WebhookServerOptions): Promise<WebhookServer> {
  const { webhooks, ...rest } = opts;
  return startServer({ ...rest, routes: webhooks.map(webhookRoute) });
}
