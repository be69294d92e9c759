/**
 * Errors the simulated API answers with. Texts seen from the real API are kept verbatim (clients string-match them);
 * the others are marked and follow the real API's style. Handlers throw `ApiError`; the router renders it.
 */

/** An error response: status plus the API's body shape (`{"error"}` for 401, `{"errors":[...]}` otherwise). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly messages: readonly string[],
    readonly shape: "error" | "errors" = "errors",
    readonly headers: Record<string, string> = {},
  ) {
    super(messages.join("; "));
    this.name = "ApiError";
  }

  /** The JSON body of the response. */
  body(): Record<string, unknown> {
    return this.shape === "error" ? { error: this.messages[0] } : { errors: [...this.messages] };
  }
}

/** Verbatim texts of the real API. */
export const TEXT = {
  invalidToken: "Invalid authentication token",
  notFound: "Not found",
  ohSnap:
    "Oh snap, something went wrong! We've logged the error and will take a look - please reach out to us if you continue having trouble.",
  noMetroCapacity: "There aren't available servers in that metro",
  noReservations: "There are no available hardware reservations for selected plan and facility",
  lockedItem: "Cannot delete a locked item",
  facilityBlank: "Facility can't be blank",
  insufficientPublicIpv4:
    "The specified project contains insufficient public IPv4 space to complete the request. Please e-mail support@equinixmetal.com.",
  bgpNotEnabled: "BGP is not enabled",
  notProvisionable: "Server is not provisionable",
} as const;

/** `You are not authorized to view this <kind>` (403; verbatim for devices). */
export function forbidden(kind: string): ApiError {
  return new ApiError(403, [`You are not authorized to view this ${kind}`]);
}

/** 404 `{"errors":["Not found"]}`. */
export function notFound(): ApiError {
  return new ApiError(404, [TEXT.notFound]);
}

/** 401 `{"error":"Invalid authentication token"}`. */
export function unauthenticated(): ApiError {
  return new ApiError(401, [TEXT.invalidToken], "error");
}

/** 422 with one or more messages. */
export function unprocessable(...messages: string[]): ApiError {
  return new ApiError(422, messages);
}

/** `<value> is not a valid <kind>` (verbatim pattern: metro, facility, plan, operating system, hardware reservation). */
export function notValid(value: string, kind: string): ApiError {
  return unprocessable(`${value} is not a valid ${kind}`);
}

/** `The facility <f> has no provisionable <plan> servers matching your criteria` (verbatim pattern). */
export function noFacilityCapacity(facility: string, plan: string): ApiError {
  return unprocessable(`The facility ${facility} has no provisionable ${plan} servers matching your criteria`);
}

/** The real API's answer to `facility` from an organisation created after the 2023 deprecation (verbatim). */
export function facilityNotSupported(orgId: string): ApiError {
  return unprocessable(
    `The 'facility' parameter is not supported for organization ${orgId}.\n` +
      "For more details, see https://feedback.equinixmetal.com/changelog/bye-facilities-hello-again-metros",
  );
}

/** `Address family already has session with ipv4` (verbatim; clients match "already has session"). */
export function bgpSessionExists(family: string): ApiError {
  return unprocessable(`Address family already has session with ${family}`);
}
