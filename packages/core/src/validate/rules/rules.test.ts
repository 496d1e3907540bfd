/**
 * Every rule: fires on a design built to break it (naming the right tags and lines) and stays
 * silent on every clean design. Each case starts from a clean hand-built design and plants one fault.
 */

import { cleanDesign, equipmentIn, lineIn, modifiedDesign } from "@plantgan/testing";
import { describe, expect, it } from "vitest";
import type { Design, PlantDesignInput, ProcessClass, RulePack, Violation } from "../../design/types.js";
import { PROCESS_CLASSES } from "../../design/vocabulary.js";
import { DEFAULT_RULE_PACK, type PipelineOutcome, RULES, validateDesign } from "../index.js";

interface Case {
  readonly rule: string;
  readonly name: string;
  readonly plant: ProcessClass;
  readonly change: (d: PlantDesignInput) => void;
  /** Tags one violation of the rule must name (all of them). */
  readonly tags?: readonly string[];
  /** Lines one violation of the rule must name (all of them). */
  readonly lines?: readonly string[];
  readonly pack?: RulePack;
  /** The generation pipeline's outcome, for the rules that report it. */
  readonly outcome?: PipelineOutcome;
}

type Point3 = [number, number, number];
const instrumentIn = (d: PlantDesignInput, tag: string) => d.instruments!.find((i) => i.tag === tag)!;
const route = (d: PlantDesignInput, id: string): Point3[] => lineIn(d, id).route as Point3[];

/** The default pack with every rule on, for cases of rules it leaves off. */
const EVERY_RULE_ON: RulePack = { ...DEFAULT_RULE_PACK, disabledRules: [] };

/**
 * The rules a design reviewer's checks added (control semantics, ratings, relief, isolation and pump
 * piping, siting, floating lines): each finding names the standard and clause it comes from.
 */
const DESIGN_REVIEW_RULES = [
  "control.loop-path",
  "control.final-element-outputs",
  "control.valve-controller",
  "control.interlock-actuated",
  "control.trip-safe-state",
  "control.trip-senses-protected",
  "control.shared-transmitter",
  "control.loop-numbering",
  "piping.rating-capacity",
  "piping.size-match",
  "piping.relief-block-valve",
  "piping.relief-discharge-size",
  "piping.relief-vapour-space",
  "piping.relief-into-atmospheric-tank",
  "piping.relief-free-draining",
  "piping.flare-knock-out",
  "piping.tank-vent",
  "piping.gas-blow-by",
  "piping.tank-shell-valve",
  "piping.spare-isolation",
  "piping.pump-discharge-order",
  "control.pump-deadhead",
  "geometry.tank-property-line",
  "geometry.hazardous-area",
  "piping.line-anchored",
];
/**
 * Rules that check the design contract or the pipeline's own work (references resolve, bodies do not
 * overlap, routes join their nozzles): no public clause stands behind them.
 */
const CONTRACT_CHECKS = [
  "piping.routed",
  "geometry.legal-position",
  "geometry.inside-site",
  "geometry.overlap",
  "geometry.keep-out",
  "geometry.rack-keep-free",
  "piping.line-ends",
  "piping.open-end",
  "piping.route-ends",
  "piping.route-orthogonal",
  "piping.route-clear",
  "piping.route-clash",
  "consistency.unique-nozzles",
  "consistency.unconnected-equipment",
  "consistency.partial-placement",
  "control.instrument-mount",
  "control.loop-references",
  "control.interlock-references",
];
/** A standard named with its number: "ISA-5.1", "IEC 61511-1 11.2", "API RP 505", "NFPA 30 22.13.1"... */
const CLAUSE =
  /\b(ISA-5\.1|IEC \d{5}|API (RP |Std )?\d{3,4}|ASME (B\d|VIII)|NFPA \d+|ANSI\/HI \d|ISO \d{4,5}|EN \d{4}|PIP [A-Z]{3}\d{3}|CCPS)/;

