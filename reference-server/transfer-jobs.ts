/**
 * What moves over the data connection: a file (RETR), a listing (LIST, NLST, MLSD), or an upload
 * (STOR, APPE, STOU). Uploads never write the target directly: the data goes to a temp file beside
 * it which replaces the target only after the whole transfer succeeded, so a failed or aborted STOR
 * leaves the previous file intact.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { byteCounter, DiskError, runPipeline, skipBytes, type TransferJob } from './transfer';
import { isByteExact, makeDecoder, makeEncoder, restartIsDiskOffset, type FormatOptions } from './transfer-format';
import { PARTIAL_UPLOAD_PREFIX } from './vfs';

export function downloadJob(description: string, file: string, format: FormatOptions, offset: number): TransferJob {
  return {
    description,
    async run(socket, { signal, count }) {
      const seek = restartIsDiskOffset(format);
      // Byte-exact: 1 MiB reads (the 64 KiB default halves RETR throughput). Other formats keep the
      // default: block framing follows read sizes, and wireSize() (SIZE) must see the same blocks.
      const source = createReadStream(file, { start: seek ? offset : 0, ...(isByteExact(format) ? { highWaterMark: 1024 * 1024 } : {}) });
      const encoder = isByteExact(format) ? [] : [makeEncoder(format)];
      const stages = [source, ...encoder, ...(!seek && offset > 0 ? [skipBytes(offset)] : [])];
      await runPipeline([...stages, byteCounter(count), socket], [source], signal);
    },
  };
}

/** A listing is text: it goes through the encoder of the current type (implied TYPE A N, RFC 1123 §4.1.2.7). */
export function listingJob(description: string, text: string, format: FormatOptions | null): TransferJob {
  return {
    description,
    async run(socket, { signal, count }) {
      const source = Readable.from([Buffer.from(text, 'utf8')]);
      const stages = format === null ? [source] : [source, makeEncoder(format)];
      await runPipeline([...stages, byteCounter(count), socket], [], signal);
    },
  };
}

export type UploadKind =
  | { readonly kind: 'replace' }
  | { readonly kind: 'append' }
  /** REST n then STOR: keep the first n wire bytes of the existing file. */
  | { readonly kind: 'restart'; readonly offset: number };

export interface UploadOptions {
  readonly description: string;
  readonly target: string;
  readonly format: FormatOptions;
  readonly how: UploadKind;
  readonly preliminary?: TransferJob['preliminary'];
  /** STOU reserved the name with an empty file: remove it if the upload fails. */
  readonly removeTargetOnFailure?: boolean;
}

export function uploadJob(options: UploadOptions): TransferJob {
  const { target, format, how } = options;
  const temp = path.join(path.dirname(target), `${PARTIAL_UPLOAD_PREFIX}${randomBytes(6).toString('hex')}`);
  return {
    description: options.description,
    preliminary: options.preliminary,
    async run(socket, { signal, count }) {
      const exact = isByteExact(format);
      if (how.kind === 'restart' && !restartIsDiskOffset(format)) {
        // The restart point is a wire offset: replay the kept part through encoder and decoder.
        const sink = createWriteStream(temp, { flags: 'wx' });
        const wire = Readable.from(prefixThenRest(target, how.offset, format, socket, count));
        await runPipeline([wire, makeDecoder(format), sink], [sink], signal);
        return;
      }
      const keepExisting = how.kind === 'append' || how.kind === 'restart';
      if (keepExisting && (await exists(target))) {
        try {
          await fsp.copyFile(target, temp);
          if (how.kind === 'restart') await fsp.truncate(temp, how.offset);
        } catch (error) {
          throw new DiskError(error as NodeJS.ErrnoException);
        }
      }
      const sink = createWriteStream(temp, { flags: keepExisting ? 'a' : 'wx' });
      const stages = exact ? [socket, byteCounter(count), sink] : [socket, byteCounter(count), makeDecoder(format), sink];
      await runPipeline(stages, [sink], signal);
    },
    async commit() {
      await fsp.rename(temp, target);
    },
    async discard() {
      await fsp.rm(temp, { force: true });
      if (options.removeTargetOnFailure === true) await fsp.rm(target, { force: true });
    },
  };
}

async function* prefixThenRest(
  original: string,
  offset: number,
  format: FormatOptions,
  socket: AsyncIterable<Buffer>,
  count: (bytes: number) => void,
): AsyncGenerator<Buffer> {
  let remaining = offset;
  if (remaining > 0) {
    const source = createReadStream(original);
    const encoded = source.pipe(makeEncoder(format));
    try {
      for await (const chunk of encoded as AsyncIterable<Buffer>) {
        const piece = chunk.subarray(0, remaining);
        remaining -= piece.length;
        yield piece;
        if (remaining === 0) break;
      }
    } finally {
      source.destroy();
      encoded.destroy();
    }
  }
  for await (const chunk of socket) {
    count(chunk.length);
    yield chunk;
  }
}

/** How many bytes a RETR of this file would send in this format (RFC 3659 §4: exact, never estimated). */
export async function wireSize(file: string, format: FormatOptions): Promise<number> {
  if (isByteExact(format)) return (await fsp.stat(file)).size;
  let size = 0;
  const source = createReadStream(file);
  const encoder = makeEncoder(format);
  const counted = source.pipe(encoder);
  source.on('error', (error) => encoder.destroy(error));
  for await (const chunk of counted as AsyncIterable<Buffer>) size += chunk.length;
  return size;
}

async function exists(file: string): Promise<boolean> {
  try {
    await fsp.access(file);
    return true;
  } catch {
    return false;
  }
}
