import type { Design } from "@plantgan/core/design";

export interface EpochSeries {
  readonly name: string;
  readonly points: [number, number][];
}

export interface TrainingView {
  /** The layout generator's losses (and a run without phases). */
  readonly losses: EpochSeries[];
  /**
   * The topology generator's losses and metrics: its phase runs first with its own epoch count,
   * so its epoch 1 is not the layout's epoch 1 and gets a chart of its own.
   */
  readonly topology: EpochSeries[];
  readonly metrics: EpochSeries[];
  /** Designs drawn per epoch; `key` (epoch:slot) is stable for React and caches. */
  readonly samples: { readonly epoch: number; readonly designs: { key: string; slot: number; design: Design }[] }[];
  readonly lastEpoch: number;
}

const SKIP = new Set(["epoch", "step", "done", "total", "seconds", "elapsed", "epochs", "time"]);
const LOSS = /loss|^(d|g|gp|d_real|d_fake|g_adv)$/i;

const isDesign = (x: unknown): x is Design =>
  !!x && typeof x === "object" && "equipment" in x && "site" in x && Array.isArray((x as Design).equipment);

function add(into: EpochSeries[], name: string, epoch: number, value: number): void {
  let s = into.find((x) => x.name === name);
  if (!s) {
    s = { name, points: [] };
    into.push(s);
  }
  const at = s.points.findIndex((p) => p[0] === epoch);
  if (at >= 0) s.points[at] = [epoch, value];
  else s.points.push([epoch, value]);
}

/**
 * Folds a training job's events into per-epoch series for the charts. A `metrics` event's data
 * carries `epoch` and numbers: under `losses` (or keys named like losses) they are losses, under
 * `metrics`/`eval` (or any other number) evaluation metrics; `samples` holds designs drawn that
 * epoch. Events with `phase: "topology"` go to `topology`. Unknown shapes are skipped, never thrown on.
 */
export function foldTrainingEvents(events: readonly { type: string; data: unknown }[]): TrainingView {
  const losses: EpochSeries[] = [];
  const metrics: EpochSeries[] = [];
  const topology: EpochSeries[] = [];
  const samples: TrainingView["samples"][number][] = [];
  let lastEpoch = 0;
  let seen = 0;
  for (const e of events) {
    if (e.type !== "metrics" && e.type !== "epoch" && e.type !== "progress") continue;
    const d = e.data as Record<string, unknown> | null;
    if (!d || typeof d !== "object") continue;
    const hasNumbers = Object.entries(d).some(
      ([k, v]) => !SKIP.has(k) && (typeof v === "number" || (v && typeof v === "object")),
    );
    if (e.type === "progress" && !("losses" in d) && !("metrics" in d)) continue;
    if (!hasNumbers) continue;
    seen += 1;
    const epoch = typeof d.epoch === "number" ? d.epoch : typeof d.step === "number" ? d.step : seen;
    lastEpoch = Math.max(lastEpoch, epoch);
    const ofTopology = d.phase === "topology";
    const lossesInto = ofTopology ? topology : losses;
    const metricsInto = ofTopology ? topology : metrics;
    for (const [k, v] of Object.entries(d)) {
      if (SKIP.has(k)) continue;
      if (typeof v === "number" && Number.isFinite(v)) add(LOSS.test(k) ? lossesInto : metricsInto, k, epoch, v);
      else if (
        v &&
        typeof v === "object" &&
        !Array.isArray(v) &&
        (k === "losses" || k === "loss" || k === "metrics" || k === "eval")
      ) {
        for (const [name, x] of Object.entries(v as Record<string, unknown>)) {
          if (typeof x === "number" && Number.isFinite(x))
            add(k.startsWith("loss") ? lossesInto : metricsInto, name, epoch, x);
        }
      }
    }
    const raw = d.samples ?? d.sample;
    const list = (Array.isArray(raw) ? raw : raw ? [raw] : [])
      .map((x) =>
        isDesign(x)
          ? x
          : x && typeof x === "object" && "design" in x && isDesign((x as { design: unknown }).design)
            ? (x as { design: Design }).design
            : null,
      )
      .filter((x): x is Design => x !== null);
    if (list.length > 0)
      samples.push({ epoch, designs: list.map((design, slot) => ({ key: `${epoch}:${slot}`, slot, design })) });
  }
  return { losses, topology, metrics, samples, lastEpoch };
}
