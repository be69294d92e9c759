/**
 * Gardener error codes (`gardencorev1beta1.ErrorCode`) for `status.lastError.codes[]` and condition codes, and which
 * of them make gardenlet give up (`HasNonRetryableErrorCode`): a non-retryable code fails the Shoot at once instead of
 * retrying for 24 h, so use them only when a retry cannot help.
 */

export const ErrorCode = {
  /** Credentials were rejected (HTTP 401). Non-retryable. */
  InfraUnauthenticated: "ERR_INFRA_UNAUTHENTICATED",
  /** Credentials lack permissions (HTTP 403). Non-retryable. */
  InfraUnauthorized: "ERR_INFRA_UNAUTHORIZED",
  /** A quota is exhausted. Non-retryable. */
  InfraQuotaExceeded: "ERR_INFRA_QUOTA_EXCEEDED",
  /** Rate limited (HTTP 429). Non-retryable in gardenlet although the name suggests otherwise; retry inside first. */
  InfraRateLimitsExceeded: "ERR_INFRA_RATE_LIMITS_EXCEEDED",
  /** Infrastructure dependencies block the operation. Non-retryable. */
  InfraDependencies: "ERR_INFRA_DEPENDENCIES",
  /** Infrastructure dependencies block the operation for now. Retryable. */
  RetryableInfraDependencies: "ERR_RETRYABLE_INFRA_DEPENDENCIES",
  /** The provider is out of the requested resources (e.g. no capacity in the metro). Retryable. */
  InfraResourcesDepleted: "ERR_INFRA_RESOURCES_DEPLETED",
  /** Cleaning up resources in the cluster failed. Retryable. */
  CleanupClusterResources: "ERR_CLEANUP_CLUSTER_RESOURCES",
  /** The user's configuration is wrong (validation errors, unknown reservation). Non-retryable. */
  ConfigurationProblem: "ERR_CONFIGURATION_PROBLEM",
  /** A configuration problem that may resolve itself. Retryable. */
  RetryableConfigurationProblem: "ERR_RETRYABLE_CONFIGURATION_PROBLEM",
  /** A webhook in the shoot blocks requests. Non-retryable. */
  ProblematicWebhook: "ERR_PROBLEMATIC_WEBHOOK",
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** The codes gardenlet treats as non-retryable (pkg/apis/core/v1beta1/helper `HasNonRetryableErrorCode`). */
export const NON_RETRYABLE_ERROR_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  ErrorCode.InfraUnauthenticated,
  ErrorCode.InfraUnauthorized,
  ErrorCode.InfraQuotaExceeded,
  ErrorCode.InfraRateLimitsExceeded,
  ErrorCode.InfraDependencies,
  ErrorCode.ConfigurationProblem,
  ErrorCode.ProblematicWebhook,
]);

/** True if any code would make gardenlet stop retrying the shoot operation. */
export function hasNonRetryableErrorCode(codes: readonly string[] | undefined): boolean {
  return (codes ?? []).some((c) => NON_RETRYABLE_ERROR_CODES.has(c as ErrorCode));
}

/** True if `code` is one of Gardener's known error codes. */
export function isErrorCode(code: string): code is ErrorCode {
  return (Object.values(ErrorCode) as string[]).includes(code);
}
