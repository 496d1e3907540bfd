import { createHash, randomBytes } from "node:crypto";
import { newId } from "./store/sqlite.js";
import type { Store, Workspace } from "./store/store.js";

/** The prefix makes a leaked key easy to recognise (secret scanners, logs). */
export const KEY_PREFIX = "pgk_";
const KEY_PATTERN = /^pgk_[A-Za-z0-9_-]{43}$/;

/** Keys are stored as their sha256: a stolen database gives no usable key. */
export function hashKey(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}

/** A cheap shape check before any database lookup. */
export function looksLikeKey(key: string): boolean {
  return KEY_PATTERN.test(key);
}

/** Creates a key in a workspace (created when missing) and returns the plain key, shown once. */
export async function createApiKey(
  store: Store,
  workspaceName: string,
  label?: string,
): Promise<{ key: string; keyId: string; workspace: Workspace }> {
  const workspace = (await store.findWorkspaceByName(workspaceName)) ?? (await store.createWorkspace(workspaceName));
  const key = `${KEY_PREFIX}${randomBytes(32).toString("base64url")}`;
  const keyId = newId("key");
  await store.addApiKey(workspace.id, { id: keyId, hash: hashKey(key), ...(label !== undefined ? { label } : {}) });
  return { key, keyId, workspace };
}
