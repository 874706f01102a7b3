/**
 * Encoder and decoder streams: representation layer (TYPE, STRU) composed with a mode layer
 * (MODE). Everything is chunk-at-a-time with bounded state, so files of any size stream through
 * in constant memory.
 */
import { PassThrough, Transform, type TransformCallback } from 'node:stream';
import { BlockFramer, BlockParser } from './block-mode';
import { CompressedFramer, CompressedParser, fillerByteFor } from './compressed-mode';
import { makeRepresentationEncoder, RepresentationDecoder } from './representation';
import { StreamFileFramer, StreamFileParser, StreamRecordFramer, StreamRecordParser, type ModeParser } from './stream-mode';
import type { CodecTransform, FormatOptions, RestartMarker, TransferSink } from './types';

/** Larger than the 16 KiB default: fewer, bigger socket writes for bulk transfers. */
const HIGH_WATER_MARK = 64 * 1024;

/** TYPE I (or L 8), STRU F, MODE S: "all bytes are data bytes" (§3.4.1), nothing to translate. */
export function isIdentityFormat(opts: FormatOptions): boolean {
  return (opts.type === 'I' || opts.type === 'L') && opts.structure === 'F' && opts.mode === 'S';
}

function validate(opts: FormatOptions): void {
  if (!['A', 'E', 'I', 'L'].includes(opts.type)) throw new RangeError(`unsupported TYPE ${String(opts.type)}`);
  if (!['F', 'R'].includes(opts.structure)) throw new RangeError(`unsupported STRU ${String(opts.structure)}`);
  if (!['S', 'B', 'C'].includes(opts.mode)) throw new RangeError(`unsupported MODE ${String(opts.mode)}`);
  const every = opts.restartMarkerEvery ?? 0;
  if (!Number.isSafeInteger(every) || every < 0) throw new RangeError(`restartMarkerEvery must be a non-negative integer, got ${every}`);
}

function identity(): CodecTransform {
  return Object.assign(new PassThrough({ highWaterMark: HIGH_WATER_MARK }), { identity: true as const });
}

function makeFramer(opts: FormatOptions, out: (bytes: Buffer) => void): TransferSink {
  switch (opts.mode) {
    case 'S':
      return opts.structure === 'R' ? new StreamRecordFramer(out) : new StreamFileFramer(out);
    case 'B':
      return new BlockFramer(out);
    case 'C':
      return new CompressedFramer(out, fillerByteFor(opts.type));
  }
}

function makeParser(opts: FormatOptions, sink: TransferSink): ModeParser {
  switch (opts.mode) {
    case 'S':
      return opts.structure === 'R' ? new StreamRecordParser(sink) : new StreamFileParser(sink);
    case 'B':
      return new BlockParser(sink);
    case 'C':
      return new CompressedParser(sink, fillerByteFor(opts.type));
  }
}

/** Collects the buffers produced during one callback and pushes them as one chunk. */
function makeOutput(stream: Transform): { out: (bytes: Buffer) => void; flush: () => void } {
  let parts: Buffer[] = [];
  return {
    out: (bytes) => {
      if (bytes.length > 0) parts.push(bytes);
    },
    flush: () => {
      if (parts.length === 0) return;
      const chunk = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
      parts = [];
      stream.push(chunk);
    },
  };
}

/**
 * Disk bytes -> wire bytes. Emits `'marker'` ({@link RestartMarker}) for every restart marker
 * sent; the marker text is the decimal disk offset it stands for (see RestartMarker).
 */
export function makeEncoder(opts: FormatOptions): CodecTransform {
  validate(opts);
  if (isIdentityFormat(opts)) return identity();
  const markerEvery = opts.mode === 'S' ? 0 : (opts.restartMarkerEvery ?? 0);
  const encodeRepresentation = makeRepresentationEncoder(opts);
  let diskOffset = 0;

  const stream = new Transform({
    highWaterMark: HIGH_WATER_MARK,
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      try {
        if (markerEvery === 0) {
          encodeRepresentation(chunk, framer);
          diskOffset += chunk.length;
        } else {
          // Cut the disk chunk at every multiple of markerEvery and put a marker there.
          let start = 0;
          while (start < chunk.length) {
            const room = markerEvery - (diskOffset % markerEvery);
            const piece = chunk.subarray(start, start + room);
            encodeRepresentation(piece, framer);
            diskOffset += piece.length;
            start += piece.length;
            if (diskOffset % markerEvery === 0) {
              const marker: RestartMarker = { marker: String(diskOffset), diskOffset };
              framer.restartMarker(marker.marker);
              stream.emit('marker', marker);
            }
          }
        }
        output.flush();
        callback();
      } catch (error) {
        callback(error as Error);
      }
    },
    flush(callback: TransformCallback) {
      framer.endOfFile();
      output.flush();
      callback();
    },
  });
  const output = makeOutput(stream);
  const framer = makeFramer(opts, output.out);
  return Object.assign(stream, { identity: false as const });
}

/**
 * Wire bytes -> disk bytes. Fails with a DataFormatError when the wire violates the format
 * (bad escape, data after EOF, or — in record/block/compressed formats, which require an explicit
 * EOF — a connection closed before the EOF). Emits `'marker'` for restart markers received, after
 * pushing every disk byte that precedes the marker.
 */
export function makeDecoder(opts: FormatOptions): CodecTransform {
  validate(opts);
  if (isIdentityFormat(opts)) return identity();

  const stream = new Transform({
    highWaterMark: HIGH_WATER_MARK,
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      try {
        parser.parse(chunk);
        output.flush();
        callback();
      } catch (error) {
        callback(error as Error);
      }
    },
    flush(callback: TransformCallback) {
      try {
        parser.finish();
        output.flush();
        callback();
      } catch (error) {
        callback(error as Error);
      }
    },
  });
  const output = makeOutput(stream);
  const representation = new RepresentationDecoder(opts, output.out, (marker, diskOffset) => {
    output.flush();
    stream.emit('marker', { marker, diskOffset } satisfies RestartMarker);
  });
  const parser = makeParser(opts, representation);
  return Object.assign(stream, { identity: false as const });
}
