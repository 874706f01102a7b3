/**
 * The representation layer: TYPE (RFC 959 §3.1.1) and STRU (§3.1.2), between disk bytes and the
 * "logical content" of a transfer (wire-representation data, end-of-record, end-of-file).
 *
 * Disk convention of the reference server: text lines end with LF, and a record on disk is a
 * line. RFC 959 §3.4: "the sending host will translate its internal end of line or end of record
 * denotation into the representation prescribed by the transfer mode and file structure, and the
 * receiving host will perform the inverse translation to its internal denotation."
 */
import { DISK_TO_EBCDIC, EBCDIC_TO_DISK, translateBytes } from './ebcdic';
import type { FormatOptions, TransferSink } from './types';

const CR = 0x0d;
const LF = 0x0a;
const LF_BUFFER = Buffer.from([LF]);
const CR_BUFFER = Buffer.from([CR]);

/** Feeds one disk chunk to the mode layer. Stateless: chunks may be cut anywhere. */
export type RepresentationEncoder = (diskChunk: Buffer, sink: TransferSink) => void;

/**
 * §3.1.1.1: "the <CRLF> sequence should be used where necessary to denote the end of a line of
 * text." Disk LF -> CRLF; a CR already on disk is sent as is (so disk CR LF becomes CR CR LF and
 * the decoder restores it exactly).
 */
export function lfToCrlf(input: Buffer): Buffer {
  let lineEnds = 0;
  for (let at = input.indexOf(LF); at !== -1; at = input.indexOf(LF, at + 1)) lineEnds++;
  if (lineEnds === 0) return input;
  const output = Buffer.allocUnsafe(input.length + lineEnds);
  let read = 0;
  let written = 0;
  for (let at = input.indexOf(LF); at !== -1; at = input.indexOf(LF, at + 1)) {
    written += input.copy(output, written, read, at);
    output[written++] = CR;
    output[written++] = LF;
    read = at + 1;
  }
  input.copy(output, written, read);
  return output;
}

function dataTranslator(type: FormatOptions['type'], structure: FormatOptions['structure']): (b: Buffer) => Buffer {
  if (type === 'E') return (b) => translateBytes(b, DISK_TO_EBCDIC);
  // With STRU R the line end is the EOR marker, not CRLF (§3.4: "the end-of-record information
  // may be transferred as a two byte control code in Stream mode or as a flagged bit in a Block or
  // Compressed mode descriptor"), so TYPE A record data needs no translation at all.
  if (type === 'A' && structure === 'F') return lfToCrlf;
  return (b) => b;
}

export function makeRepresentationEncoder(opts: FormatOptions): RepresentationEncoder {
  const translate = dataTranslator(opts.type, opts.structure);
  if (opts.structure === 'F') {
    return (chunk, sink) => {
      if (chunk.length > 0) sink.data(translate(chunk));
    };
  }
  // STRU R: every disk line is a record; the LF itself is not data, it becomes EOR. A final line
  // without LF is sent without EOR, so the file is restored byte for byte.
  return (chunk, sink) => {
    let start = 0;
    for (let at = chunk.indexOf(LF); at !== -1; at = chunk.indexOf(LF, start)) {
      if (at > start) sink.data(translate(chunk.subarray(start, at)));
      sink.endOfRecord();
      start = at + 1;
    }
    if (start < chunk.length) sink.data(translate(chunk.subarray(start)));
  };
}

/**
 * Decoder side: consumes the logical content parsed by the mode layer and writes disk bytes.
 * `onMarker` receives restart markers with the number of disk bytes written before them.
 */
export class RepresentationDecoder implements TransferSink {
  private diskBytes = 0;
  /** TYPE A, STRU F: a CR at the end of a chunk may be the first half of a CRLF. */
  private pendingCr = false;
  private readonly translate: (b: Buffer) => Buffer;
  private readonly crlfToLf: boolean;

  constructor(
    opts: FormatOptions,
    private readonly writeDisk: (bytes: Buffer) => void,
    private readonly onMarker: (text: string, diskOffset: number) => void,
  ) {
    this.crlfToLf = opts.type === 'A' && opts.structure === 'F';
    this.translate = opts.type === 'E' ? (b) => translateBytes(b, EBCDIC_TO_DISK) : (b) => b;
  }

  get diskOffset(): number {
    return this.diskBytes + (this.pendingCr ? 1 : 0);
  }

  data(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.write(this.crlfToLf ? this.convertCrlf(bytes) : this.translate(bytes));
  }

  /** EOR -> LF on disk, whatever the structure (a lenient reading of EOR under STRU F). */
  endOfRecord(): void {
    this.flushPendingCr();
    this.write(LF_BUFFER);
  }

  /** A marker is a checkpoint of everything before it, so a held-back CR counts as written. */
  restartMarker(text: string): void {
    this.flushPendingCr();
    this.onMarker(text, this.diskBytes);
  }

  endOfFile(): void {
    this.flushPendingCr();
  }

  private write(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.diskBytes += bytes.length;
    this.writeDisk(bytes);
  }

  private flushPendingCr(): void {
    if (!this.pendingCr) return;
    this.pendingCr = false;
    this.write(CR_BUFFER);
  }

  /** Wire CRLF -> disk LF; a CR not followed by LF is kept (§3.1.1.5.2: CRLF "in exactly this sequence"). */
  private convertCrlf(input: Buffer): Buffer {
    const output = Buffer.allocUnsafe(input.length + 1);
    let written = 0;
    let read = 0;
    if (this.pendingCr) {
      this.pendingCr = false;
      if (input[0] !== LF) output[written++] = CR;
    }
    for (let at = input.indexOf(CR); at !== -1; at = input.indexOf(CR, read)) {
      written += input.copy(output, written, read, at);
      if (at + 1 === input.length) {
        this.pendingCr = true;
        read = input.length;
        break;
      }
      if (input[at + 1] !== LF) output[written++] = CR;
      read = at + 1; // the LF (or whatever follows the bare CR) is copied with the next run
    }
    written += input.copy(output, written, read);
    return output.subarray(0, written);
  }
}
