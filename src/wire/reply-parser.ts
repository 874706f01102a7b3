import { Deviation, deviation, visible } from './deviations';

/**
 * Incremental, strict parser for FTP replies (RFC 959 §4.2, RFC 1123 §4.1.2.11).
 *
 * It never trusts the server: bytes arrive in arbitrary chunks (RFC 1123 §4.1.2.10), lines may end
 * in CRLF, bare LF, bare CR or not at all, a line may be megabytes long, and a multi-line reply may
 * never end. Memory stays bounded by `maxLineBytes` and `maxReplyBytes`; everything that is not the
 * RFC's format is kept as a Deviation together with the bytes that showed it.
 */
export interface Reply {
  /** The 3-digit code; 0 when the line did not start with three digits. */
  code: number;
  /** Every line as decoded text, codes included, without line ends. */
  lines: string[];
  /** The lines joined with "\n": what a reader of the wire sees. */
  text: string;
  multiline: boolean;
  /** The bytes as received (Telnet commands removed), capped at `maxReplyBytes`. */
  raw: Buffer;
  /** The same bytes cut into lines, each with the line end it really had. */
  rawLines: Buffer[];
  deviations: Deviation[];
}

export interface ReplyParserOptions {
  /** Bytes kept of one line; the rest of an over-long line is counted and dropped. */
  maxLineBytes?: number;
  /** Bytes kept of one reply; a longer multi-line reply is cut and the rest of it dropped. */
  maxReplyBytes?: number;
}

export const DEFAULT_MAX_LINE_BYTES = 8 * 1024;
export const DEFAULT_MAX_REPLY_BYTES = 64 * 1024;

const CR = 0x0d;
const LF = 0x0a;
const IAC = 0xff;
const TELNET_NAMES: Record<number, string> = {
  240: 'SE', 241: 'NOP', 242: 'DM', 243: 'BRK', 244: 'IP', 245: 'AO', 246: 'AYT', 247: 'EC',
  248: 'EL', 249: 'GA', 250: 'SB', 251: 'WILL', 252: 'WONT', 253: 'DO', 254: 'DONT',
};

type Terminator = 'crlf' | 'lf' | 'cr' | 'eof';

interface Pending {
  code: number;
  codeText: string;
  lines: string[];
  raw: Buffer[];
  rawBytes: number;
  multiline: boolean;
  deviations: Deviation[];
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decode(bytes: Buffer): { text: string; valid: boolean } {
  try {
    return { text: utf8.decode(bytes), valid: true };
  } catch {
    return { text: bytes.toString('latin1'), valid: false };
  }
}

function isDigit(b: number | undefined): boolean {
  return b !== undefined && b >= 0x30 && b <= 0x39;
}

export class ReplyParser {
  private readonly maxLineBytes: number;
  private readonly maxReplyBytes: number;
  private line: Buffer;
  private lineLength = 0;
  private lineOverflow = 0;
  private pendingCR = false;
  private telnetState: 0 | 1 | 2 = 0;
  private telnetSeq: number[] = [];
  private carried: Deviation[] = [];
  private current: Pending | undefined;
  /** After a reply was cut at maxReplyBytes: drop lines until its closing line. */
  private discardingCode: string | undefined;
  private discardedLines = 0;
  private out: Reply[] = [];

  constructor(options: ReplyParserOptions = {}) {
    this.maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    this.maxReplyBytes = options.maxReplyBytes ?? DEFAULT_MAX_REPLY_BYTES;
    this.line = Buffer.alloc(this.maxLineBytes);
  }

  /** Feeds bytes; returns the replies they completed. */
  push(chunk: Buffer): Reply[] {
    for (let i = 0; i < chunk.length; i++) this.byte(chunk[i]);
    return this.drain();
  }

