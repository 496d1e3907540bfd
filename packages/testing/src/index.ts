// Test support for every package and suite, never shipped: see ../README.md.
export { describeWithFixtures, FIXTURES_DIR, FIXTURES_MISSING, fixturePath } from "./fixtures.js";
export { OWN_DEXPI, OWN_DEXPI_DIR, type OwnDexpiName, ownDexpiPath, readOwnDexpi } from "./own-dexpi.js";
