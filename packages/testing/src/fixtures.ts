// Where the third-party fixtures live (DEXPI, PCF, PLCopen collections that the project may not
// redistribute): `PLANTGAN_FIXTURES` if set, else `../shared/fixtures` beside the repository.
// A clone without them still passes its tests: suites that need them skip and say why.
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, test } from "vitest";

/** The repository root: this file sits at packages/testing/src/fixtures.ts. */
const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

const wanted = process.env.PLANTGAN_FIXTURES
  ? resolve(process.env.PLANTGAN_FIXTURES)
  : resolve(REPO_ROOT, "..", "shared", "fixtures");

/** The folder holding dexpi/, dexpi-testcases/, …; undefined when it does not exist. */
export const FIXTURES_DIR: string | undefined = existsSync(wanted) ? wanted : undefined;

/** Why the third-party fixtures are unavailable; undefined when they are there. */
export const FIXTURES_MISSING: string | undefined =
  FIXTURES_DIR === undefined
    ? `third-party fixtures not found at ${wanted}: set PLANTGAN_FIXTURES to a folder holding dexpi/, dexpi-testcases/, dexpi2/, pcf/, plcopen/ (see packages/testing/README.md)`
    : undefined;

/** Absolute path of a file or folder inside the fixtures; throws with the reason when they are missing. */
export function fixturePath(...parts: string[]): string {
  if (FIXTURES_DIR === undefined) throw new Error(FIXTURES_MISSING);
  return resolve(FIXTURES_DIR, ...parts);
}

/**
 * `describe` for suites that read the third-party fixtures. When they are missing, the body is
 * never run (it would read absent files while collecting): one skipped test stands in for the
 * suite, with the reason as its skip note (the verbose reporter prints it), and the reason goes
 * to stderr once per suite, which the default reporter prints under the file's name.
 */
export function describeWithFixtures(name: string, body: () => void): void {
  if (FIXTURES_MISSING === undefined) {
    describe(name, body);
    return;
  }
  const reason = FIXTURES_MISSING;
  describe(name, () => {
    console.warn(`${name}: skipped, ${reason}`);
    test(`skipped: ${reason}`, (ctx) => ctx.skip(reason));
  });
}
