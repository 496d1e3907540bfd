import { createHash } from "node:crypto";
import type { RulePack } from "@plantgan/core/design";
import { cursorValue, iso, opt, RULE_PACK_COLUMNS, rulePackRecord, toPage } from "../rows.js";
import type { Page, PageRequest, RulePackRecord } from "../store.js";
import type { SqliteDb } from "./db.js";

/** Rule packs, one row per id and version. */
export class RulePackRepository {
  readonly #sql: SqliteDb;

  constructor(sql: SqliteDb) {
    this.#sql = sql;
  }

  async putRulePack(workspaceId: string, pack: RulePack): Promise<RulePackRecord | "conflict"> {
    const text = JSON.stringify(pack);
    const sha256 = createHash("sha256").update(text).digest("hex");
    const now = Date.now();
    const result = this.#sql.run(
      `INSERT INTO rule_packs (workspace_id, id, version, name, sha256, body, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (workspace_id, id, version) DO NOTHING`,
      workspaceId,
      pack.id,
      pack.version,
      pack.name ?? null,
      sha256,
      text,
      now,
    );
    if (result.changes === 0) return "conflict";
    return { id: pack.id, version: pack.version, ...opt("name", pack.name), sha256, createdAt: iso(now) };
  }

  async getRulePack(
    workspaceId: string,
    id: string,
    version?: string,
  ): Promise<(RulePackRecord & { pack: RulePack }) | undefined> {
    const row =
      version === undefined
        ? this.#sql.get(
            `SELECT ${RULE_PACK_COLUMNS}, body FROM rule_packs WHERE workspace_id = ? AND id = ? ORDER BY pk DESC LIMIT 1`,
            workspaceId,
            id,
          )
        : this.#sql.get(
            `SELECT ${RULE_PACK_COLUMNS}, body FROM rule_packs WHERE workspace_id = ? AND id = ? AND version = ?`,
            workspaceId,
            id,
            version,
          );
    return row ? { ...rulePackRecord(row), pack: JSON.parse(String(row.body)) as RulePack } : undefined;
  }

  async listRulePacks(workspaceId: string, page: PageRequest): Promise<Page<RulePackRecord>> {
    const rows = this.#sql.all(
      `SELECT pk, ${RULE_PACK_COLUMNS} FROM rule_packs WHERE workspace_id = ? AND pk > ? ORDER BY pk LIMIT ?`,
      workspaceId,
      cursorValue(page.cursor),
      page.limit + 1,
    );
    return toPage(rows, page.limit, rulePackRecord);
  }
}