const FIRES: readonly Case[] = [
  // what the generation pipeline could not do
  {
    rule: "piping.routed",
    name: "a line the router left unrouted, with its reason",
    plant: "pump_station",
    change: (d) => {
      delete lineIn(d, "50-RV-1010-C1").route;
    },
    outcome: {
      unrouted: [
        { line: "50-RV-1010-C1", code: "blocked_nozzle", reason: "every grid point next to its nozzle is taken" },
      ],
    },
    lines: ["50-RV-1010-C1"],
  },
  {
    rule: "geometry.legal-position",
    name: "an item the legaliser found no position for",
    plant: "pump_station",
    change: () => {},
    outcome: { unresolved: [{ code: "no_position", tags: ["P-101A"], message: "P-101A has no legal position" }] },
    tags: ["P-101A"],
  },
  // geometry
  {
    rule: "geometry.inside-site",
    name: "a tank past the east boundary",
    plant: "tank_farm",
    change: (d) => {
      equipmentIn(d, "TK-102").x = 116;
    },
    tags: ["TK-102"],
  },
  {
    rule: "geometry.inside-site",
    name: "a route that leaves the site",
    plant: "pump_station",
    change: (d) => {
      const r = route(d, "50-RV-1010-C1");
      r.splice(1, 0, [r[0]![0], -3, r[0]![2]], [...r[0]!]);
    },
    lines: ["50-RV-1010-C1"],
  },
  {
    rule: "geometry.overlap",
    name: "two pumps on one spot",
    plant: "pump_station",
    change: (d) => {
      equipmentIn(d, "P-101B").x = 37;
    },
    tags: ["P-101A", "P-101B"],
  },
  {
    rule: "geometry.keep-out",
    name: "a drum on the road",
    plant: "pump_station",
    change: (d) => {
      equipmentIn(d, "V-101").y = 4;
    },
    tags: ["V-101"],
  },
  {
    rule: "geometry.rack-keep-free",
    name: "a drum 0.2 m from the rack",
    plant: "pump_station",
    change: (d) => {
      equipmentIn(d, "V-102").y = 36.2;
    },
    tags: ["V-102"],
  },
  {
    rule: "geometry.rack-keep-free",
    name: "a drum on the rack",
    plant: "pump_station",
    change: (d) => {
      equipmentIn(d, "V-102").y = 32;
    },
    tags: ["V-102"],
  },
  {
    rule: "geometry.spacing",
    name: "a fuel gas drum 10 m from the fired heater",
    plant: "distillation",
    change: (d) => {
      equipmentIn(d, "V-305").x = 22;
    },
    tags: ["H-301", "V-305"],
  },
  {
    rule: "geometry.spacing",
    name: "a flare 25 m from the knock-out drum",
    plant: "gas_compression",
    change: (d) => {
      equipmentIn(d, "FL-201").x = 120;
    },
    tags: ["V-203", "FL-201"],
  },
  {
    rule: "geometry.tank-spacing",
    name: "two 15 m tanks 1 m apart",
    plant: "tank_farm",
    change: (d) => {
      equipmentIn(d, "TK-102").x = 36;
    },
    tags: ["TK-101", "TK-102"],
  },
  {
    rule: "geometry.access-clearance",
    name: "A/B pumps 0.5 m apart",
    plant: "pump_station",
    change: (d) => {
      equipmentIn(d, "P-101B").x = 38.5;
    },
    tags: ["P-101A", "P-101B"],
  },
  {
    rule: "geometry.fired-upwind",
    name: "wind from the east blows the pumps' leaks onto the heater",
    plant: "distillation",
    change: (d) => {
      d.site.windFrom = 90;
    },
    tags: ["H-301", "V-305", "P-301A"],
  },
  // piping
  {
    rule: "piping.open-end",
    name: "a line that ends in the open with no label and no plot edge",
    plant: "pump_station",
    change: (d) => {
      lineIn(d, "150-P-1008-C1").to = { open: true };
      delete lineIn(d, "150-P-1008-C1").route;
    },
    lines: ["150-P-1008-C1"],
  },
  {
    rule: "piping.line-ends",
    name: "a nozzle that does not exist",
    plant: "pump_station",
    change: (d) => {
      lineIn(d, "200-P-1001-A1").from = { tag: "V-101", nozzle: "N9" };
    },
    tags: ["V-101"],
    lines: ["200-P-1001-A1"],
  },
  {
    rule: "piping.line-ends",
    name: "equipment that does not exist",
    plant: "pump_station",
    change: (d) => {
      lineIn(d, "200-P-1001-A1").to = { tag: "F-999", nozzle: "IN" };
    },
    tags: ["F-999"],
    lines: ["200-P-1001-A1"],
  },
  {
    rule: "piping.line-ends",
    name: "a branch off a missing line",
    plant: "pump_station",
    change: (d) => {
      lineIn(d, "200-P-1003-A1").from = { line: "999-X-1" };
    },
    lines: ["200-P-1003-A1", "999-X-1"],
  },
  {
    rule: "piping.line-ends",
    name: "a branch off itself",
    plant: "pump_station",
    change: (d) => {
      lineIn(d, "200-P-1003-A1").from = { line: "200-P-1003-A1" };
    },
    lines: ["200-P-1003-A1"],
  },
  {
    rule: "piping.line-ends",
    name: "a line from a nozzle back to it",
    plant: "pump_station",
    change: (d) => {
      lineIn(d, "200-P-1001-A1").to = { tag: "V-101", nozzle: "OUT" };
    },
    tags: ["V-101"],
    lines: ["200-P-1001-A1"],
  },
  {
    rule: "piping.nozzle-single-line",
    name: "two lines on one pump suction",
    plant: "pump_station",
    change: (d) => {
      lineIn(d, "200-P-1003-A1").to = { tag: "P-101B", nozzle: "S" };
    },
    tags: ["P-101B"],
    lines: ["200-P-1002-A1", "200-P-1003-A1"],
  },
  {
    rule: "piping.size-match",
    name: "a DN 200 line on a DN 150 nozzle",
    plant: "pump_station",
    change: (d) => {
      equipmentIn(d, "F-101").nozzles![0]!.size = 150;
    },
    tags: ["F-101"],
    lines: ["200-P-1001-A1"],
  },
  {
    rule: "piping.size-match",
    name: "a branch larger than its header",
    plant: "water_treatment",
    change: (d) => {
      lineIn(d, "150-W-6002").size = 200;
      equipmentIn(d, "P-501A").nozzles![0]!.size = 200;
    },
    lines: ["150-W-6002", "150-W-6001"],
  },
  {
    rule: "piping.rating-match",
    name: "a CL600 line on a CL300 nozzle",
    plant: "pump_station",
    change: (d) => {
      equipmentIn(d, "V-102").nozzles![0]!.rating = "CL300";
    },
    tags: ["V-102"],
    lines: ["150-P-1007-C1"],
  },
  {
    rule: "piping.rating-match",
    name: "PN16 on PN10 above the DN 150 the pair holds for",
    plant: "water_treatment",
    change: (d) => {
      lineIn(d, "150-W-6001").size = 200;
      equipmentIn(d, "TK-501").nozzles![0]!.size = 200;
    },
    tags: ["TK-501"],
    lines: ["150-W-6001"],
  },
  {
    rule: "piping.rating-match",
    name: "a CL150 branch on a CL300 header",
    plant: "pump_station",
    change: (d) => {
      lineIn(d, "200-P-1003-A1").rating = "CL150";
      equipmentIn(d, "P-101A").nozzles![0]!.rating = "CL150";
    },
    lines: ["200-P-1003-A1", "200-P-1002-A1"],
  },
  {
    rule: "piping.pump-check-valve",
    name: "a spare pump's discharge without a check valve",
    plant: "pump_station",
    change: (d) => {
      lineIn(d, "150-P-1005-B1").components = [{ type: "gate_valve" }];
    },
    tags: ["P-101B"],
    lines: ["150-P-1005-B1"],
  },
  {
    rule: "piping.relief-path",
    name: "a 20 barg drum whose relief valve is gone",
    plant: "pump_station",
    change: (d) => {
      lineIn(d, "50-RV-1009-A1").components = [{ type: "spec_break", rating: "CL150" }];
    },
    tags: ["V-101"],
  },
  {
    rule: "piping.relief-path",
    name: "a compressor without relief",
    plant: "gas_compression",
    change: (d) => {
      lineIn(d, "250-G-3002-B1").components = [{ type: "check_valve" }];
    },
    tags: ["K-201"],
  },
  {
    rule: "piping.route-ends",
    name: "a route that starts 2 m off its nozzle",
    plant: "pump_station",
    change: (d) => {
      const r = route(d, "200-P-1001-A1");
      r[0] = [r[0]![0] + 2, r[0]![1], r[0]![2]];
    },
    tags: ["V-101"],
    lines: ["200-P-1001-A1"],
  },
  {
    rule: "piping.route-ends",
    name: "a branch that starts off its header",
    plant: "pump_station",
    change: (d) => {
      const r = route(d, "200-P-1003-A1");
      r[0] = [r[0]![0], r[0]![1] + 3, r[0]![2]];
    },
    lines: ["200-P-1003-A1", "200-P-1002-A1"],
  },
  {
    rule: "piping.route-orthogonal",
    name: "a diagonal segment",
    plant: "pump_station",
    change: (d) => {
      const r = route(d, "200-P-1001-A1");
      r.splice(2, 1);
    },
    lines: ["200-P-1001-A1"],
  },
  {
    rule: "piping.route-clear",
    name: "a suction header run at ground level through the A pump",
    plant: "pump_station",
    change: (d) => {
      lineIn(d, "200-P-1002-A1").route = [
        [26.5, 27.5, 1],
        [26.5, 27, 1],
        [39, 27, 1],
        [39, 27.5, 1],
        [39, 27.5, 0.4],
      ];
    },
    tags: ["P-101A"],
    lines: ["200-P-1002-A1"],
  },
  {
    rule: "piping.route-clear",
    name: "a relief line across the road",
    plant: "pump_station",
    change: (d) => {
      const r = route(d, "50-RV-1009-A1");
      r.splice(1, 0, [r[0]![0], 3, r[0]![2]], [...r[0]!]);
    },
    lines: ["50-RV-1009-A1"],
  },
  {
    rule: "piping.route-clash",
    name: "a relief line laid in the lane of a process line",
    plant: "pump_station",
    change: (d) => {
      const lane = route(d, "200-P-1001-A1")[3]!;
      const r = route(d, "50-RV-1009-A1");
      const start = r[0]!;
      const end = r[r.length - 1]!;
      lineIn(d, "50-RV-1009-A1").route = [
        start,
        [start[0], start[1], lane[2]],
        [start[0], lane[1], lane[2]],
        [24, lane[1], lane[2]],
        [24, lane[1], 9],
        [end[0], lane[1], 9],
        [end[0], end[1], 9],
        end,
      ];
    },
    lines: ["200-P-1001-A1", "50-RV-1009-A1"],
  },
  // consistency
  {
    rule: "consistency.unique-tags",
    name: "an instrument tagged like a pump",
    plant: "pump_station",
    change: (d) => void d.instruments!.push({ tag: "P-101A", on: { tag: "V-101" } }),
    tags: ["P-101A"],
  },
  {
    rule: "consistency.unique-tags",
    name: "two loops with one tag",
    plant: "pump_station",
    change: (d) => {
      d.control!.loops![1]!.tag = "LIC-101";
    },
    tags: ["LIC-101"],
  },
  {
    rule: "consistency.unique-line-ids",
    name: "two lines with one number",
    plant: "pump_station",
    change: (d) => {
      lineIn(d, "50-RV-1010-C1").id = "50-RV-1009-A1";
    },
    lines: ["50-RV-1009-A1"],
  },
  {
    rule: "consistency.unique-nozzles",
    name: "two nozzles marked IN",
    plant: "pump_station",
    change: (d) => void equipmentIn(d, "V-102").nozzles!.push({ id: "IN", dx: 2, dy: -1, dz: 1 }),
    tags: ["V-102"],
  },
  {
    rule: "consistency.unconnected-equipment",
    name: "a drum no line reaches",
    plant: "pump_station",
    change: (d) =>
      void d.equipment.push({
        tag: "V-199",
        type: "vessel",
        x: 90,
        y: 20,
        footprint: { width: 2, depth: 2, height: 2 },
        nozzles: [{ id: "IN", dx: 0, dy: 1, dz: 1 }],
      }),
    tags: ["V-199"],
  },
  {
    rule: "consistency.partial-placement",
    name: "one drum without a position",
    plant: "pump_station",
    change: (d) => {
      const e = equipmentIn(d, "V-103");
      delete e.x;
      delete e.y;
    },
    tags: ["V-103"],
  },
  {
    rule: "consistency.isa-tag-form",
    name: "an instrument with one letter",
    plant: "pump_station",
    change: (d) => void d.instruments!.push({ tag: "L-199", on: { tag: "V-101" } }),
    tags: ["L-199"],
  },
  {
    rule: "consistency.isa-tag-form",
    name: "an instrument with five letters",
    plant: "pump_station",
    change: (d) => void d.instruments!.push({ tag: "LTIRA-199", on: { tag: "V-101" } }),
    tags: ["LTIRA-199"],
  },
  {
    rule: "consistency.isa-tag-form",
    name: "a controller without C",
    plant: "pump_station",
    change: (d) => {
      d.control!.loops![0]!.tag = "LI-101";
    },
    tags: ["LI-101"],
  },
  {
    rule: "consistency.isa-tag-form",
    name: "a control valve not ending in V",
    plant: "pump_station",
    change: (d) => {
      lineIn(d, "200-P-1001-A1").components = [{ type: "gate_valve" }, { tag: "LY-101", type: "control_valve" }];
      d.control!.loops![0]!.finalElement = "LY-101";
    },
    tags: ["LY-101"],
  },
  {
    rule: "consistency.isa-tag-form",
    name: "a relief valve tagged as a hand valve",
    plant: "pump_station",
    change: (d) => {
      lineIn(d, "50-RV-1009-A1").components = [
        { tag: "HV-101", type: "relief_valve" },
        { type: "spec_break", rating: "CL150" },
      ];
    },
    tags: ["HV-101"],
  },
  {
    rule: "consistency.isa-letters",
    name: "a level controller measuring flow",
    plant: "pump_station",
    change: (d) => {
      d.control!.loops![0]!.measurement = "FT-103";
    },
    tags: ["LIC-101", "FT-103"],
  },
  {
    rule: "consistency.isa-letters",
    name: "a level controller driving a pressure valve",
    plant: "pump_station",
    change: (d) => {
      d.control!.loops![0]!.finalElement = "PV-102";
    },
    tags: ["LIC-101", "PV-102"],
  },
  {
    rule: "consistency.isa-letters",
    name: "a level transmitter on a line",
    plant: "pump_station",
    change: (d) => void d.instruments!.push({ tag: "LT-199", on: { line: "200-P-1001-A1" } }),
    tags: ["LT-199"],
    lines: ["200-P-1001-A1"],
  },
  {
    rule: "consistency.isa-letters",
    name: "a level transmitter on a pump",
    plant: "pump_station",
    change: (d) => void d.instruments!.push({ tag: "LT-199", on: { tag: "P-101A" } }),
    tags: ["LT-199"],
  },
  {
    rule: "consistency.isa-letters",
    name: "a flow transmitter on a drum",
    plant: "pump_station",
    change: (d) => void d.instruments!.push({ tag: "FT-199", on: { tag: "V-101" } }),
    tags: ["FT-199"],
  },
  {
    rule: "consistency.isa-letters",
    name: "a vibration transmitter on a drum",
    plant: "pump_station",
    change: (d) => void d.instruments!.push({ tag: "VT-199", on: { tag: "V-101" } }),
    tags: ["VT-199"],
  },
  // control
  {
    rule: "control.loop-references",
    name: "a loop measuring with a missing transmitter",
    plant: "pump_station",
    change: (d) => {
      d.control!.loops![0]!.measurement = "LT-999";
    },
    tags: ["LIC-101", "LT-999"],
  },
  {
    rule: "control.loop-references",
    name: "a loop measuring with a pump",
    plant: "pump_station",
    change: (d) => {
      d.control!.loops![0]!.measurement = "P-101A";
    },
    tags: ["LIC-101", "P-101A"],
  },
  {
    rule: "control.loop-references",
    name: "a loop acting on a drum",
    plant: "pump_station",
    change: (d) => {
      d.control!.loops![0]!.finalElement = "V-101";
    },
    tags: ["LIC-101", "V-101"],
  },
  {
    rule: "control.loop-references",
    name: "a loop acting on a missing valve",
    plant: "pump_station",
    change: (d) => {
      d.control!.loops![0]!.finalElement = "LV-999";
    },
    tags: ["LIC-101", "LV-999"],
  },
  {
    rule: "control.loop-references",
    name: "a loop acting on a gate valve",
    plant: "pump_station",
    change: (d) => {
      lineIn(d, "200-P-1001-A1").components = [{ tag: "LV-101", type: "gate_valve" }];
    },
    tags: ["LIC-101", "LV-101"],
    lines: ["200-P-1001-A1"],
  },
  {
    rule: "control.instrument-mount",
    name: "an instrument on missing equipment",
    plant: "pump_station",
    change: (d) => {
      d.instruments![0]!.on = { tag: "V-999" };
    },
    tags: ["LT-101", "V-999"],
  },
  {
    rule: "control.instrument-mount",
    name: "an instrument on a missing line",
    plant: "pump_station",
    change: (d) => {
      d.instruments![1]!.on = { line: "999-X-1" };
    },
    tags: ["PT-102"],
    lines: ["999-X-1"],
  },
  {
    rule: "control.interlock-references",
    name: "an interlock tripped by a missing instrument",
    plant: "pump_station",
    change: (d) => {
      d.control!.interlocks![0]!.cause.instrument = "LT-999";
    },
    tags: ["I-101", "LT-999"],
  },
  {
    rule: "control.interlock-references",
    name: "an interlock stopping a missing pump",
    plant: "pump_station",
    change: (d) => {
      d.control!.interlocks![0]!.effects[0]!.target = "P-999A";
    },
    tags: ["I-101", "P-999A"],
  },
  {
    rule: "control.interlock-conflict",
    name: "low level starts the pump that low-low level stops",
    plant: "pump_station",
    change: (d) =>
      void d.control!.interlocks!.push({
        tag: "I-199",
        cause: { instrument: "LT-101A", trip: "L" },
        effects: [{ target: "P-101A", action: "start" }],
      }),
    tags: ["P-101A", "I-101", "I-199"],
  },
  {
    rule: "control.interlock-conflict",
    name: "one interlock opening and closing one valve",
    plant: "tank_farm",
    change: (d) =>
      void d.control!.interlocks!.push({
        tag: "I-199",
        cause: { instrument: "PT-106", trip: "H" },
        effects: [
          { target: "XV-101", action: "open" },
          { target: "XV-101", action: "close" },
        ],
      }),
    tags: ["XV-101", "I-199"],
  },
  {
    rule: "control.loop-path",
    name: "a level loop measuring a drum its valve is not piped to",
    plant: "pump_station",
    change: (d) => {
      d.equipment.push({ tag: "V-199", type: "vessel", footprint: { width: 2, depth: 2, height: 3 } });
      instrumentIn(d, "LT-101").on = { tag: "V-199" };
    },
    tags: ["LIC-101", "LT-101", "LV-101"],
  },
  {
    rule: "control.final-element-outputs",
    name: "a flow loop and a level loop driving one valve",
    plant: "pump_station",
    change: (d) => void d.control!.loops!.push({ tag: "FIC-103", measurement: "FT-103", finalElement: "LV-101" }),
    tags: ["LV-101", "LIC-101", "FIC-103"],
  },
  {
    rule: "control.valve-controller",
    name: "a control valve whose loop is gone",
    plant: "pump_station",
    change: (d) => void d.control!.loops!.splice(1, 1),
    tags: ["PV-102"],
    lines: ["150-P-1007-C1"],
  },
  {
    rule: "control.interlock-actuated",
    name: "a trip closing a hand valve",
    plant: "pump_station",
    change: (d) => {
      lineIn(d, "200-P-1001-A1").components![0]!.tag = "HV-101";
      d.control!.interlocks![0]!.effects.push({ target: "HV-101", action: "close" });
    },
    tags: ["I-101", "HV-101"],
    lines: ["200-P-1001-A1"],
  },
  {
    rule: "control.trip-safe-state",
    name: "a high-high pressure trip opening the valve that feeds the drum",
    plant: "pump_station",
    change: (d) => void d.control!.interlocks![1]!.effects.push({ target: "PV-102", action: "open" }),
    tags: ["I-102", "PV-102", "V-102"],
  },
  {
    rule: "control.trip-senses-protected",
    name: "a low-low level trip on a drum the pumps do not draw from",
    plant: "pump_station",
    change: (d) => {
      d.equipment.push({ tag: "V-199", type: "vessel", footprint: { width: 2, depth: 2, height: 3 } });
      instrumentIn(d, "LT-101A").on = { tag: "V-199" };
    },
    tags: ["I-101", "P-101A", "LT-101A"],
  },
  {
    rule: "control.shared-transmitter",
    name: "a low-low level trip on the level controller's transmitter",
    plant: "pump_station",
    change: (d) => {
      d.control!.interlocks![0]!.cause.instrument = "LT-101";
    },
    tags: ["I-101", "LT-101", "LIC-101"],
  },
  {
    rule: "control.loop-numbering",
    name: "a controller numbered apart from its transmitter and valve",
    plant: "pump_station",
    change: (d) => {
      d.control!.loops![0]!.tag = "LIC-109";
    },
    tags: ["LIC-109", "LT-101", "LV-101"],
  },
  {
    rule: "piping.rating-capacity",
    name: "a CL150 line designed for 500 barg",
    plant: "pump_station",
    change: (d) => {
      lineIn(d, "200-P-1001-A1").rating = "CL150";
      lineIn(d, "200-P-1001-A1").designPressure = 500;
    },
    lines: ["200-P-1001-A1"],
    pack: { ...DEFAULT_RULE_PACK, disabledRules: [] },
  },
  {
    rule: "geometry.tank-property-line",
    name: "a flammable tank 1 m from the west boundary",
    plant: "tank_farm",
    change: (d) => {
      const tank = equipmentIn(d, "TK-101");
      tank.hazard = "flammable";
      tank.x = tank.footprint.width / 2 + 1;
    },
    tags: ["TK-101"],
    pack: { ...DEFAULT_RULE_PACK, disabledRules: [] },
  },
  {
    rule: "geometry.hazardous-area",
    name: "a substation 2 m from a flammable pump",
    plant: "pump_station",
    change: (d) => {
      const pump = equipmentIn(d, "P-101A");
      pump.hazard = "flammable";
      d.site.keepOut!.push({ id: "SUB-9", kind: "substation", x: pump.x! + 3, y: pump.y!, width: 3, depth: 3 });
    },
    tags: ["P-101A", "SUB-9"],
    pack: { ...DEFAULT_RULE_PACK, disabledRules: [] },
  },
  {
    rule: "geometry.hazardous-area",
    name: "a fired heater 4.85 m from a flammable drum, under a pack whose spacing table is empty",
    plant: "distillation",
    change: (d) => {
      equipmentIn(d, "V-305").x = 17;
      equipmentIn(d, "V-305").y = 33.35;
    },
    tags: ["V-305", "H-301"],
    pack: { ...DEFAULT_RULE_PACK, spacing: [] },
  },
  // validator depth (issue 18)
  {
    rule: "piping.line-anchored",
    name: "two lines that tee only off each other",
    plant: "pump_station",
    change: (d) => {
      d.lines.push(
        { id: "50-P-9001-A1", from: { line: "50-P-9002-A1" }, to: { line: "50-P-9002-A1" }, size: 50 },
        { id: "50-P-9002-A1", from: { line: "50-P-9001-A1" }, to: { line: "50-P-9001-A1" }, size: 50 },
      );
    },
    lines: ["50-P-9001-A1", "50-P-9002-A1"],
  },
  {
    rule: "piping.relief-block-valve",
    name: "an unlocked gate valve between a drum and its relief valve",
    plant: "pump_station",
    change: (d) => {
      lineIn(d, "50-RV-1009-A1").components!.unshift({ type: "gate_valve" });
    },
    tags: ["V-101", "PSV-101"],
    lines: ["50-RV-1009-A1"],
    pack: EVERY_RULE_ON,
  },
  {
    rule: "piping.relief-discharge-size",
    name: "a reducer to a smaller size after a relief valve",
    plant: "pump_station",
    change: (d) => {
      lineIn(d, "50-RV-1009-A1").components!.push({ type: "reducer", size: 25 });
    },
    tags: ["PSV-101"],
    lines: ["50-RV-1009-A1"],
  },
  {
    rule: "piping.relief-into-atmospheric-tank",
    name: "a relief line into a flammable atmospheric tank",
    plant: "water_treatment",
    change: (d) => {
      equipmentIn(d, "TK-502").hazard = "flammable";
    },
    tags: ["TK-502", "V-502"],
    lines: ["50-W-6012"],
    pack: EVERY_RULE_ON,
  },
  {
    rule: "piping.flare-knock-out",
    name: "a relief header teeing into the drum-to-flare line",
    plant: "gas_compression",
    change: (d) => {
      lineIn(d, "100-FL-3006-A1").to = { line: "300-FL-3010-A1" };
    },
    lines: ["100-FL-3006-A1", "300-FL-3010-A1"],
  },
  {
    rule: "piping.tank-vent",
    name: "an atmospheric tank without its vent nozzle",
    plant: "tank_farm",
    change: (d) => {
      const tank = equipmentIn(d, "TK-101");
      tank.nozzles = tank.nozzles!.filter((n) => n.id !== "VENT");
    },
    tags: ["TK-101"],
    pack: EVERY_RULE_ON,
  },
  {
    rule: "piping.gas-blow-by",
    name: "a level valve from a 20 barg drum into an unrelieved 5 barg filter",
    plant: "pump_station",
    change: (d) => {
      equipmentIn(d, "F-101").designPressure = 5;
      const line = lineIn(d, "200-P-1002-A1");
      line.components = line.components!.filter((c) => c.type !== "relief_valve");
    },
    tags: ["LV-101", "V-101", "F-101"],
    lines: ["200-P-1001-A1"],
  },
  {
    rule: "piping.relief-vapour-space",
    name: "a drum's relief line taken from a nozzle below its liquid level",
    plant: "pump_station",
    change: (d) => {
      equipmentIn(d, "V-101").nozzles!.find((n) => n.id === "PSV")!.dz = 0.5;
    },
    tags: ["V-101", "PSV-101"],
    lines: ["50-RV-1009-A1"],
  },
  {
    rule: "piping.relief-free-draining",
    name: "a relief line that dips to grade and rises into its drum",
    plant: "pump_station",
    change: (d) => {
      lineIn(d, "50-RV-1009-A1").route = [
        [16, 27.5, 3.5],
        [16, 27.5, 6.5],
        [16, 30.875, 6.5],
        [16, 30.875, 0.5],
        [83, 30.875, 0.5],
        [83, 30.875, 6.5],
        [83, 36.5, 6.5],
        [83, 36.5, 1.5],
      ];
    },
    tags: ["V-101", "V-103"],
    lines: ["50-RV-1009-A1"],
    pack: EVERY_RULE_ON,
  },
  {
    rule: "piping.tank-shell-valve",
    name: "a tank outlet with no valve at the shell",
    plant: "tank_farm",
    change: (d) => {
      lineIn(d, "300-P-2002-A1").components = [];
    },
    tags: ["TK-102"],
    lines: ["300-P-2002-A1"],
    pack: EVERY_RULE_ON,
  },
  {
    rule: "piping.spare-isolation",
    name: "a spare pump's suction with no block valve",
    plant: "pump_station",
    change: (d) => {
      lineIn(d, "200-P-1003-A1").components = [];
    },
    tags: ["P-101A"],
    lines: ["200-P-1003-A1"],
  },
  {
    rule: "piping.pump-discharge-order",
    name: "a block valve between the pump and its check valve",
    plant: "pump_station",
    change: (d) => {
      lineIn(d, "150-P-1005-B1").components = [{ type: "gate_valve" }, { type: "check_valve" }];
    },
    tags: ["P-101B"],
    lines: ["150-P-1005-B1"],
  },
  {
    rule: "control.pump-deadhead",
    name: "a trip that shuts the discharge valve and leaves the pumps running",
    plant: "pump_station",
    change: (d) => {
      d.control!.interlocks![1]!.effects = [{ target: "PV-102", action: "close" }];
    },
    tags: ["I-102", "P-102A", "PV-102"],
    lines: ["150-P-1007-C1"],
  },
  {
    rule: "piping.size-match",
    name: "reducers that leave the line at DN 100 where it meets a DN 200 nozzle",
    plant: "gas_compression",
    change: (d) => {
      lineIn(d, "100-FL-3005-A1").components!.push({ type: "reducer", size: 100 });
    },
    tags: ["V-203"],
    lines: ["100-FL-3005-A1"],
  },
];

