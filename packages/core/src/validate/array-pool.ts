/**
 * Typed-array storage for the indexes of one validation, handed back when it ends so the next
 * validation reuses it.
 *
 * Why: at 100,000 equipment the indexes (segments, grids, flow graph, line ends) hold some 60 MB of
 * typed arrays. Fresh ones each run are external memory to V8, which starts a full mark-compact of
 * the whole heap, the design included, after every 64 MB of it: about once per validation at that
 * size against once in ten at 10,000, each costing time in proportion to the heap and throwing away
 * optimised code whose object shapes it collected. That made the validator grow faster than
 * n log n (issue 16). Reused storage is no new external memory.
 *
 * The shelf holds returned storage weakly: a full collection may still take it back, so nothing
 * stays pinned after the last validation. Storage still lent (an index built outside
 * `validateDesign`, whose lease nobody ends) is never shared: it is simply not returned.
 */

/** Below this size an array is allocated plainly: reusing it would save nothing measurable. */
const MIN_POOLED_BYTES = 64 * 1024;

/** Storage handed back by ended leases, held weakly; taken best fit. */
const shelf: WeakRef<ArrayBuffer>[] = [];

/** Takes the smallest shelved buffer of at least `bytes`, or undefined. */
function fromShelf(bytes: number): ArrayBuffer | undefined {
  let best: ArrayBuffer | undefined;
  let at = -1;
  for (let i = shelf.length - 1; i >= 0; i--) {
    const buffer = shelf[i]!.deref();
    if (buffer === undefined) {
      shelf.splice(i, 1);
      if (at > i) at--;
      continue;
    }
    if (buffer.byteLength >= bytes && (best === undefined || buffer.byteLength < best.byteLength)) {
      best = buffer;
      at = i;
    }
  }
  if (best !== undefined) shelf.splice(at, 1);
  return best;
}

/** The typed arrays one validation borrows; `end` hands them back. */
export class ArrayLease {
  private readonly held: ArrayBuffer[] = [];

  /** A Float64Array of `length`, every element `value` (0 unless given). */
  float64(length: number, value = 0): Float64Array {
    return new Float64Array(this.take(length * 8), 0, length).fill(value);
  }

  /** An Int32Array of `length`, every element `value` (0 unless given). */
  int32(length: number, value = 0): Int32Array {
    return new Int32Array(this.take(length * 4), 0, length).fill(value);
  }

  /** A Uint8Array of `length`, every element `value` (0 unless given). */
  uint8(length: number, value = 0): Uint8Array {
    return new Uint8Array(this.take(length), 0, length).fill(value);
  }

  /** Hands the storage back. Every array this lease gave must be out of use from here on. */
  end(): void {
    for (const buffer of this.held) shelf.push(new WeakRef(buffer));
    this.held.length = 0;
  }

  private take(bytes: number): ArrayBuffer {
    if (bytes < MIN_POOLED_BYTES) return new ArrayBuffer(bytes);
    const buffer = fromShelf(bytes) ?? new ArrayBuffer(bytes);
    this.held.push(buffer);
    return buffer;
  }
}
