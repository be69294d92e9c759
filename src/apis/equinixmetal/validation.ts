/**
 * Semantic validation of the provider API kinds (after decoding), returning field errors with full paths.
 *
 * Differences from upstream's only validator (`ValidateCloudProfileConfig`, which nothing called): an image version
 * may be iPXE-only (upstream required `id`, which contradicted its own docs), `id` and `ipxeScriptUrl` together are
 * rejected, URLs must be http(s), duplicates are rejected; WorkerConfig is validated at all.
 */
import { duplicate, type FieldError, fieldPath, invalid, required } from "../decode.ts";
import { decodeBase64Text } from "../../runtime/base64.ts";
import {
  type CloudProfileConfig,
  type InfrastructureStatus,
  NEXT_AVAILABLE_RESERVATION,
  type WorkerConfig,
} from "./v1alpha1.ts";
import { isUuid } from "../../runtime/uuid.ts";

/** True for an absolute http or https URL with a host. */
function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === "http:" || url.protocol === "https:") && url.hostname !== "";
  } catch {
    return false;
  }
}

/** Validates a CloudProfileConfig found at `path` (default `spec.providerConfig` of the CloudProfile). */
export function validateCloudProfileConfig(cfg: CloudProfileConfig, path = "spec.providerConfig"): FieldError[] {
  const errors: FieldError[] = [];
  const imagesPath = fieldPath(path, "machineImages");
  if (cfg.machineImages.length === 0) {
    errors.push(required(imagesPath, "must provide at least one machine image"));
  }
  const seen = new Map<string, string>();
  cfg.machineImages.forEach((image, i) => {
    const imagePath = fieldPath(imagesPath, i);
    if (image.name.trim() === "") errors.push(required(fieldPath(imagePath, "name"), "must provide a name"));
    if (image.versions.length === 0) {
      errors.push(required(fieldPath(imagePath, "versions"), `must provide at least one version for ${image.name}`));
    }
    image.versions.forEach((v, j) => {
      const versionPath = fieldPath(imagePath, "versions", j);
      if (v.version.trim() === "") {
        errors.push(required(fieldPath(versionPath, "version"), "must provide a version"));
      }
      const hasID = v.id !== undefined && v.id !== "";
      const hasURL = v.ipxeScriptUrl !== undefined;
      if (!hasID && !hasURL) {
        errors.push(
          required(fieldPath(versionPath, "id"), "must provide either an id (an Equinix OS slug) or an ipxeScriptUrl"),
        );
      }
      if (hasURL && !isHttpUrl(v.ipxeScriptUrl!)) {
        errors.push(invalid(fieldPath(versionPath, "ipxeScriptUrl"), v.ipxeScriptUrl, "must be an http or https URL"));
      }
      if (hasID && hasURL) {
        // The machine driver boots `custom_ipxe` whenever a URL is present, so the id would be silently ignored.
        errors.push(
          invalid(
            fieldPath(versionPath, "ipxeScriptUrl"),
            v.ipxeScriptUrl,
            `must not be set together with id ${JSON.stringify(v.id)}: devices with an iPXE URL always boot ` +
              "custom_ipxe, so the id would be ignored",
          ),
        );
      }
      if (image.name !== "" && v.version !== "") {
        const key = `${image.name}/${v.version}`;
        const first = seen.get(key);
        if (first !== undefined) {
          errors.push(duplicate(fieldPath(versionPath, "version"), v.version, `${key} is already defined at ${first}`));
        } else seen.set(key, versionPath);
      }
    });
  });
  return errors;
}

/** Validates a pool's WorkerConfig found at `path` (e.g. `spec.pools[1].providerConfig`). */
export function validateWorkerConfig(cfg: WorkerConfig, path = "providerConfig"): FieldError[] {
  const errors: FieldError[] = [];
  const ids = cfg.reservationIDs ?? [];
  const idsPath = fieldPath(path, "reservationIDs");
  const seen = new Map<string, number>();
  ids.forEach((id, i) => {
    const idPath = fieldPath(idsPath, i);
    if (id !== NEXT_AVAILABLE_RESERVATION && !isUuid(id)) {
      errors.push(invalid(idPath, id, `must be a hardware reservation UUID or ${JSON.stringify("next-available")}`));
      return;
    }
    const key = id.toLowerCase();
    const first = seen.get(key);
    if (first !== undefined) errors.push(duplicate(idPath, id, `already listed at ${fieldPath(idsPath, first)}`));
    else seen.set(key, i);
  });
  if (cfg.reservedDevicesOnly === true && ids.length === 0) {
    errors.push(
      required(
        idsPath,
        `reservedDevicesOnly requires at least one reservation ID; use ${JSON.stringify("next-available")} ` +
          "to take any free hardware reservation in the metro",
      ),
    );
  }
  return errors;
}

/**
 * Validates an InfrastructureStatus found at `path` (e.g. `spec.infrastructureProviderStatus` of a Worker). An empty
 * `sshKeyID` is valid: a shoot with SSH access disabled has no key, and its devices get none.
 */
export function validateInfrastructureStatus(
  status: InfrastructureStatus,
  path = "status.providerStatus",
): FieldError[] {
  if (status.sshKeyID !== "" && !isUuid(status.sshKeyID)) {
    return [
      invalid(fieldPath(path, "sshKeyID"), status.sshKeyID, "must be empty (no SSH key) or a project SSH key UUID"),
    ];
  }
  return [];
}

/** The keys of an Equinix Metal credentials secret. */
export const CREDENTIALS_KEYS = ["apiToken", "projectID"] as const;

/**
 * Validates the `data` of an Equinix Metal credentials secret (base64 values, as the API serves them): `apiToken` and
 * `projectID` present, decodable and not blank, no whitespace inside the token, `projectID` a UUID. Errors never carry
 * a value (a token must not reach a message), except a malformed project ID, which is not secret.
 */
export function validateCredentialsData(data: Record<string, string> | undefined, path = "data"): FieldError[] {
  const errors: FieldError[] = [];
  for (const key of CREDENTIALS_KEYS) {
    const field = fieldPath(path, key);
    const raw = data?.[key];
    if (raw === undefined || raw === "") {
      errors.push(
        required(field, key === "apiToken" ? "the Equinix Metal API token" : "the Equinix Metal project UUID"),
      );
      continue;
    }
    let text: string;
    try {
      text = decodeBase64Text(raw);
    } catch {
      errors.push({ type: "Invalid", field, message: "must be base64-encoded UTF-8" });
      continue;
    }
    const trimmed = text.trim();
    if (trimmed === "") errors.push(required(field, "must not be blank"));
    else if (key === "apiToken" && /\s/.test(trimmed)) {
      errors.push({ type: "Invalid", field, message: "must not contain whitespace" });
    } else if (key === "projectID" && !isUuid(trimmed)) {
      errors.push(invalid(field, trimmed.slice(0, 64), "must be an Equinix Metal project UUID"));
    }
  }
  return errors;
}
