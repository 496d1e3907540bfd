import { createHash } from "node:crypto";
import type { Design } from "@plantgan/core/design";
import {
  cursorValue,
  DESIGN_META_COLUMNS,
  designInsertValues,
  designMeta,
  type PreparedDesign,
  type Row,
  toPage,
} from "../rows.js";
import type {
  DesignFilter,
  DesignInsert,
  DesignMeta,
  InsertOutcome,
  Page,
  PageRequest,
  StoredDesign,
} from "../store.js";
import type { SqliteBlobStore } from "./blobs.js";
import { deleteDesign } from "./cleanup.js";
import type { SqliteDb } from "./db.js";

/**
 * Designs: the JSON text inline, or as a blob when larger than the inline limit. Jobs and reviews
 * insert designs in their own transactions through prepare (outside: blob writes are async) and
 * insertPrepared (inside).
 */
export class DesignRepository {
  readonly #sql: SqliteDb;
  readonly #blobs: SqliteBlobStore;
  readonly #inlineLimit: number;
  readonly #blobGraceMs: number;

  constructor(sql: SqliteDb, blobs: SqliteBlobStore, options: { inlineLimit: number; blobGraceMs: number }) {
    this.#sql = sql;
    this.#blobs = blobs;
    this.#inlineLimit = options.inlineLimit;
    this.#blobGraceMs = options.blobGraceMs;
  }

  async prepare(items: readonly DesignInsert[]): Promise<PreparedDesign[]> {
    const prepared: PreparedDesign[] = [];
    for (const item of items) {
      const text = JSON.stringify(item.design);
      const sha256 = createHash("sha256").update(text).digest("hex");
      const size = Buffer.byteLength(text);
      if (size <= this.#inlineLimit) {
        prepared.push({ item, text, blob: null, sha256, size });
      } else {
        // Written before the transaction; a refused insert leaves an orphan blob (the collector's), never a dangling row.
        const { sha256: blob } = await this.#blobs.put(text);
        prepared.push({ item, text: null, blob, sha256, size });
      }
    }
    return prepared;
  }

  /** Inserts prepared rows inside the caller's transaction. */
  insertPrepared(workspaceId: string, rows: readonly PreparedDesign[], datasetPk: number | undefined): InsertOutcome[] {
    const insert = this.#sql.db.prepare(
      `INSERT INTO designs (workspace_id, id, name, process_class, status, source, sha256, size, body, blob, summary,
         job_id, candidate_id, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (workspace_id, id) DO NOTHING`,
    );
    const link = this.#sql.db.prepare("INSERT OR IGNORE INTO dataset_designs (dataset_pk, design_pk) VALUES (?, ?)");
    const now = Date.now();
    return rows.map((prepared) => {
      const d = prepared.item.design;
      const result = insert.run(...designInsertValues(workspaceId, prepared, now));
      if (result.changes === 0) return { ok: false, id: d.id, reason: "conflict" } as const;
      if (datasetPk !== undefined) link.run(datasetPk, result.lastInsertRowid);
      return { ok: true, id: d.id } as const;
    });
  }

  datasetPk(workspaceId: string, datasetId: string | undefined): number | undefined {
    if (datasetId === undefined) return undefined;
    const row = this.#sql.get("SELECT pk FROM datasets WHERE workspace_id = ? AND id = ?", workspaceId, datasetId);
    if (!row) throw new Error(`dataset ${datasetId} not found`);
    return Number(row.pk);
  }

  async insertDesigns(
    workspaceId: string,
    items: readonly DesignInsert[],
    datasetId?: string,
  ): Promise<InsertOutcome[]> {
    const rows = await this.prepare(items);
    return this.#sql.write(() => this.insertPrepared(workspaceId, rows, this.datasetPk(workspaceId, datasetId)));
  }

  async #designFromRow(row: Row): Promise<Design> {
    const text = row.body !== null ? String(row.body) : (await this.#blobs.get(String(row.blob))).toString("utf8");
    return JSON.parse(text) as Design;
  }

  async getDesign(workspaceId: string, id: string): Promise<StoredDesign | undefined> {
    const row = this.#sql.get(
      `SELECT ${DESIGN_META_COLUMNS}, body, blob FROM designs WHERE workspace_id = ? AND id = ?`,
      workspaceId,
      id,
    );
    if (!row) return undefined;
    return { ...designMeta(row), design: await this.#designFromRow(row) };
  }

  async listDesigns(workspaceId: string, filter: DesignFilter, page: PageRequest): Promise<Page<DesignMeta>> {
    const where = ["workspace_id = ?", "pk > ?"];
    const params: unknown[] = [workspaceId, cursorValue(page.cursor)];
    if (filter.processClass !== undefined) {
      where.push("process_class = ?");
      params.push(filter.processClass);
    }
    if (filter.status !== undefined) {
      where.push("status = ?");
      params.push(filter.status);
    }
    if (filter.datasetId !== undefined) {
      where.push(
        "pk IN (SELECT dd.design_pk FROM dataset_designs dd JOIN datasets ds ON ds.pk = dd.dataset_pk WHERE ds.workspace_id = ? AND ds.id = ?)",
      );
      params.push(workspaceId, filter.datasetId);
    }
    const rows = this.#sql.all(
      `SELECT pk, ${DESIGN_META_COLUMNS} FROM designs WHERE ${where.join(" AND ")} ORDER BY pk LIMIT ?`,
      ...params,
      page.limit + 1,
    );
    return toPage(rows, page.limit, designMeta);
  }

  async deleteDesign(workspaceId: string, id: string): Promise<boolean> {
    return deleteDesign(this.#sql.db, this.#blobs, workspaceId, id, Date.now() - this.#blobGraceMs);
  }

  /** `<id>-2`, `<id>-3`, …: the first that no design of the workspace has (ids stay within 128 characters). */
  freeDesignId(workspaceId: string, taken: string): string {
    const base = taken.slice(0, 120);
    for (let n = 2; ; n++) {
      const id = `${base}-${n}`;
      if (!this.#sql.get("SELECT 1 AS one FROM designs WHERE workspace_id = ? AND id = ?", workspaceId, id)) return id;
    }
  }
}
