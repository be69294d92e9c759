/** Project SSH keys: create, list, read, update (PUT), delete. */
import { requireUuid } from "./request_url.ts";
import { SshKeyCreateInputSchema, SshKeyUpdateInputSchema, validateInput } from "./request_schemas.ts";
import { SshKeyListSchema, SshKeySchema } from "./schemas.ts";
import type { MetalTransport } from "./transport.ts";
import type { SshKey, SshKeyCreateInput, SshKeyUpdateInput } from "./types.ts";

export type { SshKey, SshKeyCreateInput, SshKeyUpdateInput };

export interface SshKeyCallOptions {
  signal?: AbortSignal;
}

export interface SshKeyCreateOptions extends SshKeyCallOptions {
  /** Finds the key a failed create may have made (e.g. by label); runs before any retry. */
  dedupe?: () => Promise<SshKey | undefined>;
}

export interface SshKeyListOptions extends SshKeyCallOptions {
  /** Search by key, label or fingerprint (the API's `query` parameter). */
  query?: string;
}

const OP = "MetalClient.sshKeys";

/** `/projects/{id}/ssh-keys` and `/ssh-keys/{id}`. */
export class SshKeysApi {
  constructor(private readonly t: MetalTransport) {}

  /** Creates a project SSH key (`POST /projects/{id}/ssh-keys`). */
  async createForProject(projectId: string, input: SshKeyCreateInput, opts: SshKeyCreateOptions = {}): Promise<SshKey> {
    requireUuid(`${OP}.createForProject`, "projectId", projectId);
    const body = validateInput(SshKeyCreateInputSchema, input, `${OP}.createForProject`, "input");
    return await this.t.json(
      {
        method: "POST",
        endpoint: "/projects/{id}/ssh-keys",
        params: { id: projectId },
        body,
        signal: opts.signal,
      },
      SshKeySchema,
      opts.dedupe,
    );
  }

  /** The project's SSH keys (one answer, the API does not paginate them). */
  async listForProject(projectId: string, opts: SshKeyListOptions = {}): Promise<SshKey[]> {
    requireUuid(`${OP}.listForProject`, "projectId", projectId);
    const r = await this.t.json({
      method: "GET",
      endpoint: "/projects/{id}/ssh-keys",
      params: { id: projectId },
      query: { query: opts.query },
      signal: opts.signal,
    }, SshKeyListSchema);
    return r.ssh_keys;
  }

  /** Reads one key (`GET /ssh-keys/{id}`). */
  async get(id: string, opts: SshKeyCallOptions = {}): Promise<SshKey> {
    requireUuid(`${OP}.get`, "id", id);
    return await this.t.json(
      { method: "GET", endpoint: "/ssh-keys/{id}", params: { id }, signal: opts.signal },
      SshKeySchema,
    );
  }

  /** Changes label, key or tags (`PUT /ssh-keys/{id}`). */
  async update(id: string, input: SshKeyUpdateInput, opts: SshKeyCallOptions = {}): Promise<SshKey> {
    requireUuid(`${OP}.update`, "id", id);
    const body = validateInput(SshKeyUpdateInputSchema, input, `${OP}.update`, "input");
    return await this.t.json({
      method: "PUT",
      endpoint: "/ssh-keys/{id}",
      params: { id },
      body,
      signal: opts.signal,
    }, SshKeySchema);
  }

  /** Deletes a key (`DELETE /ssh-keys/{id}`); a 404 after an earlier failed attempt counts as deleted. */
  async delete(id: string, opts: SshKeyCallOptions = {}): Promise<void> {
    requireUuid(`${OP}.delete`, "id", id);
    await this.t.noContent({
      method: "DELETE",
      endpoint: "/ssh-keys/{id}",
      params: { id },
      signal: opts.signal,
      notFoundOnRetryIsSuccess: true,
    });
  }
}
