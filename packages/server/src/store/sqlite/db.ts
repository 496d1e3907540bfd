import type Database from "better-sqlite3";
import type { Row } from "../rows.js";

/** One SQLite connection and the few ways the repositories use it. */
export class SqliteDb {
  readonly db: Database.Database;

  constructor(db: Database.Database) {
    this.db = db;
  }

  /** Runs `fn` in a BEGIN IMMEDIATE transaction: the write lock is taken before the first read. */
  write<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  all(sql: string, ...params: unknown[]): Row[] {
    return this.db.prepare(sql).all(...params) as Row[];
  }

  get(sql: string, ...params: unknown[]): Row | undefined {
    return this.db.prepare(sql).get(...params) as Row | undefined;
  }

  run(sql: string, ...params: unknown[]): Database.RunResult {
    return this.db.prepare(sql).run(...params);
  }
}
