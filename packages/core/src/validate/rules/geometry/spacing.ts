import { rectDistance } from "../../../design/geometry.js";
import type { Equipment, SpacingEntry } from "../../../design/types.js";
import { between, EPS, labelWithHazard } from "../../describe.js";
import { metres } from "../../geometry3d.js";
import { matchesSelector as matches } from "../../spacing-table.js";
import type { Rule } from "../../types.js";

/**
 * The spacing table: minimum edge-to-edge plan distances between hazard classes and equipment
 * types (fired equipment and ignition sources from flammables, flares from flammables and tanks...).
 * Where several entries match a pair, the largest applies.
 *
 * Items with the same (type, hazard) match the same entries: they share a profile, and the table is
 * read once per pair of profiles. Each governed pair of profiles is searched from its rarer side
 * only (a few fired heaters look for the many flammable items around them, not the reverse), so
 * the work grows with the number of items near the rare hazards, not with n².
 */
export const rule: Rule = {
  id: "geometry.spacing",
  category: "geometry",
  severity: "error",
  appliesTo: "placed",
  description:
    "Placed equipment keeps the spacing table's minimum edge-to-edge distances between hazard classes and types.",
  source:
    "Rule pack spacing table (default: CCPS Guidelines for Siting and Layout of Facilities, GAPS GAP.2.5.2, IPS-E-PR-190, API Std 521).",
  fix: "Move the items apart to at least the pack's spacing distance, edge to edge.",
  check({ pack, index }, emit) {
    const entries = pack.spacing;
    if (entries.length === 0 || index.placed.length < 2) return;

    // Profiles present in the design, and each placed item's profile.
    const profileIds = new Map<string, number>();
    const sample: Equipment[] = [];
    const counts: number[] = [];
    const profileOf = new Int32Array(index.placed.length);
    // Profiles by the index's type and hazard codes (a string key only for a value the schema
    // does not list): numbered in order of first appearance either way.
    const { placed, placedType, placedHazard } = index;
    const byCode = index.arrays.int32(256 * 256, -1);
    const profile = (e: Equipment): number => {
      sample.push(e);
      counts.push(0);
      return sample.length - 1;
    };
    for (let slot = 0; slot < placed.length; slot++) {
      const type = placedType[slot]!;
      const hazard = placedHazard[slot]!;
      let id: number;
      if (type !== 255 && hazard !== 255) {
        id = byCode[type * 256 + hazard]!;
        if (id < 0) {
          id = profile(placed[slot]!.equipment);
          byCode[type * 256 + hazard] = id;
        }
      } else {
        const e = placed[slot]!.equipment;
        const key = `${e.type}|${e.hazard}`;
        id = profileIds.get(key) ?? -1;
        if (id < 0) {
          id = profile(e);
          profileIds.set(key, id);
        }
      }
      counts[id]!++;
      profileOf[slot] = id;
    }
    const np = sample.length;

    // The governing (largest) entry per pair of profiles, and which side searches.
    const governing: (SpacingEntry | undefined)[] = new Array(np * np);
    const owns = new Uint8Array(np * np);
    const reach = new Float64Array(np);
    for (let p = 0; p < np; p++) {
      for (let q = 0; q < np; q++) {
        let found: SpacingEntry | undefined;
        for (const s of entries) {
          const hit =
            (matches(s.a, sample[p]!) && matches(s.b, sample[q]!)) ||
            (matches(s.a, sample[q]!) && matches(s.b, sample[p]!));
          if (hit && s.distance > 0 && (!found || s.distance > found.distance)) found = s;
        }
        governing[p * np + q] = found;
        const mine = counts[p]! < counts[q]! || (counts[p] === counts[q] && p <= q);
        if (found && mine) {
          owns[p * np + q] = 1;
          if (found.distance > reach[p]!) reach[p] = found.distance;
        }
      }
    }

    const tree = index.footprints;
    const box = { minX: 0, minY: 0, maxX: 0, maxY: 0 };
    for (let slot = 0; slot < placed.length; slot++) {
      const a = placed[slot]!;
      const p = profileOf[a.slot]!;
      const r = reach[p]!;
      if (r <= 0) continue;
      box.minX = a.minX - r;
      box.minY = a.minY - r;
      box.maxX = a.maxX + r;
      box.maxY = a.maxY + r;
      for (const b of tree.search(box)) {
        if (b.index === a.index) continue;
        const q = profileOf[b.slot]!;
        if (!owns[p * np + q]) continue;
        // Same profile: both items search, the one first in design order reports.
        if (p === q && b.index < a.index) continue;
        const entry = governing[p * np + q]!;
        const gap = rectDistance(a, b);
        if (gap >= entry.distance - EPS) continue;
        const [first, second] = a.index < b.index ? [a, b] : [b, a];
        emit({
          message: `${labelWithHazard(first.equipment)} is ${metres(gap)} from ${labelWithHazard(second.equipment)}; the spacing table asks for at least ${metres(entry.distance)} (${entry.source}).`,
          tags: [first.equipment.tag, second.equipment.tag],
          location: between(a, b, Math.max(a.minZ, b.minZ)),
        });
      }
    }
  },
};