function ofRule(d: Design, rule: string, pack?: RulePack, outcome?: PipelineOutcome): Violation[] {
  return validateDesign(d, pack, outcome ? { outcome } : {}).violations.filter((v) => v.rule === rule);
}

describe("each rule fires on a design built to break it", () => {
  it.each(FIRES.map((c) => [`${c.rule}: ${c.name}`, c] as const))("%s", (_, c) => {
    const found = ofRule(modifiedDesign(c.plant, c.change), c.rule, c.pack, c.outcome);
    expect(found.length, `no ${c.rule} violation`).toBeGreaterThan(0);
    const naming = found.find(
      (v) => (c.tags ?? []).every((t) => v.tags.includes(t)) && (c.lines ?? []).every((l) => v.lines.includes(l)),
    );
    expect(naming, JSON.stringify(found, null, 1)).toBeDefined();
    expect(naming!.message.length).toBeGreaterThan(20);
  });

  it("every rule says how to fix what it finds, and each planted fault carries that suggestion", () => {
    expect(RULES.filter((r) => (r.fix ?? "").length < 20).map((r) => r.id)).toEqual([]);
    for (const c of FIRES) {
      for (const v of ofRule(modifiedDesign(c.plant, c.change), c.rule, c.pack, c.outcome))
        expect(v.suggestion, `${c.rule}: ${c.name}`).toBeTruthy();
    }
  });

  it("every planted fault names the clause it breaks, but for the contract's own checks", () => {
    expect(DESIGN_REVIEW_RULES.filter((r) => CONTRACT_CHECKS.includes(r))).toEqual([]);
    for (const c of FIRES.filter((f) => !CONTRACT_CHECKS.includes(f.rule))) {
      for (const v of ofRule(modifiedDesign(c.plant, c.change), c.rule, c.pack, c.outcome))
        expect(v.message, `${c.rule}: ${c.name}`).toMatch(CLAUSE);
    }
  });

  it("has a breaking case for every registered rule", () => {
    const covered = new Set(FIRES.map((c) => c.rule));
    expect(RULES.map((r) => r.id).filter((id) => !covered.has(id))).toEqual([]);
  });
});

