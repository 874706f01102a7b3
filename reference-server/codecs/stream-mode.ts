/**
 * MODE S, RFC 959 §3.4.1 STREAM MODE.
 *
 * "In a record structured file EOR and EOF will each be indicated by a two-byte control code.
 * The first byte of the control code will be all ones, the escape character. The second byte
 * will have the low order bit on and zeros elsewhere for EOR and the second low order bit on for
 * EOF; that is, the byte will have value 1 for EOR and value 2 for EOF. EOR and EOF may be
 * indicated together on the last byte transmitted by turning both low order bits on (i.e., the
 * value 3). If a byte of all ones was intended to be sent as data, it should be repeated in the
 * second byte of the control code.
 *
 * If the structure is a file structure, the EOF is indicated by the sending host closing the
 * data connection and all bytes are data bytes."
 */
import { DataFormatError, type TransferSink } from './types';

const ESCAPE = 0xff;
const CODE_EOR = 0x01;
const CODE_EOF = 0x02;
const WIRE_EOR = Buffer.from([ESCAPE, CODE_EOR]);
const WIRE_EOF = Buffer.from([ESCAPE, CODE_EOF]);

/** Doubles every 0xFF data byte. */
export function escapeStreamRecordData(input: Buffer): Buffer {
  let escapes = 0;
  for (let at = input.indexOf(ESCAPE); at !== -1; at = input.indexOf(ESCAPE, at + 1)) escapes++;
  if (escapes === 0) return input;
  const output = Buffer.allocUnsafe(input.length + escapes);
  let read = 0;
  let written = 0;
  for (let at = input.indexOf(ESCAPE); at !== -1; at = input.indexOf(ESCAPE, at + 1)) {
    written += input.copy(output, written, read, at + 1);
    output[written++] = ESCAPE;
    read = at + 1;
  }
  input.copy(output, written, read);
  return output;
}

/** STRU F: the data is the wire; EOF is the close of the connection (done by the caller). */
export class StreamFileFramer implements TransferSink {
  constructor(private readonly out: (bytes: Buffer) => void) {}
  data(bytes: Buffer): void {
    this.out(bytes);
  }
  endOfRecord(): void {
    // Not produced under STRU F: a file structure has no records.
  }
  restartMarker(): void {
    // §3.5: restart is "defined only for the block and compressed modes".
  }
  endOfFile(): void {}
}

/**
 * STRU R. EOR and EOF are sent as two separate escapes (FF 01 ... FF 02) rather than the
 * combined FF 03, so the encoder never has to look ahead; the decoder accepts both forms.
 */
export class StreamRecordFramer implements TransferSink {
  constructor(private readonly out: (bytes: Buffer) => void) {}
  data(bytes: Buffer): void {
    this.out(escapeStreamRecordData(bytes));
  }
  endOfRecord(): void {
    this.out(WIRE_EOR);
  }
  restartMarker(): void {}
  endOfFile(): void {
    this.out(WIRE_EOF);
  }
}

export interface ModeParser {
  /** Parses the next wire chunk; throws DataFormatError on a format violation. */
  parse(chunk: Buffer): void;
  /** The peer closed the data connection; throws if the format requires an explicit EOF. */
  finish(): void;
}

export class StreamFileParser implements ModeParser {
  constructor(private readonly sink: TransferSink) {}
  parse(chunk: Buffer): void {
    if (chunk.length > 0) this.sink.data(chunk);
  }
  finish(): void {
    this.sink.endOfFile();
  }
}

export class StreamRecordParser implements ModeParser {
  /** The previous chunk ended with the escape byte. */
  private pendingEscape = false;
  private sawEof = false;

  constructor(private readonly sink: TransferSink) {}

  parse(chunk: Buffer): void {
    let read = 0;
    if (this.pendingEscape && chunk.length > 0) {
      this.pendingEscape = false;
      this.control(chunk[0]!);
      read = 1;
    }
    while (read < chunk.length) {
      if (this.sawEof) throw new DataFormatError('ERR_FTP_DATA_AFTER_EOF', 'data after the stream-mode EOF escape');
      const at = chunk.indexOf(ESCAPE, read);
      const end = at === -1 ? chunk.length : at;
      if (end > read) this.sink.data(chunk.subarray(read, end));
      if (at === -1) return;
      if (at + 1 === chunk.length) {
        this.pendingEscape = true;
        return;
      }
      this.control(chunk[at + 1]!);
      read = at + 2;
    }
  }

  finish(): void {
    if (this.pendingEscape) throw new DataFormatError('ERR_FTP_BAD_ESCAPE', 'connection closed after a lone 0xFF escape byte');
    if (!this.sawEof) throw new DataFormatError('ERR_FTP_MISSING_EOF', 'record-structured stream closed without the EOF escape (0xFF 0x02)');
  }

  private control(code: number): void {
    if (this.sawEof) throw new DataFormatError('ERR_FTP_DATA_AFTER_EOF', 'data after the stream-mode EOF escape');
    if (code === ESCAPE) {
      this.sink.data(Buffer.from([ESCAPE]));
      return;
    }
    if (code === 0 || (code & ~(CODE_EOR | CODE_EOF)) !== 0) {
      throw new DataFormatError('ERR_FTP_BAD_ESCAPE', `invalid stream-mode control code 0xFF 0x${code.toString(16).padStart(2, '0')}`);
    }
    if (code & CODE_EOR) this.sink.endOfRecord();
    if (code & CODE_EOF) {
      this.sawEof = true;
      this.sink.endOfFile();
    }
  }
}

export { WIRE_EOF as STREAM_WIRE_EOF, WIRE_EOR as STREAM_WIRE_EOR };
