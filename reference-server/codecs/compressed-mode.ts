/**
 * MODE C, RFC 959 §3.4.3 COMPRESSED MODE.
 *
 * "If n>0 bytes (up to 127) of regular data are sent, these n bytes are preceded by a byte with
 * the left-most bit set to 0 and the right-most 7 bits containing the number n."  (0nnnnnnn)
 * "To compress a string of n replications of the data byte d, the following 2 bytes are sent"
 * (10nnnnnn d). "A string of n filler bytes can be compressed into a single byte, where the
 * filler byte varies with the representation type. If the type is ASCII or EBCDIC the filler
 * byte is <SP> (Space, ASCII code 32, EBCDIC code 64). If the type is Image or Local byte the
 * filler is a zero byte." (11nnnnnn). "The escape sequence is a double byte, the first of which
 * is the escape byte (all zeros) and the second of which contains descriptor codes as defined in
 * Block mode."
 *
 * Interpretation choices (the RFC says the descriptor codes "apply to the succeeding string of
 * bytes", which is ambiguous for EOR/EOF):
 *  - escape 128 / 64 / 192 mark EOR / EOF / both *at that point* of the stream, like the stream
 *    mode control codes; this is what the encoder sends and what the decoder expects;
 *  - escape 16 (restart marker) applies to the succeeding byte string: the next `0nnnnnnn`
 *    string is the marker text, not data;
 *  - escape 32 (suspect) is accepted and ignored, the data that follows is delivered.
 */
import { ByteWriter } from './byte-writer';
import type { ModeParser } from './stream-mode';
import { isValidRestartMarker } from './block-mode';
import { EBCDIC_SPACE } from './ebcdic';
import { DataFormatError, Descriptor, type FormatOptions, type TransferSink } from './types';

export const MAX_LITERAL = 127;
export const MAX_REPEAT = 63;
const ESCAPE = 0x00;
const REPLICATED = 0x80;
const FILLER = 0xc0;

export function fillerByteFor(type: FormatOptions['type']): number {
  if (type === 'A') return 0x20;
  if (type === 'E') return EBCDIC_SPACE;
  return 0x00;
}

/**
 * Compressing encoder. A run of >= 3 equal bytes becomes a replicated-byte pair, a run of >= 2
 * filler bytes becomes a single filler byte (both shorter than sending them as regular data);
 * everything else goes out as regular-data strings of up to 127 bytes. Runs and pending regular
 * data carry over between chunks so compression does not depend on how the disk was read.
 */
export class CompressedFramer implements TransferSink {
  private readonly literal = Buffer.alloc(MAX_LITERAL);
  private literalLength = 0;
  private runByte = 0;
  private runLength = 0;
  private readonly writer = new ByteWriter();

  constructor(
    private readonly out: (bytes: Buffer) => void,
    private readonly fillerByte: number,
  ) {}

  data(bytes: Buffer): void {
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i]!;
      if (this.runLength > 0 && b === this.runByte) {
        if (++this.runLength === MAX_REPEAT) this.settleRun();
        continue;
      }
      if (this.runLength > 0) this.settleRun();
      this.runByte = b;
      this.runLength = 1;
    }
    this.drain();
  }

  endOfRecord(): void {
    this.escape(Descriptor.EOR);
  }

  restartMarker(text: string): void {
    if (!isValidRestartMarker(text) || text.length > MAX_LITERAL) throw new RangeError(`invalid restart marker ${JSON.stringify(text)}`);
    this.escape(Descriptor.RESTART_MARKER);
    this.writer.byte(text.length);
    this.writer.bytes(Buffer.from(text, 'latin1'));
    this.drain();
  }

  endOfFile(): void {
    this.escape(Descriptor.EOF);
  }

  private escape(descriptor: number): void {
    this.flushAll();
    this.writer.byte(ESCAPE);
    this.writer.byte(descriptor);
    this.drain();
  }

  private flushAll(): void {
    if (this.runLength > 0) this.settleRun();
    this.flushLiteral();
  }

  private settleRun(): void {
    const isFiller = this.runByte === this.fillerByte;
    if ((isFiller && this.runLength >= 2) || this.runLength >= 3) {
      this.flushLiteral();
      if (isFiller) this.writer.byte(FILLER | this.runLength);
      else {
        this.writer.byte(REPLICATED | this.runLength);
        this.writer.byte(this.runByte);
      }
    } else {
      for (let i = 0; i < this.runLength; i++) {
        this.literal[this.literalLength++] = this.runByte;
        if (this.literalLength === MAX_LITERAL) this.flushLiteral();
      }
    }
    this.runLength = 0;
  }

  private flushLiteral(): void {
    if (this.literalLength === 0) return;
    this.writer.byte(this.literalLength);
    this.writer.bytes(this.literal, 0, this.literalLength);
    this.literalLength = 0;
  }

  private drain(): void {
    if (this.writer.size > 0) this.out(this.writer.take());
  }
}

