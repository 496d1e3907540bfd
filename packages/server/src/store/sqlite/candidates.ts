import { type Design, summariseDesign } from "@plantgan/core/design";
import {
  CANDIDATE_COLUMNS,
  candidateInsertValues,
  candidateMeta,
  candidateRecord,
  cursorValue,
  toPage,
} from "../rows.js";
import type {
  CandidateInsert,
  CandidateMeta,
  CandidateRecord,
  CandidateStatus,
  Page,
  PageRequest,
  Review,
  ReviewOutcome,
} from "../store.js";
import type { SqliteDb } from "./db.js";
import type { DesignRepository } from "./designs.js";

/** Candidates: generated designs and their reviews; accepting one stores its design in the same transaction. */
export class CandidateRepository {
  readonly #sql: SqliteDb;
  readonly #designs: DesignRepository;

  constructor(sql: SqliteDb, designs: DesignRepository) {
    this.#sql = sql;
    this.#designs = designs;
  }

  insertRows(workspaceId: string, items: readonly CandidateInsert[]): void {
    const insert = this.#sql.db.prepare(
      `INSERT INTO candidates (workspace_id, id, job_id, model_id, rank, design_id, process_class, design, report, errors, inherited_errors, cost, polish, status, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?)`,
    );
    const now = Date.now();
    for (const c of items) {
      insert.run(...candidateInsertValues(workspaceId, c, now));
    }
  }

  async insertCandidates(workspaceId: string, items: readonly CandidateInsert[]): Promise<CandidateRecord[]> {
    this.#sql.write(() => this.insertRows(workspaceId, items));
    const out: CandidateRecord[] = [];
    for (const c of items) out.push((await this.getCandidate(workspaceId, c.id))!);
    return out;
  }

  async getCandidate(workspaceId: string, id: string): Promise<CandidateRecord | undefined> {
    const row = this.#sql.get(
      `SELECT ${CANDIDATE_COLUMNS}, design, report, cost, polish FROM candidates WHERE workspace_id = ? AND id = ?`,
      workspaceId,
      id,
    );
    return row ? candidateRecord(row) : undefined;
  }

  async listCandidates(
    workspaceId: string,
    filter: { jobId?: string; status?: CandidateStatus },
    page: PageRequest,
  ): Promise<Page<CandidateMeta>> {
    const where = ["workspace_id = ?", "pk > ?"];
    const params: unknown[] = [workspaceId, cursorValue(page.cursor)];
    if (filter.jobId !== undefined) {
      where.push("job_id = ?");
      params.push(filter.jobId);
    }
    if (filter.status !== undefined) {
      where.push("status = ?");
      params.push(filter.status);
    }
    const rows = this.#sql.all(
      `SELECT pk, ${CANDIDATE_COLUMNS} FROM candidates WHERE ${where.join(" AND ")} ORDER BY pk LIMIT ?`,
      ...params,
      page.limit + 1,
    );
    return toPage(rows, page.limit, candidateMeta);
  }

  async reviewCandidate(workspaceId: string, id: string, review: Review): Promise<ReviewOutcome> {
    const before = await this.getCandidate(workspaceId, id);
    if (!before) return { ok: false, reason: "not_found" };
    if (before.status !== "pending") return { ok: false, reason: "already_reviewed" };
    // One verdict: a candidate with errors is accepted only with a stated reason.
    if (review.decision === "accept" && (before.errors ?? 0) > 0 && !review.override) {
      return { ok: false, reason: "invalid", errors: before.errors ?? 0 };
    }
    const designId = review.designId ?? before.design.id;
    const accepted: Design = { ...before.design, id: designId };
    // Serialised (and a large design written as a blob) before the transaction, which stays synchronous.
    const rows =
      review.decision === "accept"
        ? await this.#designs.prepare([
            {
              design: accepted,
              status: "accepted",
              source: "candidate",
              summary: summariseDesign(accepted),
              candidateId: id,
            },
          ])
        : [];
    const outcome = this.#sql.write((): "ok" | "already_reviewed" | "conflict" => {
      const row = this.#sql.get("SELECT status FROM candidates WHERE workspace_id = ? AND id = ?", workspaceId, id);
      if (row?.status !== "pending") return "already_reviewed";
      if (review.decision === "accept") {
        const [inserted] = this.#designs.insertPrepared(workspaceId, rows, undefined);
        if (!inserted?.ok) return "conflict";
      }
      this.#sql.run(
        "UPDATE candidates SET status = ?, comment = ?, reviewed_at = ?, reviewed_by = ?, accepted_as = ?, override_reason = ? WHERE workspace_id = ? AND id = ?",
        review.decision === "accept" ? "accepted" : "rejected",
        review.comment ?? null,
        Date.now(),
        review.keyId,
        review.decision === "accept" ? designId : null,
        review.decision === "accept" ? (review.override?.reason ?? null) : null,
        workspaceId,
        id,
      );
      return "ok";
    });
    if (outcome === "conflict") {
      return {
        ok: false,
        reason: "conflict",
        designId,
        suggestedId: this.#designs.freeDesignId(workspaceId, designId),
      };
    }
    if (outcome !== "ok") return { ok: false, reason: outcome };
    const candidate = (await this.getCandidate(workspaceId, id))!;
    if (review.decision === "reject") return { ok: true, candidate };
    const design = await this.#designs.getDesign(workspaceId, designId);
    const { design: _body, ...meta } = design!;
    return { ok: true, candidate, design: meta };
  }

  async deleteCandidate(workspaceId: string, id: string): Promise<boolean> {
    // Candidates keep their design inline: no blob to free. An accepted one's design stays (its own record).
    return this.#sql.run("DELETE FROM candidates WHERE workspace_id = ? AND id = ?", workspaceId, id).changes > 0;
  }
}
