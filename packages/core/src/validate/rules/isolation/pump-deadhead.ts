import type { Line } from "../../../design/types.js";
import { branchLine, isBranchEnd, isNozzleEnd } from "../../../design/types.js";
import { type DesignIndex, typeCode } from "../../context.js";
import type { Rule } from "../../types.js";

const PUMP = typeCode("pump");

/** The lines a pump discharge's flow passes: the line itself, then each header it tees into. */
function downstream(index: DesignIndex, line: Line, maxSteps = 32): Line[] {
  const out: Line[] = [];
  let at: Line | undefined = line;
  for (let step = 0; at && step < maxSteps && !out.includes(at); step++) {
    out.push(at);
    const next = branchLine(at.to);
    at = next === undefined ? undefined : index.lineById.get(next);
  }
  return out;
}

/**
 * A running pump against a shut discharge overheats in minutes. An interlock that closes valves on
 * every discharge path of a pump also stops that pump, unless the pump has a minimum-flow
 * (recirculation) line that keeps it above its minimum flow.
 */
export const rule: Rule = {
  id: "control.pump-deadhead",
  category: "control",
  severity: "error",
  appliesTo: "all",
  description:
    "An interlock that closes every discharge path of a pump also stops it, unless the pump has a minimum-flow line.",
  source:
    "API Std 610 (12th ed., 2021) 6.1.11 and ANSI/HI 9.6.3 (minimum continuous stable flow); IEC 61511-1:2016 10.3.2 (a safety function's action must not create a new hazard).",
  fix: "Add the pump to the interlock's effects with action stop, or give it a minimum-flow line (minimumFlow: true) back to its suction source.",
  check({ design, index }, emit) {
    // Lines an interlock closes a valve on: only pumps discharging through one of them can be
    // dead-headed, so only those lines need the pumps behind them listed.
    const closable = new Set<string>();
    for (const interlock of design.control.interlocks) {
      for (const effect of interlock.effects) {
        if (effect.action !== "close") continue;
        const found = index.componentByTag.get(effect.target);
        if (found) closable.add(found.line.id);
      }
    }
    if (closable.size === 0) return;
    const minimumFlow = new Set<string>();
    const lines = design.lines;
    for (let lineIndex = 0; lineIndex < lines.length; lineIndex++) {
      const line = lines[lineIndex]!;
      if (line.minimumFlow !== true) continue;
      if (isNozzleEnd(line.from)) minimumFlow.add(line.from.tag);
      else if (isBranchEnd(line.from)) {
        const parent = index.lineById.get(line.from.line);
        if (parent && isNozzleEnd(parent.from)) minimumFlow.add(parent.from.tag);
      }
    }
    // Each pump's discharge paths, once; and which pumps discharge through each line, so an
    // interlock looks only at the pumps behind the valves it closes.
    const paths = new Map<string, Line[][]>();
    const pumpsThrough = new Map<string, string[]>();
    for (let k = 0; k < index.uniqueEquipment.length; k++) {
      if (index.uniqueTypes[k] !== PUMP) continue;
      const tag = index.uniqueEquipment[k]!.tag;
      if (minimumFlow.has(tag)) continue;
      let chains: Line[][] | undefined;
      for (const r of index.endsAt(k)) {
        if (r.end !== "from" || r.line.minimumFlow) continue;
        chains ??= [];
        chains.push(downstream(index, r.line));
      }
      if (!chains) continue;
      paths.set(tag, chains);
      // Each line this pump discharges through lists the pump once (its pushes come together).
      for (const chain of chains) {
        for (const line of chain) {
          if (!closable.has(line.id)) continue;
          const pumps = pumpsThrough.get(line.id);
          if (!pumps) pumpsThrough.set(line.id, [tag]);
          else if (pumps[pumps.length - 1] !== tag) pumps.push(tag);
        }
      }
    }
    for (const interlock of design.control.interlocks) {
      const closed = new Set<string>();
      const stopped = new Set<string>();
      for (const effect of interlock.effects) {
        if (effect.action === "stop") stopped.add(effect.target);
        if (effect.action !== "close") continue;
        const found = index.componentByTag.get(effect.target);
        if (found) closed.add(found.line.id);
      }
      if (closed.size === 0) continue;
      const candidates = new Set<string>();
      for (const id of closed) for (const tag of pumpsThrough.get(id) ?? []) candidates.add(tag);
      for (const tag of candidates) {
        if (stopped.has(tag)) continue;
        const shut = paths.get(tag)!.map((chain) => chain.find((l) => closed.has(l.id)));
        if (shut.some((l) => l === undefined)) continue;
        const valves = interlock.effects.filter((e) => e.action === "close").map((e) => e.target);
        emit({
          message: `Interlock ${interlock.tag} closes ${valves.join(", ")} on every discharge of pump ${tag} (line ${shut.map((l) => l!.id).join(", ")}) but does not stop it, and ${tag} has no minimum-flow line: the pump would run dead-headed below its minimum flow (API Std 610 6.1.11; IEC 61511-1 10.3.2).`,
          tags: [interlock.tag, tag, ...valves],
          lines: [...new Set(shut.map((l) => l!.id))],
        });
      }
    }
  },
};
