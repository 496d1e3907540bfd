import type { ProcessClass } from "../../design/types.js";
import { distillation } from "./distillation.js";
import { gasCompression } from "./gas-compression.js";
import { pumpStation } from "./pump-station.js";
import { reactorSection } from "./reactor-section.js";
import { tankFarm } from "./tank-farm.js";
import type { Template } from "./types.js";
import { utilities } from "./utilities.js";
import { waterTreatment } from "./water-treatment.js";

/** One template per process class of DESIGN.md. */
export const TEMPLATES: Readonly<Record<ProcessClass, Template>> = {
  pump_station: pumpStation,
  tank_farm: tankFarm,
  gas_compression: gasCompression,
  distillation,
  reactor_section: reactorSection,
  water_treatment: waterTreatment,
  utilities,
};
