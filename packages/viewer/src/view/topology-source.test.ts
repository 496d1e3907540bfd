import { describe, expect, it } from "vitest";
import { topologySourceLabel } from "./topology-source.js";

describe("topologySourceLabel", () => {
  it("names the recorded source, with what it means", () => {
    expect(topologySourceLabel({ topologySource: "learned" })).toEqual({
      text: "P&ID: learned",
      title: "The P&ID was drawn by the model's learned topology generator.",
    });
    expect(topologySourceLabel({ topologySource: "designer" })?.title).toContain("baseline");
    expect(topologySourceLabel({ topologySource: "mine" })?.title).toBe(
      'The P&ID came from the topology source "mine".',
    );
  });

  it("shows nothing for a design that records no source", () => {
    expect(topologySourceLabel(undefined)).toBeUndefined();
    expect(topologySourceLabel({ topologySource: 3 })).toBeUndefined();
    expect(topologySourceLabel({})).toBeUndefined();
  });
});
