import type { DesignSummary } from "@plantgan/core/design";
import { cursorValue, DATASET_COLUMNS, datasetRecord, iso, opt, type Row, toPage } from "../rows.js";
import type { DatasetRecord, Page, PageRequest } from "../store.js";
import type { SqliteDb } from "./db.js";

/** Datasets: named sets of a workspace's designs (membership rows), and their summaries. */
export class DatasetRepository {
  readonly #sql: SqliteDb;

  constructor(sql: SqliteDb) {
    this.#sql = sql;
  }

  async createDataset(
    workspaceId: string,
    input: { id: string; name: string; description?: string },
  ): Promise<DatasetRecord> {
    const now = Date.now();
    this.#sql.run(
      "INSERT INTO datasets (workspace_id, id, name, description, created_at) VALUES (?, ?, ?, ?, ?)",
      workspaceId,
      input.id,
      input.name,
      input.description ?? null,
      now,
    );
    return {
      id: input.id,
      name: input.name,
      ...opt("description", input.description),
      createdAt: iso(now),
      designCount: 0,
    };
  }

  async getDataset(workspaceId: string, id: string): Promise<DatasetRecord | undefined> {
    const row = this.#sql.get(
      `SELECT ${DATASET_COLUMNS} FROM datasets ds WHERE workspace_id = ? AND id = ?`,
      workspaceId,
      id,
    );
    return row ? datasetRecord(row) : undefined;
  }

  async listDatasets(workspaceId: string, page: PageRequest): Promise<Page<DatasetRecord>> {
    const rows = this.#sql.all(
      `SELECT ${DATASET_COLUMNS} FROM datasets ds WHERE workspace_id = ? AND pk > ? ORDER BY pk LIMIT ?`,
      workspaceId,
      cursorValue(page.cursor),
      page.limit + 1,
    );
    return toPage(rows, page.limit, datasetRecord);
  }

  async deleteDataset(workspaceId: string, id: string): Promise<boolean> {
    return this.#sql.run("DELETE FROM datasets WHERE workspace_id = ? AND id = ?", workspaceId, id).changes > 0;
  }

  async changeDatasetDesigns(
    workspaceId: string,
    datasetId: string,
    change: { add: readonly string[]; remove: readonly string[] },
  ): Promise<{ added: number; removed: number; missing: string[] } | undefined> {
    return this.#sql.write(() => {
      const ds = this.#sql.get("SELECT pk FROM datasets WHERE workspace_id = ? AND id = ?", workspaceId, datasetId);
      if (!ds) return undefined;
      const find = this.#sql.db.prepare("SELECT pk FROM designs WHERE workspace_id = ? AND id = ?");
      const pks = (ids: readonly string[]) =>
        ids.map((id) => [id, (find.get(workspaceId, id) as Row | undefined)?.pk] as const);
      const adds = pks(change.add);
      const removes = pks(change.remove);
      const missing = [...adds, ...removes].filter(([, pk]) => pk === undefined).map(([id]) => id);
      // All or nothing: a request naming a design that does not exist changes nothing.
      if (missing.length > 0) return { added: 0, removed: 0, missing: [...new Set(missing)] };
      const link = this.#sql.db.prepare("INSERT OR IGNORE INTO dataset_designs (dataset_pk, design_pk) VALUES (?, ?)");
      const unlink = this.#sql.db.prepare("DELETE FROM dataset_designs WHERE dataset_pk = ? AND design_pk = ?");
      let added = 0;
      let removed = 0;
      for (const [, pk] of adds) added += link.run(ds.pk, pk).changes;
      for (const [, pk] of removes) removed += unlink.run(ds.pk, pk).changes;
      return { added, removed, missing: [] };
    });
  }

  async datasetSummaries(workspaceId: string, datasetId: string): Promise<DesignSummary[] | undefined> {
    const ds = this.#sql.get("SELECT pk FROM datasets WHERE workspace_id = ? AND id = ?", workspaceId, datasetId);
    if (!ds) return undefined;
    return this.#sql
      .all(
        "SELECT d.summary FROM dataset_designs dd JOIN designs d ON d.pk = dd.design_pk WHERE dd.dataset_pk = ? ORDER BY d.pk",
        ds.pk,
      )
      .map((r) => JSON.parse(String(r.summary)) as DesignSummary);
  }
}