type ParserState =
  | { kind: 'header' }
  | { kind: 'literal'; remaining: number }
  | { kind: 'replicated'; count: number }
  | { kind: 'descriptor' };

export class CompressedParser implements ModeParser {
  private state: ParserState = { kind: 'header' };
  private readonly decoded = new ByteWriter();
  /** After escape 16: the next byte string is a restart marker; collected here. */
  private marker: number[] | null = null;
  private markerExpected = false;
  private sawEof = false;

  constructor(
    private readonly sink: TransferSink,
    private readonly fillerByte: number,
  ) {}

  parse(chunk: Buffer): void {
    let read = 0;
    while (read < chunk.length) {
      if (this.sawEof) throw new DataFormatError('ERR_FTP_DATA_AFTER_EOF', 'data after the compressed-mode EOF escape');
      const state = this.state;
      switch (state.kind) {
        case 'header':
          this.header(chunk[read++]!);
          break;
        case 'literal': {
          const take = Math.min(state.remaining, chunk.length - read);
          if (this.marker) for (let i = read; i < read + take; i++) this.marker.push(chunk[i]!);
          else this.decoded.bytes(chunk, read, read + take);
          read += take;
          state.remaining -= take;
          if (state.remaining === 0) this.endLiteral();
          break;
        }
        case 'replicated':
          this.decoded.fill(chunk[read++]!, state.count);
          this.state = { kind: 'header' };
          break;
        case 'descriptor':
          this.state = { kind: 'header' };
          this.control(chunk[read++]!);
          break;
      }
    }
    this.flushDecoded();
  }

  finish(): void {
    if (!this.sawEof) throw new DataFormatError('ERR_FTP_MISSING_EOF', 'compressed-mode transfer closed without the EOF escape (0x00 0x40)');
  }

  private header(h: number): void {
    if (this.markerExpected && (h === ESCAPE || (h & 0x80) !== 0)) {
      throw new DataFormatError('ERR_FTP_BAD_MARKER', 'restart-marker escape not followed by a byte string');
    }
    if (h === ESCAPE) this.state = { kind: 'descriptor' };
    else if ((h & 0x80) === 0) {
      if (this.markerExpected) {
        this.markerExpected = false;
        this.marker = [];
      }
      this.state = { kind: 'literal', remaining: h };
    } else if ((h & FILLER) === REPLICATED) this.state = { kind: 'replicated', count: h & 0x3f };
    else this.decoded.fill(this.fillerByte, h & 0x3f);
  }

  private endLiteral(): void {
    this.state = { kind: 'header' };
    if (!this.marker) return;
    const text = Buffer.from(this.marker).toString('latin1');
    this.marker = null;
    if (!isValidRestartMarker(text)) throw new DataFormatError('ERR_FTP_BAD_MARKER', `invalid restart marker ${JSON.stringify(text)}`);
    this.flushDecoded();
    this.sink.restartMarker(text);
  }

  private control(descriptor: number): void {
    this.flushDecoded();
    if (descriptor & Descriptor.RESTART_MARKER) this.markerExpected = true;
    if (descriptor & Descriptor.EOR) this.sink.endOfRecord();
    if (descriptor & Descriptor.EOF) {
      this.sawEof = true;
      this.sink.endOfFile();
    }
  }

  private flushDecoded(): void {
    if (this.decoded.size > 0) this.sink.data(this.decoded.take());
  }
}