  /** The connection closed: whatever is left is a reply without its final CRLF. */
  end(): Reply[] {
    if (this.pendingCR) {
      this.pendingCR = false;
      this.finishLine('eof', true);
    } else if (this.lineLength > 0 || this.lineOverflow > 0) {
      this.finishLine('eof', false);
    }
    if (this.current) {
      const c = this.current;
      c.deviations.push(
        deviation('missing-final-crlf', `connection closed inside a multi-line ${c.codeText} reply (no closing "${c.codeText} " line)`),
      );
      this.emit(c);
    }
    if (this.carried.length > 0) {
      // Telnet commands with no reply after them still belong in the record.
      this.out.push({ code: 0, lines: [], text: '', multiline: false, raw: Buffer.alloc(0), rawLines: [], deviations: this.takeCarried() });
    }
    return this.drain();
  }

  /** The bytes of an unfinished line, for error messages ("12 bytes without end of line"). */
  partialLine(): Buffer {
    return Buffer.from(this.line.subarray(0, this.lineLength));
  }

  /** True while a multi-line reply has been opened and not closed. */
  inMultiline(): boolean {
    return this.current !== undefined;
  }

  private drain(): Reply[] {
    const r = this.out;
    this.out = [];
    return r;
  }

  private byte(b: number): void {
    if (this.telnetState !== 0) return this.telnetByte(b);
    if (this.pendingCR) {
      this.pendingCR = false;
      if (b === LF) return this.finishLine('crlf', false);
      // CR NUL is Telnet's carriage return inside text (RFC 854; RFC 2640 §3.1 pads a CR in a
      // pathname this way): the CR belongs to the line and the NUL is dropped.
      if (b === 0x00) return this.appendByte(CR);
      this.finishLine('cr', true);
    }
    if (b === IAC) {
      this.telnetState = 1;
      this.telnetSeq = [IAC];
    } else if (b === CR) {
      this.pendingCR = true;
    } else if (b === LF) {
      this.finishLine('lf', false);
    } else {
      this.appendByte(b);
    }
  }

  private appendByte(b: number): void {
    if (this.lineLength < this.maxLineBytes) this.line[this.lineLength++] = b;
    else this.lineOverflow++;
  }

  private telnetByte(b: number): void {
    if (this.telnetState === 1 && b === IAC) {
      // IAC IAC is a literal 0xFF data byte (RFC 854).
      this.telnetState = 0;
      return this.appendByte(IAC);
    }
    this.telnetSeq.push(b);
    if (this.telnetState === 1 && b >= 251 && b <= 254) {
      this.telnetState = 2;
      return;
    }
    this.telnetState = 0;
    const names = this.telnetSeq.map((x, i) => (i === 0 ? 'IAC' : i === 1 ? TELNET_NAMES[x] ?? String(x) : String(x)));
    this.carried.push(deviation('telnet-iac', `Telnet command ${names.join(' ')} on the control connection`, Buffer.from(this.telnetSeq)));
  }

  private takeCarried(): Deviation[] {
    const d = this.carried;
    this.carried = [];
    return d;
  }

  private finishLine(term: Terminator, crConsumed: boolean): void {
    const body = Buffer.from(this.line.subarray(0, this.lineLength));
    const overflow = this.lineOverflow;
    this.lineLength = 0;
    this.lineOverflow = 0;
    const ending = term === 'crlf' ? '\r\n' : term === 'lf' ? '\n' : term === 'cr' || crConsumed ? '\r' : '';
    const raw = Buffer.concat([body, Buffer.from(ending, 'latin1')]);
    const devs: Deviation[] = [];
    if (term === 'lf') devs.push(deviation('bare-lf', 'line ended with LF alone, not CRLF', raw));
    if (term === 'cr') devs.push(deviation('bare-cr', 'line ended with CR alone, not CRLF', raw));
    if (term === 'eof') devs.push(deviation('missing-final-crlf', 'connection closed before the line ended with CRLF', raw));
    if (overflow > 0) {
      devs.push(
        deviation('line-too-long', `line of ${this.maxLineBytes + overflow} bytes exceeds the ${this.maxLineBytes}-byte limit; ${overflow} bytes were discarded`, body),
      );
    }
    if (body.includes(0)) devs.push(deviation('nul-byte', 'NUL byte inside a reply line', raw));
    const { text, valid } = decode(body);
    if (!valid) devs.push(deviation('non-utf8', 'reply line is neither ASCII nor valid UTF-8', raw));
    this.handleLine(body, text, raw, devs);
  }

