import type { Split } from "./splits.js";
import type { DatasetJob, DesignStats } from "./worker.js";

/** A design the build made, with the figures the card and histograms aggregate. */
export interface BuiltDesign {
  readonly job: DatasetJob;
  readonly id: string;
  readonly text: string;
  readonly stats: DesignStats;
  readonly split: Split;
}

/** manifest.json: what `dataset build` wrote, and what `dataset inspect` checks. */
export interface Manifest {
  readonly name: string;
  readonly description: string;
  readonly command: string;
  readonly seed: number;
  readonly perClass: number;
  readonly split: Readonly<Record<Split, number>>;
  readonly generator: { readonly name: string; readonly version: string };
  readonly rulePack: { readonly id: string; readonly version: string };
  readonly counts: {
    readonly total: number;
    readonly byClass: Readonly<Record<string, number>>;
    readonly bySplit: Readonly<
      Record<Split, { readonly total: number; readonly byClass: Readonly<Record<string, number>> }>
    >;
  };
  readonly retries: { readonly total: number; readonly byReason: Readonly<Record<string, number>> };
  readonly files: readonly {
    readonly path: string;
    readonly designs: number;
    readonly bytes: number;
    readonly sha256: string;
    /** sha256 of the uncompressed NDJSON: the content, whatever gzip implementation wrote it. */
    readonly contentSha256: string;
  }[];
}
