import type { ArrayLease } from "./array-pool.js";

/** Seeds the hash per process, so no fixed set of keys collides on every run. */
const SEED = (Math.random() * 0x100000000) | 0;

/** A 32-bit hash of a string's UTF-16 code units (FNV-1a, then a final mix for the low bits). */
function hashOf(key: string): number {
  let h = SEED ^ 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h;
}

/**
 * Strings numbered 0, 1, 2 ... in the order they were first added: a hash table of numbers in one
 * typed array from the run's pool (open addressing, linear probing, each slot the key's hash beside
 * its number), for the index's tag and line-id maps.
 *
 * Why not a Map: at 100,000 equipment a run built maps of 180,000 tags and 119,000 line ids. A
 * Map grows by doubling, and each doubling rehashes every key, reading every key string's header
 * again (scattered over the heap: a cache miss each), and leaves its old tables in the old
 * generation. Here the hashes are kept in the table, so growing reads no string, the storage is
 * reused from run to run, and a lookup compares a string only when the hashes agree.
 */
export class StringTable {
  /** The keys by number. */
  readonly keys: string[] = [];
  /** Slot s: `slots[2s]` the key's hash, `slots[2s + 1]` its number + 1 (0: empty). */
  private slots: Int32Array;
  private mask: number;

  /** `expected`: about how many keys will be added (the table grows past it). */
  constructor(
    expected: number,
    private readonly arrays: ArrayLease,
  ) {
    let buckets = 16;
    while (0.6 * buckets < expected) buckets *= 2;
    this.slots = arrays.int32(2 * buckets);
    this.mask = buckets - 1;
  }

  get size(): number {
    return this.keys.length;
  }

  /** The key's number, or −1 when it was never added. */
  get(key: string): number {
    const h = hashOf(key);
    const slots = this.slots;
    for (let s = h & this.mask; ; s = (s + 1) & this.mask) {
      const id = slots[2 * s + 1]! - 1;
      if (id < 0) return -1;
      if (slots[2 * s] === h && this.keys[id] === key) return id;
    }
  }

  /**
   * As `get`, trying the numbers `guess` .. `guess + 2` first: for keys that mostly come in the
   * order they were added, so the hash and a probe into the table (cache misses on a big table)
   * are skipped. A match is exact: each key has one number.
   */
  getNear(key: string, guess: number): number {
    const keys = this.keys;
    for (let id = Math.max(0, guess), end = Math.min(keys.length, guess + 3); id < end; id++)
      if (keys[id] === key) return id;
    return this.get(key);
  }

  /** The key's number: its existing one, or the next (`size` before the call) when it is new. */
  add(key: string): number {
    const h = hashOf(key);
    const slots = this.slots;
    let s = h & this.mask;
    for (; ; s = (s + 1) & this.mask) {
      const id = slots[2 * s + 1]! - 1;
      if (id < 0) break;
      if (slots[2 * s] === h && this.keys[id] === key) return id;
    }
    const id = this.keys.length;
    this.keys.push(key);
    slots[2 * s] = h;
    slots[2 * s + 1] = id + 1;
    if (10 * this.keys.length > 7 * (this.mask + 1)) this.grow();
    return id;
  }

  /** Doubles the buckets, moving each slot by its stored hash (no key is read). */
  private grow(): void {
    const old = this.slots;
    const buckets = 2 * (this.mask + 1);
    const slots = this.arrays.int32(2 * buckets);
    const mask = buckets - 1;
    for (let s = 0; s < old.length; s += 2) {
      if (old[s + 1] === 0) continue;
      let t = old[s]! & mask;
      while (slots[2 * t + 1] !== 0) t = (t + 1) & mask;
      slots[2 * t] = old[s]!;
      slots[2 * t + 1] = old[s + 1]!;
    }
    this.slots = slots;
    this.mask = mask;
  }
}
