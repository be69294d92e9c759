/**
 * Names of the machine objects of a Worker. Every Gardener provider names a pool's MachineDeployment per zone
 * `<technicalID>-<pool>-z<n>` (n = zone index + 1); the MachineClass and its Secret are `<deployment>-<pool hash>`, so a
 * change of the hash creates a new class and MCM rolls the machines. Pure.
 *
 * The Go Equinix provider had one MachineDeployment per pool named `<namespace>-<pool>` (no zone suffix). When such a
 * deployment exists, the pool's first zone keeps that name: the switch to this provider is then a rolling update of the
 * deployment's class instead of deleting every node and creating new ones (see docs/decisions.md).
 */

/** `<technicalID>-<pool>-z<zoneIndex + 1>`. */
export function zonalDeploymentName(technicalID: string, pool: string, zoneIndex: number): string {
  return `${technicalID}-${pool}-z${zoneIndex + 1}`;
}

/** The name the Go provider gave the pool's only MachineDeployment. */
export function legacyDeploymentName(namespace: string, pool: string): string {
  return `${namespace}-${pool}`;
}

/** `<deployment>-<hash>`: name of the MachineClass and of its Secret. */
export function machineClassName(deploymentName: string, poolHash: string): string {
  return `${deploymentName}-${poolHash}`;
}

/**
 * The MachineDeployment name for zone `zoneIndex` of a pool: the legacy name for the first zone when a deployment with
 * that name exists and the zonal one does not (an adopted upstream cluster), else the zonal name.
 */
export function deploymentNameFor(
  technicalID: string,
  namespace: string,
  pool: string,
  zoneIndex: number,
  existing: ReadonlySet<string>,
): string {
  const zonal = zonalDeploymentName(technicalID, pool, zoneIndex);
  if (zoneIndex !== 0 || existing.has(zonal)) return zonal;
  const legacy = legacyDeploymentName(namespace, pool);
  return existing.has(legacy) ? legacy : zonal;
}
