/**
 * Data representation on the wire (RFC 959 §3.1, §3.4). The full set of types, structures and modes
 * is implemented by `./codecs` (owned by another module); until it exists this file offers the two
 * transforms every server must have: IMAGE (byte-exact) and ASCII (LF on disk ↔ CRLF on the wire).
 */
import { Transform, type TransformCallback } from 'node:stream';

export type DataType = 'A' | 'E' | 'I' | 'L';
export type FileStructure = 'F' | 'R';
export type TransferMode = 'S' | 'B' | 'C';

export interface FormatOptions {
  readonly type: DataType;
  readonly structure: FileStructure;
  readonly mode: TransferMode;
  readonly restartMarkerEvery?: number;
}

interface CodecModule {
  makeEncoder(opts: FormatOptions): Transform;
  makeDecoder(opts: FormatOptions): Transform;
}

let codecs: CodecModule | null | undefined;

/** The codecs module when it is present; loaded lazily so its absence is not a compile error. */
function loadCodecs(): CodecModule | null {
  if (codecs !== undefined) return codecs;
  try {
    const modulePath = './codecs';
    const loaded = require(modulePath) as Partial<CodecModule>;
    codecs = typeof loaded.makeEncoder === 'function' && typeof loaded.makeDecoder === 'function' ? (loaded as CodecModule) : null;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw error;
    codecs = null;
  }
  return codecs;
}

/** Whether transfers in this format can be carried out (TYPE E, STRU R, MODE B/C need the codecs). */
export function isFormatSupported(opts: FormatOptions): boolean {
  if (loadCodecs() !== null) return true;
  return (opts.type === 'A' || opts.type === 'I' || opts.type === 'L') && opts.structure === 'F' && opts.mode === 'S';
}

/** The built-in transforms, used when ./codecs is absent (exported for tests). */
export const fallback = {
  encoder: (opts: FormatOptions): Transform => (opts.type === 'A' ? new LfToCrlf() : new Identity()),
  decoder: (opts: FormatOptions): Transform => (opts.type === 'A' ? new CrlfToLf() : new Identity()),
};

/** Disk bytes → wire bytes. */
export function makeEncoder(opts: FormatOptions): Transform {
  const module = loadCodecs();
  if (module !== null) return module.makeEncoder(opts);
  assertFallbackFormat(opts);
  return fallback.encoder(opts);
}

/** Wire bytes → disk bytes. */
export function makeDecoder(opts: FormatOptions): Transform {
  const module = loadCodecs();
  if (module !== null) return module.makeDecoder(opts);
  assertFallbackFormat(opts);
  return fallback.decoder(opts);
}

/** Image transfers in stream mode are byte-exact, so restart offsets map 1:1 to file offsets. */
export function isByteExact(opts: FormatOptions): boolean {
  return (opts.type === 'I' || opts.type === 'L') && opts.structure === 'F' && opts.mode === 'S';
}

/**
 * What a REST marker counts. Stream mode: octets of the data stream (RFC 3659 §5.1), which are file
 * octets only when the transfer is byte-exact. Block and compressed mode: the markers the codecs
 * send are disk offsets, so a REST with one of them seeks the file (RFC 959 §3.5).
 */
export function restartIsDiskOffset(opts: FormatOptions): boolean {
  return isByteExact(opts) || opts.mode !== 'S';
}

function assertFallbackFormat(opts: FormatOptions): void {
  if (!isFormatSupported(opts)) {
    throw new Error(`TYPE ${opts.type} STRU ${opts.structure} MODE ${opts.mode} needs reference-server/codecs`);
  }
}

class Identity extends Transform {
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    callback(null, chunk);
  }
}

/** Every LF becomes CRLF; a CR already on disk is sent as is (the decoder keeps lone CRs). */
class LfToCrlf extends Transform {
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    let lineFeeds = 0;
    for (const byte of chunk) if (byte === 0x0a) lineFeeds++;
    if (lineFeeds === 0) return callback(null, chunk);
    const out = Buffer.allocUnsafe(chunk.length + lineFeeds);
    let at = 0;
    for (const byte of chunk) {
      if (byte === 0x0a) out[at++] = 0x0d;
      out[at++] = byte;
    }
    callback(null, out);
  }
}

/** CRLF becomes LF; a CR not followed by LF is kept. A CR ending one chunk waits for the next. */
class CrlfToLf extends Transform {
  private heldCarriageReturn = false;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const out = Buffer.allocUnsafe(chunk.length + 1);
    let at = 0;
    for (const byte of chunk) {
      if (this.heldCarriageReturn) {
        this.heldCarriageReturn = false;
        if (byte !== 0x0a) out[at++] = 0x0d;
      }
      if (byte === 0x0d) this.heldCarriageReturn = true;
      else out[at++] = byte;
    }
    callback(null, out.subarray(0, at));
  }

  override _flush(callback: TransformCallback): void {
    callback(null, this.heldCarriageReturn ? Buffer.from([0x0d]) : undefined);
  }
}
