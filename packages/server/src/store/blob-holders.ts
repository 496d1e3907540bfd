/**
 * Which records hold a blob, the same on both stores: a design's body (`designs.blob`), a model's
 * weights (`models.weights`), and anything a queued or running job's payload or checkpoint names
 * (import sources, a training's dataset snapshot and checkpoints, a generation's weights). A
 * finished job holds nothing: it never reads its inputs again. Everything else is an orphan, freed
 * once it is older than the store's grace period (so an upload on its way to its record is safe).
 */

/** Default grace period: a blob stored or stored again within it is never freed. */
export const DEFAULT_BLOB_GRACE_MS = 15 * 60_000;

const SHA256_IN_TEXT = /[0-9a-f]{64}/g;

/**
 * Every sha256 named in job documents. Payloads and checkpoints keep blobs under several keys
 * (sources[].blob, designs, weights, state, topology.state): any 64-hex string counts, which at
 * worst keeps a blob longer, never frees one a job needs.
 */
export function blobsNamedIn(texts: Iterable<unknown>): Set<string> {
  const named = new Set<string>();
  for (const text of texts) {
    if (typeof text !== "string") continue;
    for (const match of text.matchAll(SHA256_IN_TEXT)) named.add(match[0]);
  }
  return named;
}

/** What freeing blobs did. */
export interface FreedBlobs {
  readonly removed: number;
  readonly bytes: number;
}
