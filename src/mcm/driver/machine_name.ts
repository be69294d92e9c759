/**
 * Machine names become device hostnames. Any valid Kubernetes node name is accepted (a DNS-1123 subdomain), with
 * each dot-separated label at most 63 characters as hostnames require. Upstream allowed only `^[-a-z0-9]+$` and so
 * rejected valid names containing dots; such machines crash-looped until they failed.
 */

const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const MAX_NAME = 253;
const MAX_LABEL = 63;

/** Problems with a machine name as a device hostname; empty when valid. */
export function machineNameProblems(name: string): string[] {
  if (name === "") return ["name must not be blank"];
  const problems: string[] = [];
  if (name.length > MAX_NAME) problems.push(`name was length ${name.length}, more than the maximum ${MAX_NAME}`);
  for (const label of name.split(".")) {
    if (!LABEL.test(label)) {
      problems.push(
        `name must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an ` +
          `alphanumeric character (got ${JSON.stringify(name)})`,
      );
      break;
    }
    if (label.length > MAX_LABEL) {
      problems.push(`name has a part of length ${label.length}, more than the maximum ${MAX_LABEL}`);
      break;
    }
  }
  return problems;
}
