import { type Design, isNozzleEnd, type Line } from "@plantgan/core/design";
import type { PickTarget } from "@plantgan/scene";

export type PropertyRow = readonly [label: string, value: string];

export interface Properties {
  readonly title: string;
  readonly subtitle: string;
  readonly rows: readonly PropertyRow[];
}

const m = (v: number | undefined): string => (v === undefined ? "—" : `${Math.round(v * 100) / 100} m`);
const end = (e: Line["from"]): string =>
  isNozzleEnd(e)
    ? `${e.tag} / ${e.nozzle}`
    : "line" in e
      ? `tee on ${e.line}`
      : `open end${e.label ? `: ${e.label}` : ""}`;

/**
 * What the properties panel shows for a picked item, read from the design document itself
 * (field names and units as the contract has them). Pure: no DOM.
 */
export function describeTarget(design: Design, target: PickTarget): Properties | null {
  switch (target.kind) {
    case "equipment": {
      const e = design.equipment.find((x) => x.tag === target.id);
      if (!e) return null;
      const lines = design.lines.filter(
        (l) => (isNozzleEnd(l.from) && l.from.tag === e.tag) || (isNozzleEnd(l.to) && l.to.tag === e.tag),
      );
      return {
        title: e.tag,
        subtitle: `${e.type.replace(/_/g, " ")}${e.name ? ` — ${e.name}` : ""}`,
        rows: [
          [
            "position x, y, z",
            e.x === undefined || e.y === undefined
              ? "not placed (schematic position)"
              : `${m(e.x)}, ${m(e.y)}, ${m(e.z)}`,
          ],
          ["rotation", `${e.rotation}°`],
          ["footprint w × d × h", `${e.footprint.width} × ${e.footprint.depth} × ${e.footprint.height} m`],
          ["hazard", e.hazard],
          ["design pressure", e.designPressure === undefined ? "—" : `${e.designPressure} barg`],
          ["design temperature", e.designTemperature === undefined ? "—" : `${e.designTemperature} °C`],
          ["nozzles", e.nozzles.map((n) => `${n.id}${n.size ? ` DN${n.size}` : ""}`).join(", ") || "—"],
          ["lines", lines.map((l) => l.id).join(", ") || "—"],
        ],
      };
    }
    case "line": {
      const l = design.lines.find((x) => x.id === target.id);
      if (!l) return null;
      let length = 0;
      const r = l.route ?? [];
      for (let i = 1; i < r.length; i++)
        length += Math.hypot(r[i]![0] - r[i - 1]![0], r[i]![1] - r[i - 1]![1], r[i]![2] - r[i - 1]![2]);
      return {
        title: l.id,
        subtitle: `${l.service.replace(/_/g, " ")} line${l.fluid ? ` — ${l.fluid}` : ""}`,
        rows: [
          ["from", end(l.from)],
          ["to", end(l.to)],
          ["size", `DN${l.size}`],
          ["spec / rating", `${l.spec ?? "—"} / ${l.rating ?? "—"}`],
          ["route", l.route ? `${l.route.length} points, ${length.toFixed(1)} m` : "not routed (drawn dashed)"],
          ["components", l.components.map((c) => c.tag ?? c.type).join(", ") || "—"],
          [
            "instruments",
            design.instruments
              .filter((i) => i.on && "line" in i.on && i.on.line === l.id)
              .map((i) => i.tag)
              .join(", ") || "—",
          ],
        ],
      };
    }
    case "component": {
      for (const l of design.lines) {
        const index = l.components.findIndex((c, i) => (c.tag ?? `${l.id}#${i}`) === target.id);
        if (index < 0) continue;
        const c = l.components[index]!;
        const loops = design.control.loops.filter((x) => x.finalElement === c.tag).map((x) => x.tag);
        return {
          title: c.tag ?? `${c.type} on ${l.id}`,
          subtitle: c.type.replace(/_/g, " "),
          rows: [
            ["line", l.id],
            ["position along line", c.at === undefined ? "spread evenly (no `at`)" : `${Math.round(c.at * 100)} %`],
            ["size", c.size ? `DN${c.size}` : `DN${l.size}`],
            ["rating", c.rating ?? l.rating ?? "—"],
            ["final element of", loops.join(", ") || "—"],
          ],
        };
      }
      return null;
    }
    case "instrument": {
      const i = design.instruments.find((x) => x.tag === target.id);
      if (!i) return null;
      const loops = design.control.loops.filter((x) => x.measurement === i.tag).map((x) => x.tag);
      const trips = design.control.interlocks
        .filter((x) => x.cause.instrument === i.tag)
        .map((x) => `${x.tag} (${x.cause.trip})`);
      return {
        title: i.tag,
        subtitle: `instrument${i.name ? ` — ${i.name}` : ""}`,
        rows: [
          ["on", !i.on ? "unmounted" : "tag" in i.on ? i.on.tag : `line ${i.on.line}`],
          ["loops", loops.join(", ") || "—"],
          ["interlocks", trips.join(", ") || "—"],
        ],
      };
    }
    case "loop": {
      const l = design.control.loops.find((x) => x.tag === target.id);
      if (!l) return null;
      return {
        title: l.tag,
        subtitle: "control loop",
        rows: [
          ["measurement", l.measurement ?? "none (hand controller)"],
          ["final element", l.finalElement],
          ["action", l.action],
          ["setpoint", l.setpoint === undefined ? "—" : String(l.setpoint)],
        ],
      };
    }
    case "interlock": {
      const x = design.control.interlocks.find((i) => i.tag === target.id);
      if (!x) return null;
      return {
        title: x.tag,
        subtitle: "interlock",
        rows: [
          ["cause", `${x.cause.instrument} ${x.cause.trip}`],
          ["effects", x.effects.map((e) => `${e.action} ${e.target}`).join(", ")],
        ],
      };
    }
    case "rack": {
      const r = design.site.racks.find((x) => x.id === target.id);
      if (!r) return null;
      return {
        title: r.id,
        subtitle: "pipe rack",
        rows: [
          ["south-west corner", `${m(r.x)}, ${m(r.y)}`],
          ["length × width", `${r.length} × ${r.width} m along ${r.axis}`],
          ["levels", r.levels.map((z) => `${z} m`).join(", ")],
        ],
      };
    }
    case "keepOut": {
      const k = design.site.keepOut.find((x) => x.id === target.id);
      if (!k) return null;
      return {
        title: k.id,
        subtitle: `keep-out: ${k.kind}`,
        rows: [
          ["south-west corner", `${m(k.x)}, ${m(k.y)}`],
          ["width × depth", `${k.width} × ${k.depth} m`],
        ],
      };
    }
    case "plot":
      return {
        title: design.name ?? design.id,
        subtitle: `plot — ${design.processClass.replace(/_/g, " ")}`,
        rows: [
          ["size", `${design.site.width} × ${design.site.depth} m`],
          ["grid", `${design.site.gridSize} m`],
          ["wind from", design.site.windFrom === undefined ? "—" : `${design.site.windFrom}°`],
          ["equipment / lines", `${design.equipment.length} / ${design.lines.length}`],
        ],
      };
  }
}
