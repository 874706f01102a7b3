import { createHash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { makeDecoder, makeEncoder, type FormatOptions } from '../../../reference-server/codecs';
import { formatName, makeRng, randomPayload } from './helpers';

const TOTAL = 64 * 1024 * 1024;
const CHUNK = 64 * 1024;
/** Buffering the whole file would cost >= 64 MiB; streaming should stay far below that. */
const MAX_MEMORY_GROWTH = 16 * 1024 * 1024;

// Live memory, not garbage waiting for collection: expose gc() without changing the jest command.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

function usedMemory(): number {
  collectGarbage();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

/** 64 MiB of varied bytes, generated chunk by chunk from a 1 MiB pattern, hashed on the way out. */
function makeSource(hash: ReturnType<typeof createHash>): Readable {
  const pattern = randomPayload(makeRng(64), 1024 * 1024);
  let produced = 0;
  return new Readable({
    read() {
      if (produced >= TOTAL) return void this.push(null);
      const offset = (produced / CHUNK) * 4099 % (pattern.length - CHUNK);
      const chunk = Buffer.from(pattern.subarray(offset, offset + CHUNK));
      produced += CHUNK;
      hash.update(chunk);
      this.push(chunk);
    },
  });
}

const FORMATS: FormatOptions[] = [
  { type: 'I', structure: 'F', mode: 'S' },
  { type: 'A', structure: 'F', mode: 'S' },
  { type: 'I', structure: 'R', mode: 'S' },
  { type: 'A', structure: 'R', mode: 'B', restartMarkerEvery: 1024 * 1024 },
  { type: 'E', structure: 'F', mode: 'B' },
  { type: 'I', structure: 'F', mode: 'C', restartMarkerEvery: 1024 * 1024 },
];

describe('64 MiB through encoder + decoder in bounded memory', () => {
  it.each(FORMATS.map((opts) => [formatName(opts), opts] as const))('%s', async (_name, opts) => {
    const sourceHash = createHash('sha256');
    const sinkHash = createHash('sha256');
    const baseline = usedMemory();
    let peak = 0;
    let received = 0;
    let chunks = 0;
    await pipeline(
      makeSource(sourceHash),
      makeEncoder(opts),
      makeDecoder(opts),
      new Writable({
        write(chunk: Buffer, _encoding, callback) {
          sinkHash.update(chunk);
          received += chunk.length;
          if (++chunks % 128 === 0) peak = Math.max(peak, usedMemory() - baseline);
          callback();
        },
      }),
    );
    expect(received).toBe(TOTAL);
    expect(sinkHash.digest('hex')).toBe(sourceHash.digest('hex'));
    expect(peak).toBeLessThan(MAX_MEMORY_GROWTH);
  });
});
