import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Transform } from 'node:stream';
import type { FormatOptions, RestartMarker } from '../../../reference-server/codecs';

/** mulberry32: a tiny fixed-seed PRNG so every failure is reproducible. */
export function makeRng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomInt(rng: () => number, maxExclusive: number): number {
  return Math.floor(rng() * maxExclusive);
}

/**
 * Random bytes biased toward what the codecs treat specially: 0xFF (stream escape), CR, LF,
 * 0x00 (compressed escape / image filler), space (text filler), EBCDIC NL, and long runs.
 */
export function randomPayload(rng: () => number, length: number): Buffer {
  const special = [0xff, 0x0d, 0x0a, 0x00, 0x20, 0x15, 0x25, 0x85, 0x40];
  const out = Buffer.alloc(length);
  let i = 0;
  while (i < length) {
    const pick = rng();
    if (pick < 0.05) {
      const run = 1 + randomInt(rng, 300);
      out.fill(rng() < 0.5 ? special[randomInt(rng, special.length)]! : randomInt(rng, 256), i, Math.min(length, i + run));
      i += run;
    } else if (pick < 0.3) {
      out[i++] = special[randomInt(rng, special.length)]!;
    } else {
      out[i++] = randomInt(rng, 256);
    }
  }
  return out;
}

/** Cuts `data` into chunks of 1 byte .. 64 KiB, log-uniformly so tiny chunks are common. */
export function randomChunks(rng: () => number, data: Buffer): Buffer[] {
  const chunks: Buffer[] = [];
  let start = 0;
  while (start < data.length) {
    const size = Math.max(1, Math.floor(Math.pow(2, rng() * 16)));
    chunks.push(data.subarray(start, start + size));
    start += size;
  }
  return chunks;
}

export interface RunResult {
  output: Buffer;
  markers: RestartMarker[];
}

/** Like runThrough, but resolves with what was produced before a stream error, and the error. */
export async function runUntilError(transform: Transform, chunks: Buffer[]): Promise<RunResult & { error: unknown }> {
  const markers: RestartMarker[] = [];
  transform.on('marker', (marker: RestartMarker) => markers.push(marker));
  const parts: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      parts.push(chunk);
      callback();
    },
  });
  const error = await pipeline(Readable.from(chunks, { objectMode: false }), transform, sink).then(
    () => null,
    (caught: unknown) => caught,
  );
  return { output: Buffer.concat(parts), markers, error };
}

/** Feeds the chunks through the transform and collects its output and 'marker' events. */
export async function runThrough(transform: Transform, chunks: Buffer[]): Promise<RunResult> {
  const markers: RestartMarker[] = [];
  transform.on('marker', (marker: RestartMarker) => markers.push(marker));
  const parts: Buffer[] = [];
  await pipeline(
    Readable.from(chunks, { objectMode: false }),
    transform,
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        parts.push(chunk);
        callback();
      },
    }),
  );
  return { output: Buffer.concat(parts), markers };
}

export function formatName(opts: FormatOptions): string {
  return `TYPE ${opts.type} STRU ${opts.structure} MODE ${opts.mode}${opts.restartMarkerEvery ? ` markers/${opts.restartMarkerEvery}` : ''}`;
}

export const ALL_FORMATS: FormatOptions[] = (['A', 'E', 'I', 'L'] as const).flatMap((type) =>
  (['F', 'R'] as const).flatMap((structure) => (['S', 'B', 'C'] as const).map((mode) => ({ type, structure, mode }))),
);

/** Builds a buffer from a mix of strings (latin1) and byte arrays, for readable expectations. */
export function bytes(...parts: Array<string | number[]>): Buffer {
  return Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part, 'latin1') : Buffer.from(part))));
}
