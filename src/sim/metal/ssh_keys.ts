/** SSH keys: project keys (`/projects/{id}/ssh-keys`), the user's own keys (`/ssh-keys`), and `/ssh-keys/{id}`. */
import { forbidden, unprocessable } from "./api_errors.ts";
import { parseBody, SshKeyCreateBody, SshKeyUpdateBody } from "./bodies.ts";
import { created, type Handler, noContent, ok, type RequestContext } from "./context.ts";
import { requireProject, requireSshKey } from "./access.ts";
import { md5Fingerprint, parsePublicKey } from "./fingerprint.ts";
import { renderSshKey } from "./render.ts";
import type { SshKeyRecord } from "./world.ts";

function keyFingerprint(key: string): string {
  const parsed = parsePublicKey(key);
  if ("error" in parsed) throw unprocessable(parsed.error);
  return md5Fingerprint(parsed.blob);
}

function matches(k: SshKeyRecord, q: string | null): boolean {
  if (!q) return true;
  const needle = q.toLowerCase();
  return [k.label, k.key, k.fingerprint].some((s) => s.toLowerCase().includes(needle));
}

function createKey(ctx: RequestContext, owner: SshKeyRecord["owner"]): SshKeyRecord {
  const body = parseBody(SshKeyCreateBody, ctx.body, "ssh_key");
  if (!body.label) throw unprocessable("Label can't be blank");
  if (!body.key) throw unprocessable("Key can't be blank");
  const fingerprint = keyFingerprint(body.key);
  const siblings = [...ctx.world.sshKeys.values()].filter((k) =>
    k.owner.kind === owner.kind && k.owner.id === owner.id
  );
  if (siblings.some((k) => k.fingerprint === fingerprint)) throw unprocessable("Fingerprint has already been taken");
  const key: SshKeyRecord = {
    id: ctx.world.newId(),
    label: body.label,
    key: body.key.trim(),
    fingerprint,
    tags: body.tags ?? [],
    createdAt: ctx.now,
    updatedAt: ctx.now,
    owner,
  };
  ctx.world.addSshKey(key);
  return key;
}

/** `GET /projects/{id}/ssh-keys` (`query` searches label, key and fingerprint; no meta). */
export const listProjectSshKeys: Handler = (ctx) => {
  const project = requireProject(ctx, ctx.params.id);
  const keys = [...project.sshKeyIds].map((id) => ctx.world.sshKeys.get(id)!).filter((k) =>
    matches(k, ctx.query.get("query"))
  );
  return ok({ ssh_keys: keys.map(renderSshKey) });
};

/** `POST /projects/{id}/ssh-keys` → 201 SSHKey. */
export const createProjectSshKey: Handler = (ctx) => {
  const project = requireProject(ctx, ctx.params.id);
  return created(renderSshKey(createKey(ctx, { kind: "project", id: project.id })));
};

/** `GET /ssh-keys`: the current user's keys (`search`). */
export const listUserSshKeys: Handler = (ctx) => {
  if (ctx.principal.kind !== "user") throw forbidden("user");
  const userId = ctx.principal.user.id;
  const keys = [...ctx.world.sshKeys.values()].filter((k) =>
    k.owner.kind === "user" && k.owner.id === userId && matches(k, ctx.query.get("search"))
  );
  return ok({ ssh_keys: keys.map(renderSshKey) });
};

/** `POST /ssh-keys`: a key of the current user. */
export const createUserSshKey: Handler = (ctx) => {
  if (ctx.principal.kind !== "user") throw forbidden("user");
  return created(renderSshKey(createKey(ctx, { kind: "user", id: ctx.principal.user.id })));
};

/** `GET /ssh-keys/{id}`. */
export const getSshKey: Handler = (ctx) => ok(renderSshKey(requireSshKey(ctx, ctx.params.id)));

/** `PUT /ssh-keys/{id}` (packngo uses PATCH; both are routed here). */
export const updateSshKey: Handler = (ctx) => {
  const key = requireSshKey(ctx, ctx.params.id);
  const body = parseBody(SshKeyUpdateBody, ctx.body, "ssh_key");
  if (body.label !== undefined) {
    if (!body.label) throw unprocessable("Label can't be blank");
  }
  const fingerprint = body.key !== undefined ? keyFingerprint(body.key) : key.fingerprint;
  if (body.label !== undefined) key.label = body.label;
  if (body.key !== undefined) {
    key.key = body.key.trim();
    key.fingerprint = fingerprint;
  }
  if (body.tags !== undefined) key.tags = body.tags;
  key.updatedAt = ctx.now;
  return ok(renderSshKey(key));
};

/** `DELETE /ssh-keys/{id}` → 204. Devices keep running; their `ssh_keys` no longer list the key. */
export const deleteSshKey: Handler = (ctx) => {
  const key = requireSshKey(ctx, ctx.params.id);
  ctx.world.sshKeys.delete(key.id);
  if (key.owner.kind === "project") ctx.world.projects.get(key.owner.id)?.sshKeyIds.delete(key.id);
  return noContent();
};
