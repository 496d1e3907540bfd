import { describe, expect, it, vi } from "vitest";
import { run } from "../main.js";

/** Runs the CLI with these arguments: its exit code and what it wrote to stderr. */
async function runCapturingStderr(args: string[]): Promise<{ code: number; stderr: string }> {
  const written: string[] = [];
  const spy = vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
    written.push(String(chunk));
    return true;
  });
  try {
    return { code: await run(args), stderr: written.join("") };
  } finally {
    spy.mockRestore();
  }
}

describe("plantgan train", () => {
  it("`plantgan train` refuses a setting the API refuses, naming the flag, with exit 2", async () => {
    const { code, stderr } = await runCapturingStderr([
      "train",
      "--dataset",
      "no-such-dir",
      "--epochs",
      "1001",
      "--batch",
      "x",
    ]);
    expect(code).toBe(2);
    expect(stderr).toContain("--epochs must be an integer from 1 to 1000; got 1001");
    expect(stderr).toContain("--batch must be an integer from 1 to 512; got x");
  });

  it("`plantgan train --cost-weight` outside 0 to 100 exits 2 naming the flag", async () => {
    for (const weight of ["-1", "101", "cheap"]) {
      const { code, stderr } = await runCapturingStderr(["train", "--dataset", "no-such-dir", "--cost-weight", weight]);
      expect(code, weight).toBe(2);
      expect(stderr).toContain(`--cost-weight must be a number from 0 to 100; got ${weight}`);
    }
  });
});
