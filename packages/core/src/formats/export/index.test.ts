// The export list: ids unique, each writer gives non-empty text for a real design, and the
// JSON export parses back to the same design.
import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { parseDesign } from "../../design/index.js";
import { EXPORT_FORMATS, exportFormatById } from "./index.js";

const parsed = parseDesign(
  readFileSync(new URL("../../../../../datasets/examples/pump-station.json", import.meta.url), "utf8"),
);
if (!parsed.success) throw new Error("example does not parse");
const design = parsed.data;

it("lists each format once, with a media type and an extension", () => {
  const ids = EXPORT_FORMATS.map((f) => f.id);
  expect(new Set(ids).size).toBe(ids.length);
  expect(ids).toEqual(expect.arrayContaining(["dexpi", "dexpi2", "pcf", "cause-effect", "plcopen"]));
  for (const f of EXPORT_FORMATS) {
    expect(f.mediaType).toMatch(/^[a-z]+\/[a-z0-9.+-]+$/);
    expect(f.extension).toMatch(/^\.[a-z]+$/);
    expect(exportFormatById(f.id)).toBe(f);
  }
  expect(exportFormatById("nope")).toBeUndefined();
});

it.each(EXPORT_FORMATS.map((f) => [f.id, f] as const))("%s writes the design", (_id, f) => {
  const text = f.write(design);
  expect(text.length).toBeGreaterThan(100);
  if (f.mediaType.endsWith("xml")) expect(text.startsWith("<?xml")).toBe(true);
});

it("json export parses back to the same design", () => {
  const back = parseDesign(exportFormatById("json")!.write(design));
  expect(back.success && back.data).toEqual(design);
});
