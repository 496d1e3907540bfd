import { readFileSync } from "node:fs";
import { selectBackend, ganPlace, stripLayout, unpackCheckpoint, restoreTrainer, modelLayout } from "@plantgan/core/gan";
import { readSplit } from "./cli/commands/model-files.js";
await selectBackend({ prefer: "wasm", log: () => {} });
const { state, extra } = unpackCheckpoint(new Uint8Array(readFileSync("datasets/models/default/checkpoint.bin")));
const tr = await restoreTrainer(state);
console.log("epoch", extra.epoch);
const model = { generator: tr.generator, config: tr.config.model, layout: modelLayout(tr.config.model) };
const { designs } = await readSplit("datasets/synthetic-v1", "test");
for (const i of [75, 10, 200]) {
const d = designs[i]!;
const [p] = ganPlace(model, { processClass: d.processClass, site: d.site } as any, [{ seed: 1, design: stripLayout(d) }], 3, 1);
console.log(d.processClass, d.site.width, d.site.depth);
console.log("real", d.equipment.slice(0, 12).map((e) => `${e.x},${e.y}`).join(" "));
console.log("gan ", p!.equipment.slice(0, 12).map((e) => `${e.x},${e.y}`).join(" "));
}
