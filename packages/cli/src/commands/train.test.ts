import { describe, expect, it, vi } from "vitest";
import { run } from "../main.js";

describe("plantgan train", () => {
  it("`plantgan train` refuses a setting the API refuses, naming the flag, with exit 2", async () => {
    const written: string[] = [];
    const spy = vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    try {
      expect(await run(["train", "--dataset", "no-such-dir", "--epochs", "1001", "--batch", "x"])).toBe(2);
    } finally {
      spy.mockRestore();
    }
    expect(written.join("")).toContain("--epochs must be an integer from 1 to 1000; got 1001");
    expect(written.join("")).toContain("--batch must be an integer from 1 to 512; got x");
  });

  it("`plantgan train --cost-weight` outside 0 to 100 exits 2 naming the flag", async () => {
    for (const weight of ["-1", "101", "cheap"]) {
      const written: string[] = [];
      const spy = vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
        written.push(String(chunk));
        return true;
      });
      try {
        expect(await run(["train", "--dataset", "no-such-dir", "--cost-weight", weight])).toBe(2);
      } finally {
        spy.mockRestore();
      }
      expect(written.join("")).toContain(`--cost-weight must be a number from 0 to 100; got ${weight}`);
    }
  });
});
