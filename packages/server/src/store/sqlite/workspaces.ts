import { iso, newId, opt } from "../rows.js";
import type { ApiKeyInfo, Workspace } from "../store.js";
import type { SqliteDb } from "./db.js";

/** Workspaces and their API keys (only a key's sha256 is kept). */
export class WorkspaceRepository {
  readonly #sql: SqliteDb;

  constructor(sql: SqliteDb) {
    this.#sql = sql;
  }

  async createWorkspace(name: string): Promise<Workspace> {
    const id = newId("ws");
    const now = Date.now();
    this.#sql.run("INSERT INTO workspaces (id, name, created_at) VALUES (?, ?, ?)", id, name, now);
    return { id, name, createdAt: iso(now) };
  }

  async findWorkspaceByName(name: string): Promise<Workspace | undefined> {
    const row = this.#sql.get("SELECT id, name, created_at FROM workspaces WHERE name = ?", name);
    return row ? { id: String(row.id), name: String(row.name), createdAt: iso(row.created_at) } : undefined;
  }

  async countWorkspaces(): Promise<number> {
    return Number(this.#sql.get("SELECT count(*) AS n FROM workspaces")!.n);
  }

  async addApiKey(workspaceId: string, input: { id: string; hash: string; label?: string }): Promise<ApiKeyInfo> {
    const now = Date.now();
    this.#sql.run(
      "INSERT INTO api_keys (id, workspace_id, hash, label, created_at) VALUES (?, ?, ?, ?, ?)",
      input.id,
      workspaceId,
      input.hash,
      input.label ?? null,
      now,
    );
    return { id: input.id, workspaceId, ...opt("label", input.label), createdAt: iso(now) };
  }

  async listApiKeys(workspaceId?: string): Promise<ApiKeyInfo[]> {
    const rows = this.#sql.all(
      `SELECT id, workspace_id, label, created_at, revoked_at FROM api_keys
       WHERE ? IS NULL OR workspace_id = ? ORDER BY created_at, id`,
      workspaceId ?? null,
      workspaceId ?? null,
    );
    return rows.map((row) => ({
      id: String(row.id),
      workspaceId: String(row.workspace_id),
      ...opt("label", row.label === null ? undefined : String(row.label)),
      createdAt: iso(row.created_at),
      ...opt("revokedAt", row.revoked_at === null ? undefined : iso(row.revoked_at)),
    }));
  }

  async revokeApiKey(keyId: string): Promise<boolean> {
    return (
      this.#sql.run("UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", Date.now(), keyId)
        .changes > 0
    );
  }

  async findApiKey(hash: string): Promise<{ keyId: string; workspaceId: string } | undefined> {
    const row = this.#sql.get("SELECT id, workspace_id FROM api_keys WHERE hash = ? AND revoked_at IS NULL", hash);
    return row ? { keyId: String(row.id), workspaceId: String(row.workspace_id) } : undefined;
  }
}
