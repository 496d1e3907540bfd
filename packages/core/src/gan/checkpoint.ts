/**
 * A trainer checkpoint as one byte string (so the caller can write it atomically: temp file, then
 * rename): "PGCK" magic, u32 header length, JSON header, then the weight blobs it names. Pure.
 * The framing (packFramed/unpackFramed) is shared with the topology trainer's checkpoint.
 */
import type * as tf from "@tensorflow/tfjs-core";
import type { TrainerState } from "./training.js";

const MAGIC = [0x50, 0x47, 0x43, 0x4b]; // "PGCK"

/** Where a blob sits in the data after the header. */
export interface BlobRef {
  readonly offset: number;
  readonly length: number;
}

/** A model's weight data as one buffer (tfjs may hand it over in parts). */
export function weightBuffer(data: tf.io.ModelArtifacts["weightData"]): ArrayBuffer {
  if (data === undefined) return new ArrayBuffer(0);
  if (!Array.isArray(data)) return data;
  const total = data.reduce((s, b) => s + b.byteLength, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const b of data) {
    out.set(new Uint8Array(b), at);
    at += b.byteLength;
  }
  return out.buffer;
}

/**
 * The framing every trainer checkpoint shares: 4-byte magic, u32 header length, JSON header, then
 * the blobs. `header` builds the JSON header, storing each buffer through `add` (which returns
 * the reference to keep in the header in its place).
 */
export function packFramed(
  magic: readonly number[],
  header: (add: (buffer: ArrayBuffer) => BlobRef) => unknown,
): Uint8Array {
  const buffers: ArrayBuffer[] = [];
  let offset = 0;
  const add = (b: ArrayBuffer): BlobRef => {
    buffers.push(b);
    const ref = { offset, length: b.byteLength };
    offset += b.byteLength;
    return ref;
  };
  const json = new TextEncoder().encode(JSON.stringify(header(add)));
  const out = new Uint8Array(8 + json.length + offset);
  out.set(magic, 0);
  new DataView(out.buffer).setUint32(4, json.length, true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const b of buffers) {
    out.set(new Uint8Array(b), at);
    at += b.byteLength;
  }
  return out;
}

/**
 * The inverse of `packFramed`: the parsed header (as JSON.parse types it: each caller knows its
 * shape) and a reader of the blobs it references. Throws,
 * naming `what`, on a foreign magic or truncated bytes.
 */
export function unpackFramed(
  bytes: Uint8Array,
  magic: readonly number[],
  what: string,
): { header: ReturnType<typeof JSON.parse>; blob: (ref: BlobRef) => ArrayBuffer } {
  if (bytes.length < 8 || magic.some((m, i) => bytes[i] !== m)) throw new Error(`not a ${what}`);
  const length = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(4, true);
  if (8 + length > bytes.length) throw new Error(`truncated ${what} header`);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length)));
  const base = 8 + length;
  const blob = (b: BlobRef): ArrayBuffer => {
    if (base + b.offset + b.length > bytes.length) throw new Error(`truncated ${what} data`);
    return bytes.slice(base + b.offset, base + b.offset + b.length).buffer;
  };
  return { header, blob };
}

/** Packs a trainer state and JSON-able extras (epoch, data order...) into bytes. */
export function packCheckpoint(state: TrainerState, extra: Record<string, unknown>): Uint8Array {
  return packFramed(MAGIC, (add) => {
    const model = (a: tf.io.ModelArtifacts) => {
      const { weightData, ...rest } = a;
      return { ...rest, weightData: add(weightBuffer(weightData)) };
    };
    return {
      extra,
      state: {
        ...state,
        generator: model(state.generator),
        generatorEma: model(state.generatorEma),
        critic: model(state.critic),
        optimizers: {
          generator: { specs: state.optimizers.generator.specs, data: add(state.optimizers.generator.data) },
          critic: { specs: state.optimizers.critic.specs, data: add(state.optimizers.critic.data) },
        },
      },
    };
  });
}

/** The inverse of `packCheckpoint`; throws on a truncated or foreign file. */
export function unpackCheckpoint(bytes: Uint8Array): { state: TrainerState; extra: Record<string, unknown> } {
  const { header, blob } = unpackFramed(bytes, MAGIC, "PlantGAN checkpoint");
  const s = header.state;
  const model = (a: { weightData: BlobRef }) => ({ ...a, weightData: blob(a.weightData) });
  const state = {
    ...s,
    generator: model(s.generator),
    generatorEma: model(s.generatorEma),
    critic: model(s.critic),
    optimizers: {
      generator: { specs: s.optimizers.generator.specs, data: blob(s.optimizers.generator.data) },
      critic: { specs: s.optimizers.critic.specs, data: blob(s.optimizers.critic.data) },
    },
  } as TrainerState;
  return { state, extra: header.extra ?? {} };
}
