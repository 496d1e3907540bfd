/**
 * PLCopen TC6 XML (IEC 61131-10, schema tc6_0201) of the control configuration: one program per
 * control loop (a PID in Structured Text, acting direct or reverse as the loop says) and one per
 * interlock (a latched trip in ST: the cause's trip comparison, one BOOL output per effect, reset
 * only once the condition has cleared), and a configuration that runs them all on one cyclic task.
 */
import type { Design, Interlock, Loop } from "../../design/index.js";
import { el, type XmlNode, xmlDocument } from "./xml.js";

export interface PlcopenOptions {
  /** The file header's creation time. Default: now. */
  readonly createdAt?: Date;
  /** Cycle time of the task, ms. Default 100. */
  readonly cycleMs?: number;
}

/** An IEC 61131-3 identifier from a tag: letters, digits and single underscores ("P-101A" → "P_101A"). */
export function iecName(tag: string): string {
  const s = tag
    .replace(/[^A-Za-z0-9]+/g, "_")
    .replace(/_+/g, "_")
    .replace(/^_|_$/g, "");
  return /^[0-9]/.test(s) ? `T_${s}` : s || "X";
}

export const loopProgramName = (loop: Loop) => `LOOP_${iecName(loop.tag)}`;
export const interlockProgramName = (il: Interlock) => `IL_${iecName(il.tag)}`;

type Var = { name: string; type: "REAL" | "BOOL"; init?: string; doc?: string };

function variable(v: Var): XmlNode {
  return el(
    "variable",
    { name: v.name },
    el("type", {}, el(v.type)),
    v.init !== undefined && el("initialValue", {}, el("simpleValue", { value: v.init })),
    v.doc !== undefined && el("documentation", {}, el("xhtml:p", {}, v.doc)),
  );
}

function program(name: string, doc: string, inputs: Var[], outputs: Var[], locals: Var[], st: string): XmlNode {
  return el(
    "pou",
    { name, pouType: "program" },
    el(
      "interface",
      {},
      inputs.length > 0 && el("inputVars", {}, ...inputs.map(variable)),
      outputs.length > 0 && el("outputVars", {}, ...outputs.map(variable)),
      locals.length > 0 && el("localVars", {}, ...locals.map(variable)),
    ),
    el("body", {}, el("ST", {}, el("xhtml:p", {}, st))),
    el("documentation", {}, el("xhtml:p", {}, doc)),
  );
}

function loopProgram(loop: Loop, cycleS: number): XmlNode {
  // ISA: a reverse-acting controller lowers its output when the measurement rises.
  const error = loop.action === "direct" ? "PV - SP" : "SP - PV";
  const st = [
    `(* ${loop.tag}: ${loop.action}-acting PID; measurement ${loop.measurement}, final element ${loop.finalElement} *)`,
    `error := ${error};`,
    "IF AUTO THEN",
    `  integral := LIMIT(-1000.0, integral + error * ${cycleS.toFixed(3)}, 1000.0);`,
    `  derivative := (error - prevError) / ${cycleS.toFixed(3)};`,
    "  OUT := LIMIT(0.0, KP * (error + integral / TI + TD * derivative), 100.0);",
    "ELSE",
    "  OUT := LIMIT(0.0, MAN_OUT, 100.0);",
    "  integral := 0.0;",
    "END_IF;",
    "prevError := error;",
  ].join("\n");
  return program(
    loopProgramName(loop),
    `Control loop ${loop.tag}: ${loop.measurement} -> ${loop.finalElement}`,
    [
      { name: "PV", type: "REAL", doc: `measurement ${loop.measurement}` },
      { name: "SP", type: "REAL", init: loop.setpoint !== undefined ? realLiteral(loop.setpoint) : "0.0" },
      { name: "AUTO", type: "BOOL", init: "TRUE" },
      { name: "MAN_OUT", type: "REAL", init: "0.0" },
      { name: "KP", type: "REAL", init: "1.0" },
      { name: "TI", type: "REAL", init: "10.0", doc: "integral time, s" },
      { name: "TD", type: "REAL", init: "0.0", doc: "derivative time, s" },
    ],
    [{ name: "OUT", type: "REAL", doc: `output to ${loop.finalElement}, %` }],
    [
      { name: "error", type: "REAL" },
      { name: "prevError", type: "REAL" },
      { name: "integral", type: "REAL" },
      { name: "derivative", type: "REAL" },
    ],
    st,
  );
}

function realLiteral(v: number): string {
  const s = String(v);
  return /[.eE]/.test(s) ? s : `${s}.0`;
}

function interlockProgram(il: Interlock): XmlNode {
  const { instrument, trip } = il.cause;
  const low = trip === "L" || trip === "LL";
  const condition = low ? "PV <= TRIP_SP" : "PV >= TRIP_SP";
  const outputs = [...new Set(il.effects.map((e) => `${iecName(e.target)}_${e.action.toUpperCase()}`))];
  const st = [
    `(* ${il.tag}: ${instrument} ${trip} -> ${il.effects.map((e) => `${e.target} ${e.action}`).join(", ")} *)`,
    `IF ${condition} THEN`,
    "  TRIPPED := TRUE;",
    `ELSIF RESET THEN`,
    "  TRIPPED := FALSE;",
    "END_IF;",
    ...outputs.map((o) => `${o} := TRIPPED;`),
  ].join("\n");
  return program(
    interlockProgramName(il),
    `Interlock ${il.tag}: ${instrument} ${trip}`,
    [
      { name: "PV", type: "REAL", doc: `measurement ${instrument}` },
      { name: "TRIP_SP", type: "REAL", init: "0.0", doc: `${trip} trip point` },
      { name: "RESET", type: "BOOL", init: "FALSE" },
    ],
    [{ name: "TRIPPED", type: "BOOL" }, ...outputs.map((name) => ({ name, type: "BOOL" as const }))],
    [],
    st,
  );
}

export function writePlcopen(design: Design, options: PlcopenOptions = {}): string {
  const created = (options.createdAt ?? new Date()).toISOString().replace(/\.\d+Z$/, "");
  const cycleMs = options.cycleMs ?? 100;
  const scaling = (name: string) => el(name, {}, el("scaling", { x: 0, y: 0 }));
  const pous = [
    ...design.control.loops.map((l) => loopProgram(l, cycleMs / 1000)),
    ...design.control.interlocks.map(interlockProgram),
  ];
  const names = [...design.control.loops.map(loopProgramName), ...design.control.interlocks.map(interlockProgramName)];
  return xmlDocument(
    el(
      "project",
      { xmlns: "http://www.plcopen.org/xml/tc6_0201", "xmlns:xhtml": "http://www.w3.org/1999/xhtml" },
      el("fileHeader", {
        companyName: "PlantGAN",
        productName: "PlantGAN",
        productVersion: "1",
        creationDateTime: created,
      }),
      el(
        "contentHeader",
        { name: design.name ?? design.id },
        el("coordinateInfo", {}, scaling("fbd"), scaling("ld"), scaling("sfc")),
      ),
      el("types", {}, el("dataTypes"), el("pous", {}, ...pous)),
      el(
        "instances",
        {},
        el(
          "configurations",
          {},
          el(
            "configuration",
            { name: "plant" },
            el(
              "resource",
              { name: "control" },
              el(
                "task",
                { name: "cyclic", priority: 1, interval: `T#${cycleMs}ms` },
                ...names.map((n) => el("pouInstance", { name: `${n}_1`, typeName: n })),
              ),
            ),
          ),
        ),
      ),
    ),
  );
}
