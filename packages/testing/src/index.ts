// Test support for every package and suite, never shipped: see ../README.md. The third-party
// fixtures locator is its own entry, @plantgan/testing/fixtures (it needs the vitest runner).
export {
  type DesignArbitraryOptions,
  designArbitrary,
  parsedDesignArbitrary,
  placedDesignArbitrary,
  topologyDesignArbitrary,
} from "./arbitraries.js";
export { cleanDesign, cleanDesignInput } from "./clean-designs.js";
export { fixtureBatchItems, fixtureDesigns, fixtureParsed } from "./gan-designs.js";
export { pumpStationRequest, tankFarmWithoutVent, topologyModeRequest } from "./generation-request.js";
export { equipmentIn, lineIn, modifiedDesign } from "./modify-design.js";
export { OWN_DEXPI, OWN_DEXPI_DIR, type OwnDexpiName, ownDexpiPath, readOwnDexpi } from "./own-dexpi.js";
export {
  type EndSpec,
  type EquipmentSpec,
  type LineSpec,
  type NozzleSpec,
  PlantBuilder,
  type PlantHead,
} from "./plant-builder.js";
export { syntheticCleanPlant } from "./synthetic-clean-plant.js";
export { tankFarm, topologyOnly } from "./tank-farm.js";
export { TANK_FARM } from "./tank-farm-input.js";
