/**
 * Candidates named on the command line for `plantgan generate --variant-of` and `--blend`: a
 * reference is `FILE` (the file's first candidate: the best of `plantgan generate -o` output) or
 * `FILE#ID` (the candidate of that id). The file is `generate -o` NDJSON or its `--json` document.
 * Each candidate's origin (request, latent, topology seed) is read from its design's metadata,
 * where the pipeline records it.
 */
import { readFile } from "node:fs/promises";
import type { Design } from "@plantgan/core/design";
import { type CandidateOrigin, OriginError, readOrigin } from "@plantgan/core/generate";
import { CliError } from "./exit.js";

export interface CandidateRef {
  readonly id: string;
  readonly origin: CandidateOrigin;
  readonly design: Design;
}

interface CandidateLine {
  readonly id?: unknown;
  readonly design?: { readonly id?: unknown; readonly metadata?: Record<string, unknown> };
}

function recordsOf(text: string, file: string): CandidateLine[] {
  const trimmed = text.trim();
  try {
    // The `--json` document: { candidates: [...] }; a single candidate object also reads.
    const whole = JSON.parse(trimmed) as { candidates?: CandidateLine[] } & CandidateLine;
    return Array.isArray(whole.candidates) ? whole.candidates : [whole];
  } catch {
    // NDJSON: one candidate a line.
  }
  return trimmed.split("\n").flatMap((line, k) => {
    if (!line.trim()) return [];
    try {
      return [JSON.parse(line) as CandidateLine];
    } catch {
      throw new CliError(`${file}: line ${k + 1} is not JSON (expected candidates from plantgan generate -o)`);
    }
  });
}

/** The candidate a reference names, with its recorded origin; a CliError (exit 2) names what is wrong. */
export async function readCandidateRef(ref: string, flag: string): Promise<CandidateRef> {
  const hash = ref.lastIndexOf("#");
  const file = hash > 0 ? ref.slice(0, hash) : ref;
  const id = hash > 0 ? ref.slice(hash + 1) : undefined;
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new CliError(`${flag} ${ref}: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? error}`);
  }
  const records = recordsOf(text, file).filter((r) => r.design && typeof r.design === "object");
  if (records.length === 0) throw new CliError(`${flag} ${ref}: ${file} holds no candidate`);
  const idOf = (r: CandidateLine) => String(r.id ?? r.design?.id ?? "");
  const found = id === undefined ? records[0] : records.find((r) => idOf(r) === id);
  if (!found) {
    const ids = records.map(idOf);
    throw new CliError(
      `${flag} ${ref}: no candidate ${id} in ${file}; it holds ${ids.slice(0, 5).join(", ")}${ids.length > 5 ? ", …" : ""}`,
    );
  }
  try {
    return { id: idOf(found), origin: readOrigin(found.design?.metadata), design: found.design as unknown as Design };
  } catch (error) {
    if (error instanceof OriginError) throw new CliError(`${flag} ${ref}: ${error.message}`);
    throw error;
  }
}

/** `--blend a,b[,t]`: two references and t (default 0.5). */
export function splitBlend(value: string): { a: string; b: string; t: number } {
  const parts = value.split(",");
  let t = 0.5;
  if (parts.length === 3) {
    t = Number(parts[2]);
    if (!(parts[2]!.trim() !== "" && t >= 0 && t <= 1)) {
      throw new CliError(`--blend ${value}: t must be a number in [0, 1]; got ${parts[2]}`);
    }
  } else if (parts.length !== 2) {
    throw new CliError(`--blend ${value}: expected a,b or a,b,t (candidate references FILE or FILE#ID)`);
  }
  if (!parts[0] || !parts[1]) throw new CliError(`--blend ${value}: expected a,b or a,b,t`);
  return { a: parts[0], b: parts[1], t };
}
