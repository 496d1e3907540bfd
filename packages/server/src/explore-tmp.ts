import { selectBackend, ganPlace, stripLayout } from "@plantgan/core/gan";
import { readSplit, loadGanModel } from "./cli/commands/model-files.js";
await selectBackend({ prefer: "wasm", log: () => {} });
const { model } = await loadGanModel("datasets/models/default");
const { designs } = await readSplit("datasets/synthetic-v1", "test");
for (const i of [75, 10, 200]) {
const d = designs[i]!;
const [p] = ganPlace(model, { processClass: d.processClass, site: d.site } as any, [{ seed: 1, design: stripLayout(d) }], 3, 1);
console.log(d.processClass, d.site.width, d.site.depth);
console.log("real", d.equipment.slice(0, 12).map((e) => `${e.x},${e.y}`).join(" "));
console.log("gan ", p!.equipment.slice(0, 12).map((e) => `${e.x},${e.y}`).join(" "));
}
