import { fixtureBatchItems } from "@plantgan/testing";
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { EQUIPMENT_TYPES, encodingLayout, HAZARDS } from "../views/vocabulary.js";
import {
  CONDITION_LAYOUT,
  CONDITION_SIZE,
  countLoss,
  createTrainer,
  disposeBatch,
  layoutCost,
  layoutPenalties,
  makeBatch,
  SITE_SCALE,
  useBackend,
} from "./index.js";

const layout = encodingLayout({ nMax: 3 });

interface Box {
  x: number;
  y: number;
  w: number;
  d: number;
  type?: (typeof EQUIPMENT_TYPES)[number];
  hazard?: (typeof HAZARDS)[number];
}

/** A one-sample batch of placed equipment on a 100 × 50 m site (rotation 0), with DN ≤ 50 lines from → to. */
function graph(boxes: Box[], lines: readonly (readonly [number, number])[] = []) {
  const { offsets, F } = layout;
  const n = layout.spec.nMax;
  const X = new Float32Array(n * F);
  const mask = new Float32Array(n);
  boxes.forEach((b, i) => {
    const row = i * F;
    X[row + offsets.type + EQUIPMENT_TYPES.indexOf(b.type ?? "pump")] = 1;
    X[row + offsets.size] = b.w / layout.spec.footprintScale;
    X[row + offsets.size + 1] = b.d / layout.spec.footprintScale;
    X[row + offsets.position] = b.x / 100;
    X[row + offsets.position + 1] = b.y / 50;
    X[row + offsets.rotation] = 1;
    X[row + offsets.placed] = 1;
    X[row + offsets.hazard + HAZARDS.indexOf(b.hazard ?? "none")] = 1;
    mask[i] = 1;
  });
  const A = new Float32Array(layout.R * n * n);
  for (const [from, to] of lines) A[from * n + to] = 1; // slice 0: the smallest pipe size class
  const c = new Float32Array(CONDITION_SIZE);
  c[CONDITION_LAYOUT.siteWidth] = 100 / SITE_SCALE;
  c[CONDITION_LAYOUT.siteDepth] = 50 / SITE_SCALE;
  c[CONDITION_LAYOUT.counts + EQUIPMENT_TYPES.indexOf("pump")] = 0.3; // 3 pumps asked for
  return {
    g: {
      X: tf.tensor3d(X, [1, n, F]),
      A: tf.tensor4d(A, [1, layout.R, n, n]),
      mask: tf.tensor2d(mask, [1, n]),
    },
    c: tf.tensor2d(c, [1, CONDITION_SIZE]),
  };
}

function penalties(boxes: Box[], spacing?: Parameters<typeof layoutPenalties>[3]) {
  return tf.tidy(() => {
    const { g, c } = graph(boxes);
    const p = layoutPenalties(g, c, layout, spacing);
    return {
      overlap: p.overlap.dataSync()[0]!,
      site: p.site.dataSync()[0]!,
      spacing: p.spacing.dataSync()[0]!,
      count: countLoss(g, c, layout).dataSync()[0]!,
    };
  });
}

beforeAll(async () => {
  await useBackend("wasm");
});

describe("layout penalties", () => {
  it("are zero for a clear layout inside the site", () => {
    const p = penalties([
      { x: 20, y: 20, w: 2, d: 2 },
      { x: 40, y: 20, w: 2, d: 2 },
    ]);
    expect(p.overlap).toBe(0);
    expect(p.site).toBe(0);
    expect(p.spacing).toBe(0);
  });

  it("measure overlap as a share of footprint area", () => {
    // Two 2 × 2 m boxes 1 m apart centre to centre: 1 × 2 = 2 m² shared of 8 m².
    const p = penalties([
      { x: 20, y: 20, w: 2, d: 2 },
      { x: 21, y: 20, w: 2, d: 2 },
    ]);
    expect(p.overlap).toBeCloseTo(0.25, 5);
    expect(p.spacing).toBeGreaterThan(1); // overlapping: the gap is negative
  });

  it("measure how far footprints stick out of the site", () => {
    // 4 m wide at x = 1: 1 m out on the west; the other box is inside. Mean over placed: 0.5 m.
    const p = penalties([
      { x: 1, y: 20, w: 4, d: 2 },
      { x: 50, y: 20, w: 2, d: 2 },
    ]);
    expect(p.site).toBeCloseTo(0.5, 5);
  });

  it("measure clearance shortfall against the clearance and the hazard rules", () => {
    // Edge gap 0.45 m against 0.9 m clearance: half short, for both ordered pairs.
    expect(
      penalties([
        { x: 20, y: 20, w: 2, d: 2 },
        { x: 22.45, y: 20, w: 2, d: 2 },
      ]).spacing,
    ).toBeCloseTo(0.5, 4);
    // Fired next to flammable, 5 m apart edge to edge: 15 m required, 2/3 short.
    const hazardPair: Box[] = [
      { x: 20, y: 20, w: 2, d: 2, type: "furnace", hazard: "fired" },
      { x: 27, y: 20, w: 2, d: 2, hazard: "flammable" },
    ];
    expect(penalties(hazardPair).spacing).toBeCloseTo(2 / 3, 4);
    expect(penalties(hazardPair, { clearance: 0.9, rules: [] }).spacing).toBe(0);
  });

  it("count the equipment asked for", () => {
    // 3 pumps asked, 2 present: squared miss 1.
    expect(
      penalties([
        { x: 20, y: 20, w: 2, d: 2 },
        { x: 40, y: 20, w: 2, d: 2 },
      ]).count,
    ).toBeCloseTo(1, 5);
  });

  it("measure footprint area on racks and keep-outs (obstacles.ts rows), zero when clear", () => {
    const onRack = tf.tidy(() => {
      const { g, c } = graph([{ x: 20, y: 20, w: 4, d: 4 }]);
      // A 40 × 8 m rack centred at (30, 20): the 16 m² footprint stands fully on it.
      const obstacles = tf.tensor3d([[[30, 20, 40, 8]]]);
      const away = graph([{ x: 20, y: 40, w: 4, d: 4 }]);
      return [
        layoutPenalties(g, c, layout, undefined, obstacles).obstacle.dataSync()[0]!,
        layoutPenalties(away.g, away.c, layout, undefined, obstacles).obstacle.dataSync()[0]!,
      ];
    });
    expect(onRack[0]).toBeCloseTo(1, 4);
    expect(onRack[1]).toBe(0);
  });
});

