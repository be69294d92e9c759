/** Questions controllers ask about the Shoot embedded in a Cluster. */
import { ANNOTATION_FORCE_DELETION } from "../extensions/constants.ts";
import { LastOperationState, type Shoot } from "./v1beta1.ts";

/** Go's `strconv.ParseBool`: the accepted spellings of true and false; anything else is `undefined`. */
export function parseGoBool(text: string | undefined): boolean | undefined {
  switch (text) {
    case "1":
    case "t":
    case "T":
    case "TRUE":
    case "true":
    case "True":
      return true;
    case "0":
    case "f":
    case "F":
    case "FALSE":
    case "false":
    case "False":
      return false;
    default:
      return undefined;
  }
}

/** True if the shoot's spec asks for hibernation. */
export function isHibernationEnabled(shoot: Shoot): boolean {
  return shoot.spec.hibernation?.enabled === true;
}

/** True if the shoot's last operation failed: extensions must then leave it alone until the user retries. */
export function isShootFailed(shoot: Shoot): boolean {
  return shoot.status?.lastOperation?.state === LastOperationState.Failed;
}

/** True if the shoot carries `confirmation.gardener.cloud/force-deletion` with a true boolean value. */
export function isForceDeletionRequested(shoot: Shoot): boolean {
  return parseGoBool(shoot.metadata?.annotations?.[ANNOTATION_FORCE_DELETION]) === true;
}

/** The shoot's technical ID (seed namespace and name prefix), e.g. `shoot--project--name`. */
export function technicalIDOf(shoot: Shoot): string | undefined {
  return shoot.status?.technicalID;
}

/** True if node-local-dns is enabled in the shoot spec. */
export function isNodeLocalDNSEnabled(shoot: Shoot): boolean {
  return shoot.spec.systemComponents?.nodeLocalDNS?.enabled === true;
}
