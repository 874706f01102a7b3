/**
 * The control connection speaks Telnet NVT (RFC 959 §4, RFC 1123 §4.1.2.10/12). This reader turns
 * raw bytes into command lines: it removes IAC sequences (IAC IAC is a literal 0xFF), refuses option
 * negotiation (WILL → DONT, DO → WONT), ignores IP/Synch (IAC IP, IAC DM) that precede ABOR, never
 * assumes read boundaries match lines, and caps the line length so an endless line cannot grow
 * memory: the excess is dropped up to the next end of line and reported once.
 */

const IAC = 0xff;
const DONT = 0xfe;
const DO = 0xfd;
const WONT = 0xfc;
const WILL = 0xfb;
const SB = 0xfa;
const SE = 0xf0;
const CR = 0x0d;
const LF = 0x0a;
const NUL = 0x00;

export interface TelnetReaderEvents {
  line(bytes: Buffer): void;
  /** A line longer than the limit was discarded. */
  overflow(): void;
  /** Bytes to send back (option refusals). */
  respond(bytes: Buffer): void;
}

type State = 'data' | 'iac' | 'option' | 'subnegotiation' | 'subnegotiation-iac' | 'cr';

export class TelnetLineReader {
  private state: State = 'data';
  private optionVerb = 0;
  private line: number[] = [];
  private overflowed = false;
  /** A CR ended the previous chunk and was taken as end of line; a following LF is part of it. */
  private skipLineFeed = false;

  constructor(
    private readonly maxLineLength: number,
    private readonly events: TelnetReaderEvents,
  ) {}

  push(chunk: Buffer): void {
    for (let index = 0; index < chunk.length; index++) {
      const byte = chunk[index]!;
      if (this.skipLineFeed) {
        this.skipLineFeed = false;
        if (byte === LF || byte === NUL) continue;
      }
      switch (this.state) {
        case 'data':
          if (byte === IAC) this.state = 'iac';
          else if (byte === CR) {
            // Some clients send ABOR as urgent data, which can strip the final LF (Python's ftplib
            // does): a CR at the end of what has arrived so far ends an ABOR line. Any other line
            // waits for its LF, since READ boundaries mean nothing (RFC 1123 §4.1.2.10).
            if (index === chunk.length - 1 && this.isAbort()) {
              this.endLine();
              this.skipLineFeed = true;
            } else this.state = 'cr';
          } else if (byte === LF) this.endLine();
          else this.append(byte);
          break;
        case 'cr':
          this.state = 'data';
          if (byte === NUL) this.append(CR);
          else {
            this.endLine();
            if (byte !== LF) index--; // a lone CR ends the line; reprocess this byte
          }
          break;
        case 'iac':
          this.state = 'data';
          if (byte === IAC) this.append(IAC);
          else if (byte === WILL || byte === WONT || byte === DO || byte === DONT) {
            this.optionVerb = byte;
            this.state = 'option';
          } else if (byte === SB) this.state = 'subnegotiation';
          // IP, DM, AO, AYT, NOP, … carry no command text: drop them.
          break;
        case 'option':
          this.state = 'data';
          if (this.optionVerb === WILL) this.events.respond(Buffer.from([IAC, DONT, byte]));
          else if (this.optionVerb === DO) this.events.respond(Buffer.from([IAC, WONT, byte]));
          break;
        case 'subnegotiation':
          if (byte === IAC) this.state = 'subnegotiation-iac';
          break;
        case 'subnegotiation-iac':
          this.state = byte === SE ? 'data' : 'subnegotiation';
          break;
      }
    }
  }

  private isAbort(): boolean {
    return Buffer.from(this.line).toString('latin1').trim().toUpperCase() === 'ABOR';
  }

  private append(byte: number): void {
    if (this.overflowed) return;
    if (this.line.length >= this.maxLineLength) {
      this.overflowed = true;
      this.line = [];
      return;
    }
    this.line.push(byte);
  }

  private endLine(): void {
    if (this.overflowed) {
      this.overflowed = false;
      this.events.overflow();
    } else if (this.line.length > 0) {
      this.events.line(Buffer.from(this.line));
    }
    this.line = [];
  }
}
