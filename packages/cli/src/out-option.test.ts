import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { addOutOption } from "./out-option.js";

/** Parses `args` with a command that has the out option; returns the options its action saw. */
async function parsed(args: string[]): Promise<{ out?: string }> {
  let seen: { out?: string } = {};
  const command = new Command("write").exitOverride();
  addOutOption(command, "where to write");
  command.action((options: { out?: string }) => {
    seen = options;
  });
  await command.parseAsync(args, { from: "user" });
  return seen;
}

describe("-o, --out", () => {
  it("takes -o, --out and the old --output, all as `out`", async () => {
    expect((await parsed(["-o", "a.json"])).out).toBe("a.json");
    expect((await parsed(["--out", "b.json"])).out).toBe("b.json");
    expect((await parsed(["--output", "c.json"])).out).toBe("c.json");
    expect((await parsed([])).out).toBeUndefined();
  });

  it("shows --out in the help, not --output", () => {
    const command = new Command("write");
    addOutOption(command, "where to write");
    const help = command.helpInformation();
    expect(help).toContain("-o, --out <file>");
    expect(help).not.toContain("--output");
  });
});