  private handleLine(body: Buffer, text: string, raw: Buffer, devs: Deviation[]): void {
    if (this.discardingCode !== undefined) {
      this.discardedLines++;
      if (text.startsWith(this.discardingCode + ' ') || text === this.discardingCode) this.discardingCode = undefined;
      return;
    }
    const hasCode = isDigit(body[0]) && isDigit(body[1]) && isDigit(body[2]);
    const codeText = hasCode ? text.slice(0, 3) : '';
    const c = this.current;
    if (c) {
      c.deviations.push(...devs);
      this.append(c, text, raw);
      const closes = hasCode && codeText === c.codeText && (body.length === 3 || body[3] === 0x20);
      if (closes) {
        if (body.length === 3) c.deviations.push(deviation('no-space-after-code', `closing line "${c.codeText}" has no space after the code`, raw));
        return this.emit(c);
      }
      if (hasCode && codeText !== c.codeText && body[3] === 0x20) {
        c.deviations.push(
          deviation('multiline-closed-by-other-code', `multi-line reply opened with ${c.codeText}- was closed by "${codeText} "`, raw),
        );
        return this.emit(c);
      }
      if (hasCode && codeText !== c.codeText) {
        c.deviations.push(deviation('multiline-unpadded-code', `line inside the ${c.codeText} reply begins with digits "${codeText}" and is not padded`, raw));
      }
      if (c.rawBytes > this.maxReplyBytes) {
        c.deviations.push(
          deviation('reply-too-long', `multi-line ${c.codeText} reply exceeds ${this.maxReplyBytes} bytes; the rest of it is discarded`, Buffer.concat(c.raw)),
        );
        this.discardingCode = c.codeText;
        this.emit(c);
      }
      return;
    }
    const p: Pending = { code: hasCode ? Number(codeText) : 0, codeText, lines: [], raw: [], rawBytes: 0, multiline: false, deviations: [...this.takeCarried(), ...devs] };
    this.append(p, text, raw);
    if (!hasCode) {
      p.deviations.push(deviation('not-a-reply', 'line does not begin with a 3-digit reply code', raw));
      return this.emit(p);
    }
    if (body[0] < 0x31 || body[0] > 0x35 || body[1] > 0x35) {
      p.deviations.push(deviation('code-out-of-range', `reply code ${codeText}: first digit must be 1-5 and second 0-5`, raw));
    }
    if (body[3] === 0x2d /* - */) {
      p.multiline = true;
      this.current = p;
      return;
    }
    if (body[3] !== 0x20) {
      p.deviations.push(deviation('no-space-after-code', `reply code ${codeText} is followed by ${body.length === 3 ? 'nothing' : `"${visible(body.subarray(3, 4))}"`}, not a space or hyphen`, raw));
    }
    this.emit(p);
  }

  private append(p: Pending, text: string, raw: Buffer): void {
    p.lines.push(text);
    if (p.rawBytes < this.maxReplyBytes) p.raw.push(raw.subarray(0, this.maxReplyBytes - p.rawBytes));
    p.rawBytes += raw.length;
  }

  private emit(p: Pending): void {
    if (this.current === p) this.current = undefined;
    this.out.push({
      code: p.code,
      lines: p.lines,
      text: p.lines.join('\n'),
      multiline: p.multiline,
      raw: Buffer.concat(p.raw),
      rawLines: p.raw,
      deviations: p.deviations,
    });
  }
}
