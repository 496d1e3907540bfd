import { describe, expect, it } from "vitest";
import { parseDesign } from "./parse.js";
import { findRepeatedKey, parseJsonText } from "./safety.js";

describe("a JSON document that repeats a key is refused", () => {
  it("points at the repeated key, however deep", () => {
    expect(findRepeatedKey('{"a":1,"a":2}')).toBe("/a");
    expect(findRepeatedKey('{"lines":[{"id":"x"},{"id":"y","size":50,"size":80}]}')).toBe("/lines/1/size");
    expect(findRepeatedKey('{"a/b":{"m~n":1,"m~n":2}}')).toBe("/a~1b/m~0n");
  });

  it("decodes escapes, so one key spelt two ways is still one key", () => {
    expect(findRepeatedKey('{"tag":"P-1","t\\u0061g":"P-2"}')).toBe("/tag");
  });

  it("lets the same key live in sibling objects, and string values look like anything", () => {
    expect(findRepeatedKey('[{"a":1},{"a":1}]')).toBeUndefined();
    expect(findRepeatedKey('{"a":{"b":1},"b":{"a":2}}')).toBeUndefined();
    expect(findRepeatedKey('{"a":"\\"a\\":","b":"{\\"a\\":1,\\"a\\":2}","c":"\\\\"}')).toBeUndefined();
    expect(findRepeatedKey('{"k":[1,"k",{"k":null}],"v":"k"}')).toBeUndefined();
  });

  it("parseJsonText refuses it with the pointer; parseDesign passes the refusal on", () => {
    const text = '{"schemaVersion":"1.0","id":"d","id":"e"}';
    const parsed = parseJsonText(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.issue).toMatchObject({ code: "invalid_json", pointer: "/id" });
    const design = parseDesign(text);
    expect(design.success).toBe(false);
    if (!design.success) expect(design.issues.map((i) => i.pointer)).toEqual(["/id"]);
  });
});
