import { afterEach, describe, expect, it } from "vitest";
import { DATABASE_URL_ENV, storeConfigFrom } from "./open.js";

describe("storeConfigFrom", () => {
  const saved = process.env[DATABASE_URL_ENV];
  afterEach(() => {
    if (saved === undefined) delete process.env[DATABASE_URL_ENV];
    else process.env[DATABASE_URL_ENV] = saved;
  });

  it("keeps the SQLite folder unless a postgres:// URL is given, by option or by PLANTGAN_DATABASE_URL", () => {
    delete process.env[DATABASE_URL_ENV];
    expect(storeConfigFrom({ dataDir: "/d" })).toEqual({ kind: "sqlite", dataDir: "/d" });
    const url = "postgres://u:p@db:5432/plantgan";
    expect(storeConfigFrom({ dataDir: "/d", databaseUrl: url })).toEqual({ kind: "postgres", url });
    process.env[DATABASE_URL_ENV] = "postgresql://db/x";
    expect(storeConfigFrom({ dataDir: "/d" })).toEqual({ kind: "postgres", url: "postgresql://db/x" });
    // The option wins over the environment.
    expect(storeConfigFrom({ dataDir: "/d", databaseUrl: url })).toEqual({ kind: "postgres", url });
    // The config crosses to job workers as JSON: it must survive the trip.
    expect(JSON.parse(JSON.stringify(storeConfigFrom({ dataDir: "/d" })))).toEqual(storeConfigFrom({ dataDir: "/d" }));
  });

  it("refuses a URL that is not postgres:// rather than silently using SQLite", () => {
    expect(() => storeConfigFrom({ dataDir: "/d", databaseUrl: "mysql://db/x" })).toThrow(
      /must be a postgres:\/\/ URL/,
    );
    process.env[DATABASE_URL_ENV] = "sqlite:///tmp/x.db";
    expect(() => storeConfigFrom({ dataDir: "/d" })).toThrow(/PLANTGAN_DATABASE_URL must be a postgres/);
  });
});