describe("layout cost", () => {
  const line = [[0, 1]] as const;
  const designer: Box[] = [
    { x: 20, y: 20, w: 2, d: 2 },
    { x: 40, y: 20, w: 2, d: 2 },
    { x: 30, y: 30, w: 2, d: 2 },
  ];
  const cost = (boxes: Box[], lines: readonly (readonly [number, number])[] = line) =>
    tf.tidy(() => {
      const fake = graph(boxes, lines);
      const real = graph(designer, lines);
      const k = layoutCost(fake.g, real.g, real.c, layout);
      return { piping: k.piping.dataSync()[0]!, area: k.area.dataSync()[0]!, total: k.total.dataSync()[0]! };
    });

  it("is 1 for the designer's own layout", () => {
    const k = cost(designer);
    expect(k.piping).toBeCloseTo(1, 5);
    expect(k.area).toBeCloseTo(1, 5);
    expect(k.total).toBeCloseTo(1, 5);
  });

  it("measures piping on the lines' Manhattan distances and land on the bounding box, against the designer", () => {
    // The line's ends 10 + 5 m apart instead of 20 m; the items at x 20, 30, 25 and y 20, 25, 30
    // span 12 × 12 m (footprints included) against the designer's 22 × 12 m.
    const k = cost([
      { x: 20, y: 20, w: 2, d: 2 },
      { x: 30, y: 25, w: 2, d: 2 },
      { x: 25, y: 30, w: 2, d: 2 },
    ]);
    expect(k.piping).toBeCloseTo((15 + 1) / (20 + 1), 4);
    expect(k.area).toBeCloseTo((12 * 12 + 1) / (22 * 12 + 1), 4);
    expect(k.total).toBeCloseTo((k.piping + k.area) / 2, 5);
    // Without lines the piping part is 1 (1 m / 1 m), not 0 / 0.
    expect(cost(designer, []).piping).toBeCloseTo(1, 5);
  });

  it("has gradients that pull connected items together and the box in", () => {
    const grad = tf.tidy(() => {
      const real = graph(designer, line);
      // The fake side gets a copy of X: the designer's side is a constant, as in training.
      const g = tf.grad((X: tf.Tensor) => layoutCost({ ...real.g, X: X as tf.Tensor3D }, real.g, real.c, layout).total)(
        tf.clone(real.g.X),
      );
      const rows = (g.arraySync() as number[][][])[0]!;
      return [0, 1, 2].map((i) => rows[i]![layout.offsets.position]!);
    });
    // The line's west end wants to move east, its east end west; the middle item sets no extreme of
    // x and has no line, so nothing moves it along x.
    expect(grad[0]).toBeLessThan(0);
    expect(grad[1]).toBeGreaterThan(0);
    expect(grad[2]).toBe(0);
  });
});

describe("layout cost in the generator's objective", () => {
  const tiny = {
    nMax: 16,
    latentSize: 8,
    generatorHidden: 32,
    nodeHidden: 16,
    edgeRank: 2,
    criticHidden: 16,
    grid: 8,
    gridHidden: 16,
    generator: "layout",
    layoutOnly: true,
    refineSteps: 1,
    seed: 5,
  } as const;

  /** The generator's gradients on one real batch, from the same seeded weights, at a cost weight. */
  function generatorGradients(cost: number) {
    const trainer = createTrainer({ ...tiny, penalties: { cost } });
    const batch = makeBatch(fixtureBatchItems(4, 16), trainer.layout);
    try {
      return trainer.generatorGradients(batch, { offset: 0, size: 4, total: 4 });
    } finally {
      disposeBatch(batch);
      trainer.dispose();
    }
  }

  it("changes the generator's gradients when it weighs, and leaves them as they were at weight 0", () => {
    const off = generatorGradients(0);
    const again = generatorGradients(0);
    const on = generatorGradients(1);
    const change = (a: typeof off, b: typeof off) =>
      Math.max(...a.grads.flatMap((g, i) => Array.from(g, (v, j) => Math.abs(v - b.grads[i]![j]!))));
    expect(change(off, again)).toBe(0); // same seed, same batch: the comparison below is the term's doing
    expect(change(off, on)).toBeGreaterThan(1e-4);
    // The logged parts stay the same: the cost enters only the objective (g_loss, the first entry).
    expect(on.losses.slice(1)).toEqual(off.losses.slice(1));
    expect(on.losses[0]).toBeGreaterThan(off.losses[0]!);
  });
});
