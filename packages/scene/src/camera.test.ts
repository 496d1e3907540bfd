import { Box3, Vector3 } from "three";
import { describe, expect, it } from "vitest";
import { easeInOut, fitDistance, viewPose } from "./index.js";

describe("camera poses", () => {
  const box = new Box3(new Vector3(0, 0, 0), new Vector3(160, 90, 10));

  it("looks down on the plot centre from above for the top view", () => {
    const pose = viewPose(box, "top", 45, 1.5);
    expect(pose.target.toArray()).toEqual([80, 45, 5]);
    expect(pose.position.x).toBeCloseTo(80);
    expect(pose.position.z).toBeGreaterThan(100);
  });

  it("comes from the south-east for iso and from the south for side", () => {
    const iso = viewPose(box, "iso", 45, 1.5);
    expect(iso.position.x).toBeGreaterThan(80);
    expect(iso.position.y).toBeLessThan(45);
    const side = viewPose(box, "side", 45, 1.5);
    expect(side.position.y).toBeLessThan(0);
    expect(Math.abs(side.position.x - 80)).toBeLessThan(1e-9);
  });

  it("backs off further for a narrow view", () => {
    expect(fitDistance(10, 45, 0.5)).toBeGreaterThan(fitDistance(10, 45, 2));
  });

  it("eases from 0 to 1", () => {
    expect(easeInOut(0)).toBe(0);
    expect(easeInOut(1)).toBe(1);
    expect(easeInOut(0.5)).toBeCloseTo(0.5);
  });
});