describe("each rule stays silent on every clean design", () => {
  const reports = PROCESS_CLASSES.map((pc) => [pc, validateDesign(cleanDesign(pc))] as const);
  const offByDefault = new Set(DEFAULT_RULE_PACK.disabledRules ?? []);
  it.each(RULES.filter((r) => !offByDefault.has(r.id)).map((r) => [r.id]))("%s", (id) => {
    for (const [pc, report] of reports) {
      expect(
        report.violations.filter((v) => v.rule === id),
        pc,
      ).toEqual([]);
      expect(
        report.skipped.map((s) => s.rule),
        pc,
      ).not.toContain(id);
    }
  });
});

describe("what the rules let pass", () => {
  it("equipment stacked above another (no shared height) is no overlap", () => {
    const d = modifiedDesign("pump_station", (input) => {
      const pump = equipmentIn(input, "P-101A");
      input.equipment.push({
        tag: "V-199",
        type: "vessel",
        x: pump.x!,
        y: pump.y!,
        z: 2,
        footprint: { width: 2, depth: 1, height: 1 },
      });
    });
    expect(ofRule(d, "geometry.overlap")).toEqual([]);
  });

  it("equipment standing on the rack structure keeps the rack free", () => {
    const d = modifiedDesign("pump_station", (input) => {
      input.equipment.push({
        tag: "EA-199",
        type: "air_cooler",
        x: 90,
        y: 32,
        z: 7,
        footprint: { width: 6, depth: 4, height: 3 },
      });
    });
    expect(ofRule(d, "geometry.rack-keep-free")).toEqual([]);
  });

  it("a route over a keep-out is fine where a rack carries it", () => {
    const d = modifiedDesign("pump_station", (input) => {
      input.site.keepOut!.push({ id: "road-X", kind: "road", x: 60, y: 20, width: 4, depth: 20 });
    });
    expect(ofRule(d, "piping.route-clear")).toEqual([]);
    expect(ofRule(d, "geometry.keep-out")).toEqual([]);
  });

  it("a reducer accounts for a size change, a spec break for a rating change", () => {
    const d = modifiedDesign("pump_station", (input) => {
      equipmentIn(input, "F-101").nozzles![0]!.size = 150;
      lineIn(input, "200-P-1001-A1").components!.push({ type: "reducer", size: 150 });
      equipmentIn(input, "V-102").nozzles![0]!.rating = "CL300";
      lineIn(input, "150-P-1007-C1").components!.push({ type: "spec_break", rating: "CL300" });
    });
    expect(ofRule(d, "piping.size-match")).toEqual([]);
    expect(ofRule(d, "piping.rating-match")).toEqual([]);
  });

  it("a branch end is found on a long parent route (through the segment grid)", () => {
    const densify = (input: PlantDesignInput) => {
      const r = route(input, "200-P-1002-A1");
      const [a, b] = [r[3]!, r[4]!]; // the parent's run along its rack lane
      const steps = Array.from({ length: 99 }, (_, i): Point3 => [a[0] + ((b[0] - a[0]) * (i + 1)) / 100, a[1], a[2]]);
      r.splice(4, 0, ...steps);
    };
    const on = modifiedDesign("pump_station", densify);
    expect(on.lines.find((l) => l.id === "200-P-1002-A1")!.route!.length).toBeGreaterThan(64);
    expect(ofRule(on, "piping.route-ends")).toEqual([]);
    const off = modifiedDesign("pump_station", (input) => {
      densify(input);
      const r = route(input, "200-P-1003-A1");
      r[0] = [r[0]![0], r[0]![1] + 3, r[0]![2]];
    });
    expect(ofRule(off, "piping.route-ends").map((v) => v.lines)).toEqual([["200-P-1003-A1", "200-P-1002-A1"]]);
  });

  it("a speed-driven pump may be a loop's final element", () => {
    const d = modifiedDesign("pump_station", (input) => {
      input.control!.loops![0]!.finalElement = "P-101A";
    });
    expect(ofRule(d, "control.loop-references")).toEqual([]);
  });

  // Each kind against each other kind: the rule first asks the index's tag maps whether any tag
  // repeats at all, so every pairing must still reach the full count.
  it.each([
    ["two equipment items", (d: PlantDesignInput) => d.equipment[1]!, (d: PlantDesignInput) => d.equipment[0]!.tag],
    [
      "two components",
      (d: PlantDesignInput) => taggedComponents(d)[1]!,
      (d: PlantDesignInput) => taggedComponents(d)[0]!.tag!,
    ],
    [
      "a component and an equipment item",
      (d: PlantDesignInput) => taggedComponents(d)[0]!,
      (d: PlantDesignInput) => d.equipment[0]!.tag,
    ],
    [
      "a component and an instrument",
      (d: PlantDesignInput) => taggedComponents(d)[0]!,
      (d: PlantDesignInput) => d.instruments![0]!.tag,
    ],
    [
      "an interlock and an instrument",
      (d: PlantDesignInput) => d.control!.interlocks![0]!,
      (d: PlantDesignInput) => d.instruments![0]!.tag,
    ],
    [
      "two interlocks",
      (d: PlantDesignInput) => d.control!.interlocks![1]!,
      (d: PlantDesignInput) => d.control!.interlocks![0]!.tag,
    ],
    [
      "a loop and a component",
      (d: PlantDesignInput) => d.control!.loops![0]!,
      (d: PlantDesignInput) => taggedComponents(d)[0]!.tag!,
    ],
    [
      "a loop and an interlock",
      (d: PlantDesignInput) => d.control!.loops![0]!,
      (d: PlantDesignInput) => d.control!.interlocks![0]!.tag,
    ],
  ] as const)("one tag on %s is a duplicate tag", (_, item, tagOf) => {
    let tag = "";
    const d = modifiedDesign("pump_station", (input) => {
      tag = tagOf(input);
      item(input).tag = tag;
    });
    expect(ofRule(d, "consistency.unique-tags").map((v) => v.tags)).toEqual([[tag]]);
  });

  it("a controller listed as an instrument too is not a duplicate tag", () => {
    const d = modifiedDesign(
      "pump_station",
      (input) => void input.instruments!.push({ tag: "LIC-101", on: { tag: "V-101" } }),
    );
    expect(ofRule(d, "consistency.unique-tags")).toEqual([]);
  });

  it("high-high and low-low trips of one transmitter never conflict", () => {
    const d = modifiedDesign("pump_station", (input) => {
      input.control!.interlocks!.push({
        tag: "I-199",
        cause: { instrument: "LT-101A", trip: "HH" },
        effects: [{ target: "P-101A", action: "start" }],
      });
    });
    expect(ofRule(d, "control.interlock-conflict")).toEqual([]);
  });

  it("exempt equipment types need no relief valve", () => {
    const pack: RulePack = {
      ...DEFAULT_RULE_PACK,
      relief: { ...DEFAULT_RULE_PACK.relief, exemptTypes: ["pump", "heat_exchanger", "air_cooler", "compressor"] },
    };
    const d = modifiedDesign("gas_compression", (input) => {
      lineIn(input, "250-G-3002-B1").components = [{ type: "check_valve" }];
    });
    expect(ofRule(d, "piping.relief-path", pack)).toEqual([]);
  });

  it("the wind rule says why it did not run", () => {
    const noWind = validateDesign(modifiedDesign("distillation", (input) => void delete input.site.windFrom));
    expect(noWind.skipped).toContainEqual({ rule: "geometry.fired-upwind", reason: expect.stringMatching(/windFrom/) });
    const { wind: _, ...packWithoutWind } = DEFAULT_RULE_PACK;
    const noSection = validateDesign(cleanDesign("distillation"), packWithoutWind);
    expect(noSection.skipped).toContainEqual({
      rule: "geometry.fired-upwind",
      reason: expect.stringMatching(/wind section/),
    });
  });

  it("a larger pack number turns a clean layout into a finding", () => {
    const pack: RulePack = { ...DEFAULT_RULE_PACK, access: { ...DEFAULT_RULE_PACK.access, clearance: 2 } };
    const found = ofRule(cleanDesign("pump_station"), "geometry.access-clearance", pack);
    expect(found.some((v) => v.tags.includes("P-101A") && v.tags.includes("P-101B"))).toBe(true);
  });
});

function taggedComponents(d: PlantDesignInput): { tag?: string }[] {
  return d.lines.flatMap((l) => (l.components ?? []).filter((c) => c.tag !== undefined));
}
