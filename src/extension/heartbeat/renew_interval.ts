/** Default of `--heartbeat-renew-interval-seconds`. */
export const DEFAULT_RENEW_INTERVAL_SECONDS = 30;
