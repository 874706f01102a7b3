import { createHash, Hash } from 'crypto';
import * as fs from 'fs';
import { Readable } from 'stream';

/** What is known about content that went over a data connection, without keeping it whole. */
export interface ContentDigest {
  bytes: number;
  sha256: string;
  /** sha256 and size of the same content with every LF sent as CRLF (TYPE A on the wire). */
  crlfSha256: string;
  crlfBytes: number;
  /** LF not preceded by CR, and CRLF pairs. */
  bareLf: number;
  crlf: number;
  /** The first bytes, for text checks. */
  sample: Buffer;
}

export const SAMPLE_BYTES = 64 * 1024;

/** Streams chunks through sha256 (plain and CRLF-expanded) and line-end counters. */
export class DigestSink {
  private readonly hash: Hash = createHash('sha256');
  private readonly crlfHash: Hash = createHash('sha256');
  private bytes = 0;
  private crlfBytes = 0;
  private bareLf = 0;
  private crlf = 0;
  private lastByte = -1;
  private readonly samples: Buffer[] = [];
  private sampled = 0;

  update(chunk: Buffer): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    let start = 0;
    for (let i = chunk.indexOf(0x0a); i !== -1; i = chunk.indexOf(0x0a, i + 1)) {
      const prev = i > 0 ? chunk[i - 1] : this.lastByte;
      if (prev === 0x0d) this.crlf++;
      else this.bareLf++;
      this.crlfHash.update(chunk.subarray(start, i));
      this.crlfHash.update('\r\n');
      this.crlfBytes += i - start + 2;
      start = i + 1;
    }
    this.crlfHash.update(chunk.subarray(start));
    this.crlfBytes += chunk.length - start;
    if (chunk.length > 0) this.lastByte = chunk[chunk.length - 1];
    if (this.sampled < SAMPLE_BYTES) {
      const part = chunk.subarray(0, SAMPLE_BYTES - this.sampled);
      this.samples.push(Buffer.from(part));
      this.sampled += part.length;
    }
  }

  digest(): ContentDigest {
    return {
      bytes: this.bytes,
      sha256: this.hash.digest('hex'),
      crlfSha256: this.crlfHash.digest('hex'),
      crlfBytes: this.crlfBytes,
      bareLf: this.bareLf,
      crlf: this.crlf,
      sample: Buffer.concat(this.samples),
    };
  }
}

export type UploadSource =
  | { text: string }
  | { fixture: string }
  | { generate: { bytes: number; seed?: number; lineLength?: number } };

const CHUNK = 64 * 1024;

/**
 * Deterministic pseudo-random bytes (xorshift32): the same seed gives the same payload on every
 * run and machine, so a failure can be reproduced byte for byte.
 */
export function generatedStream(bytes: number, seed = 1, lineLength?: number): Readable {
  let state = seed >>> 0 || 0x9e3779b9;
  let left = bytes;
  let column = 0;
  const next = () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state;
  };
  return new Readable({
    read() {
      if (left <= 0) return void this.push(null);
      const n = Math.min(CHUNK, left);
      const buf = Buffer.allocUnsafe(n);
      for (let i = 0; i < n; i++) {
        if (lineLength) {
          if (column === lineLength) {
            buf[i] = 0x0a;
            column = 0;
          } else {
            buf[i] = 0x21 + (next() % 94);
            column++;
          }
        } else {
          buf[i] = next() & 0xff;
        }
      }
      left -= n;
      this.push(buf);
    },
  });
}

export function sourceStream(source: UploadSource, fixturesDir: string): Readable {
  if ('text' in source) return Readable.from([Buffer.from(source.text, 'utf8')]);
  if ('fixture' in source) return fs.createReadStream(`${fixturesDir}/${source.fixture}`, { highWaterMark: CHUNK });
  return generatedStream(source.generate.bytes, source.generate.seed, source.generate.lineLength);
}
