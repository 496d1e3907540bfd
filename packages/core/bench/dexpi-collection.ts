/**
 * Imports every DEXPI 1.x XML file of a folder (as a user would, bytes decoded as their declaration
 * says) and prints, per file, what came in and the accounting: each model element the file holds
 * (counted from the XML text, element-count.ts) against imported + unmapped, the unmapped grouped by
 * reason, and the lines that run from a nozzle to itself. Beside the interlocks, the trips the file
 * states (read from the text, stated-control.ts) and how many of them signal a valve or machine.
 * For files beyond shared/fixtures; subfolders are walked too.
 *
 *   npx tsx --conditions=@plantgan/source packages/core/bench/dexpi-collection.ts <folder> [--reasons]
 *
 * Exit status 1 when an import fails, the accounting does not add up, or a line runs to its own nozzle.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { countInXml } from "../src/formats/dexpi/element-count.js";
import { ACCOUNTED_ELEMENTS, importDexpi } from "../src/formats/dexpi/index.js";
import { statedTrips } from "../src/formats/dexpi/stated-control.js";
import { decodeContent } from "../src/formats/encoding.js";

const folder = process.argv[2];
if (!folder) throw new Error("usage: dexpi-collection.ts <folder> [--reasons]");
const showReasons = process.argv.includes("--reasons");

// Subfolders too (a collection kept as <repo>/<path>); each file named by its path under the folder.
const files = readdirSync(folder, { recursive: true, encoding: "utf8" })
  .filter((f) => /\.xml$/i.test(f))
  .map((f) => relative(folder, join(folder, f)))
  .sort();
let faults = 0;
const totals = {
  equipment: 0,
  lines: 0,
  instruments: 0,
  loops: 0,
  interlocks: 0,
  trips: 0,
  tripEffects: 0,
  unmapped: 0,
};
console.log(
  "file | equipment | lines | instruments | loops | interlocks | trips stated (with effect) | unmapped | accounting",
);
for (const file of files) {
  const decoded = decodeContent(readFileSync(join(folder, file)));
  if (!decoded.ok) {
    faults++;
    console.log(`${file} | refused: ${decoded.message}`);
    continue;
  }
  const r = importDexpi(decoded.text);
  if (!r.success) {
    faults++;
    console.log(`${file} | import failed: ${r.issues.map((i) => i.message).join("; ")}`);
    continue;
  }
  const c = r.report.counts;
  // Every accounted element of the file is in the design or in unmapped: anything else is a silent drop (or a double count).
  const off = ACCOUNTED_ELEMENTS.flatMap((element) => {
    const inFile = countInXml(decoded.text, element);
    const accounted = r.report.imported[element] + r.report.unmapped.filter((u) => u.element === element).length;
    return accounted === inFile ? [] : [`${element} ${accounted}/${inFile}`];
  });
  const selfLoops = r.design.lines.filter(
    (l) => "tag" in l.from && "tag" in l.to && JSON.stringify(l.from) === JSON.stringify(l.to),
  );
  if (off.length > 0 || selfLoops.length > 0) faults++;
  const accounting = [
    off.length === 0 ? "ok" : `OFF: ${off.join(", ")}`,
    ...(selfLoops.length > 0 ? [`nozzle to itself: ${selfLoops.map((l) => l.id).join(", ")}`] : []),
  ].join("; ");
  const trips = statedTrips(decoded.text);
  const withEffect = trips.filter((t) => t.effect).length;
  console.log(
    `${file} | ${c.equipment} | ${c.lines} | ${c.instruments} | ${c.loops} | ${c.interlocks} | ${trips.length} (${withEffect}) | ${r.report.unmapped.length} | ${accounting}`,
  );
  totals.equipment += c.equipment;
  totals.lines += c.lines;
  totals.instruments += c.instruments;
  totals.loops += c.loops;
  totals.interlocks += c.interlocks;
  totals.trips += trips.length;
  totals.tripEffects += withEffect;
  totals.unmapped += r.report.unmapped.length;
  if (showReasons) {
    const byReason = new Map<string, number>();
    for (const u of r.report.unmapped) {
      const key = `${u.element}: ${u.reason}`;
      byReason.set(key, (byReason.get(key) ?? 0) + 1);
    }
    for (const [reason, n] of [...byReason].sort((a, b) => b[1] - a[1])) console.log(`    ${n} × ${reason}`);
  }
}
console.log(
  `total ${files.length} files | ${totals.equipment} | ${totals.lines} | ${totals.instruments} | ${totals.loops} | ${totals.interlocks} | ${totals.trips} (${totals.tripEffects}) | ${totals.unmapped} | ${faults} with faults`,
);
process.exitCode = faults > 0 ? 1 : 0;
