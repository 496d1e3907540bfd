// The project's own DEXPI 1.x files (packages/testing/dexpi, written by hand, see its README):
// tests that need *a* P&ID use these, so they run on every clone, fixtures or not.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** Absolute path of packages/testing/dexpi/, with a trailing slash. */
export const OWN_DEXPI_DIR: string = fileURLToPath(new URL("../dexpi/", import.meta.url));

/** The hand-written files, by what they show. */
export const OWN_DEXPI = {
  /** T-100 → P-101 (suction, gate valve) → V-102 (discharge, check valve); PT-101 on the discharge. */
  pump: "pump-suction-discharge.xml",
  /** P-201 fills T-202 through LV-201; LT-201 on the tank → LIC-201 → LV-201. */
  tankLevelLoop: "tank-level-loop.xml",
  /** P-301 → V-302 on 80-P-301; a tee on it starts branch 50-P-302 → V-303. */
  teeBranch: "tee-branch.xml",
} as const;

export type OwnDexpiName = (typeof OWN_DEXPI)[keyof typeof OWN_DEXPI];

/** Absolute path of one of the hand-written files. */
export function ownDexpiPath(name: OwnDexpiName): string {
  return `${OWN_DEXPI_DIR}${name}`;
}

/** The text of one of the hand-written files. */
export function readOwnDexpi(name: OwnDexpiName): string {
  return readFileSync(ownDexpiPath(name), "utf8");
}
