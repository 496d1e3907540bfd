import FlatQueue from "flatqueue";
import { describe, expect, it } from "vitest";
import { OpenSet } from "./astar.js";

describe("OpenSet", () => {
  // The router's routes depend on the order in which states of equal key leave the open set, and
  // the shipped dataset was routed with flatqueue's: OpenSet must pop ids in exactly that order.
  it("pops ids in flatqueue's order, equal keys included, across growth", () => {
    // A linear congruential generator: repeatable draws are all this needs.
    let seed = 16;
    const rand = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 4294967296;
    };
    const open = new OpenSet();
    const reference = new FlatQueue<number>();
    const popped: number[] = [];
    const expected: number[] = [];
    let id = 0;
    let largest = 0;
    for (let round = 0; round < 200; round++) {
      // Few distinct keys, so most keys tie; more pushes than pops, so the heap grows past its start size.
      const pushes = 1 + Math.floor(rand() * 400);
      for (let k = 0; k < pushes; k++) {
        const key = Math.floor(rand() * 16) / 4;
        open.push(id, key);
        reference.push(id, key);
        id++;
      }
      const pops = Math.floor(rand() * 200);
      for (let k = 0; k < pops && reference.length > 0; k++) {
        popped.push(open.pop());
        expected.push(reference.pop()!);
      }
      expect(open.length).toBe(reference.length);
      largest = Math.max(largest, open.length);
    }
    while (reference.length > 0) {
      popped.push(open.pop());
      expected.push(reference.pop()!);
    }
    // The heap itself outgrew its starting room (16,384), so grow() ran.
    expect(largest).toBeGreaterThan(1 << 14);
    expect(popped).toEqual(expected);
  });
});
