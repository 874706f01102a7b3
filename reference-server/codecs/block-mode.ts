/**
 * MODE B, RFC 959 §3.4.2 BLOCK MODE.
 *
 * "The header consists of the three bytes. Of the 24 bits of header information, the 16 low
 * order bits shall represent byte count, and the 8 high order bits shall represent descriptor
 * codes" — 128 EOR, 64 EOF, 32 suspected errors, 16 restart marker; "more than one descriptor
 * coded condition may exist for a particular block."
 *
 * Restart marker blocks: "The restart marker is embedded in the data stream as an integral number
 * of 8-bit bytes representing printable characters ... <SP> ... must not be used WITHIN a restart
 * marker."
 */
import type { ModeParser } from './stream-mode';
import { DataFormatError, Descriptor, type TransferSink } from './types';

/** The byte count is 16 bits. */
export const MAX_BLOCK_DATA = 0xffff;

export function blockHeader(descriptor: number, count: number): Buffer {
  return Buffer.from([descriptor, count >>> 8, count & 0xff]);
}

/** Printable, no SP, non-empty: the marker rule quoted above. */
export function isValidRestartMarker(text: string): boolean {
  return text.length > 0 && text.length <= MAX_BLOCK_DATA && /^[\x21-\x7e]+$/.test(text);
}

/**
 * Holds back the most recent data block so that EOR and EOF can be flagged on the block that
 * really is the last of its record or file ("End of data block is EOR/EOF") instead of costing
 * an extra empty block. An empty block is only sent for an empty record or an empty file.
 */
export class BlockFramer implements TransferSink {
  private held: { descriptor: number; data: Buffer } | null = null;

  constructor(private readonly out: (bytes: Buffer) => void) {}

  data(bytes: Buffer): void {
    this.flushHeld();
    let start = 0;
    while (bytes.length - start > MAX_BLOCK_DATA) {
      this.writeBlock(0, bytes.subarray(start, start + MAX_BLOCK_DATA));
      start += MAX_BLOCK_DATA;
    }
    if (start < bytes.length) this.held = { descriptor: 0, data: bytes.subarray(start) };
  }

  endOfRecord(): void {
    if (this.held && (this.held.descriptor & Descriptor.EOR) === 0) {
      this.held.descriptor |= Descriptor.EOR;
      return;
    }
    this.flushHeld();
    this.held = { descriptor: Descriptor.EOR, data: Buffer.alloc(0) };
  }

  restartMarker(text: string): void {
    if (!isValidRestartMarker(text)) throw new RangeError(`invalid restart marker ${JSON.stringify(text)}`);
    this.flushHeld();
    this.writeBlock(Descriptor.RESTART_MARKER, Buffer.from(text, 'latin1'));
  }

  endOfFile(): void {
    const last = this.held ?? { descriptor: 0, data: Buffer.alloc(0) };
    this.held = null;
    this.writeBlock(last.descriptor | Descriptor.EOF, last.data);
  }

  private flushHeld(): void {
    if (!this.held) return;
    const { descriptor, data } = this.held;
    this.held = null;
    this.writeBlock(descriptor, data);
  }

  private writeBlock(descriptor: number, data: Buffer): void {
    this.out(blockHeader(descriptor, data.length));
    if (data.length > 0) this.out(data);
  }
}

const HEADER_SIZE = 3;

/** Parses blocks cut anywhere by the transport: the header itself may arrive a byte at a time. */
export class BlockParser implements ModeParser {
  private readonly header = Buffer.alloc(HEADER_SIZE);
  private headerBytes = 0;
  /** Descriptor and bytes still to read of the current block; null while reading a header. */
  private block: { descriptor: number; remaining: number } | null = null;
  private markerParts: Buffer[] = [];
  private sawEof = false;

  constructor(private readonly sink: TransferSink) {}

  parse(chunk: Buffer): void {
    let read = 0;
    while (read < chunk.length) {
      if (this.sawEof) throw new DataFormatError('ERR_FTP_DATA_AFTER_EOF', 'data after the block-mode EOF block');
      if (this.block === null) {
        const take = Math.min(HEADER_SIZE - this.headerBytes, chunk.length - read);
        chunk.copy(this.header, this.headerBytes, read, read + take);
        this.headerBytes += take;
        read += take;
        if (this.headerBytes < HEADER_SIZE) return;
        this.headerBytes = 0;
        this.block = { descriptor: this.header[0]!, remaining: this.header.readUInt16BE(1) };
      } else {
        const take = Math.min(this.block.remaining, chunk.length - read);
        const part = chunk.subarray(read, read + take);
        read += take;
        this.block.remaining -= take;
        if (this.block.descriptor & Descriptor.RESTART_MARKER) this.markerParts.push(part);
        else if (take > 0) this.sink.data(part);
      }
      if (this.block.remaining === 0) this.endBlock(this.block.descriptor);
    }
  }

  finish(): void {
    if (!this.sawEof) throw new DataFormatError('ERR_FTP_MISSING_EOF', 'block-mode transfer closed without a block flagged EOF (64)');
  }

  private endBlock(descriptor: number): void {
    this.block = null;
    // Suspect data (32) is still data: §3.4.2 wants it delivered, only flagged.
    if (descriptor & Descriptor.RESTART_MARKER) {
      const text = Buffer.concat(this.markerParts).toString('latin1');
      this.markerParts = [];
      if (!isValidRestartMarker(text)) throw new DataFormatError('ERR_FTP_BAD_MARKER', `invalid restart marker ${JSON.stringify(text)}`);
      this.sink.restartMarker(text);
    }
    if (descriptor & Descriptor.EOR) this.sink.endOfRecord();
    if (descriptor & Descriptor.EOF) {
      this.sawEof = true;
      this.sink.endOfFile();
    }
  }
}
