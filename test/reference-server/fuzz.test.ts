/**
 * Fuzzing the control connection: a fixed-seed PRNG sends well over 100,000 random and mutated
 * command lines over many sessions — random bytes (NUL, bare CR, bare LF, Telnet IAC sequences,
 * invalid UTF-8), every verb of the command table with random, missing, extra, over-long and
 * path-escaping arguments, lines beyond the line limit, and pipelined bursts in one write.
 *
 * What must hold (RFC 959 §4.2, RFC 1123 §4.1.2.11, RFC 854):
 *  - every command line gets exactly one completion reply (1yz preliminaries aside), no more;
 *  - every reply is well formed: the strict ReplyParser records no deviation, except the Telnet
 *    refusals (IAC DONT/WONT) the server owes for each IAC WILL/DO it was sent — counted exactly;
 *  - a line beyond the limit is answered 500 and the session goes on;
 *  - the server never crashes: it keeps accepting new sessions, and releases them all;
 *  - memory stays bounded: the heap after the run is close to the heap after a warm-up.
 *
 * The line generator knows, by construction, how the server's Telnet reader will cut the byte
 * stream into lines, so the expected reply count is exact. QUIT and PASS are left out of the random
 * verbs (they close the session: QUIT, or a third failed PASS); a correct USER/PASS pair is sent now
 * and then to log back in after a random USER, HOST or REIN logged the session out.
 */
import * as net from 'node:net';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { buildCommandTable, createTemporaryServer, type TemporaryServer } from '../../reference-server';
import { ReplyParser, type Reply } from '../../src/wire/reply-parser';

const SEED = 0x5eed_f7b1;
const SESSIONS = 20;
const LINES_PER_SESSION = 5_000;
const CONCURRENCY = 5;
const MAX_LINE = 4096;
/** A batch must be fully answered within this time, or the test fails naming the batch. */
const BATCH_TIMEOUT_MS = 15_000;
/** The whole fuzz run: a hard stop so a slow machine fails clearly instead of hanging. */
const RUN_DEADLINE_MS = 150_000;

const CR = 0x0d;
const LF = 0x0a;
const IAC = 0xff;
const WILL = 0xfb;
const WONT = 0xfc;
const DO = 0xfd;
const DONT = 0xfe;
const SB = 0xfa;
const SE = 0xf0;

// ---------------------------------------------------------------------------------------------
// Deterministic randomness

/** xorshift128: small, fast, and the same sequence on every run and platform. */
class Rng {
  private x: number;
  private y = 362436069;
  private z = 521288629;
  private w = 88675123;

  constructor(seed: number) {
    this.x = seed >>> 0 || 1;
    for (let i = 0; i < 16; i++) this.next();
  }

  next(): number {
    const t = this.x ^ (this.x << 11);
    this.x = this.y;
    this.y = this.z;
    this.z = this.w;
    this.w = (this.w ^ (this.w >>> 19) ^ (t ^ (t >>> 8))) >>> 0;
    return this.w;
  }

  /** 0 ≤ n < max */
  int(max: number): number {
    return Math.floor((this.next() / 0x1_0000_0000) * max);
  }

  range(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  chance(p: number): boolean {
    return this.next() / 0x1_0000_0000 < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  /** Picks by weight: [[weight, value], …]. */
  weighted<T>(table: ReadonlyArray<readonly [number, T]>): T {
    const total = table.reduce((sum, [w]) => sum + w, 0);
    let roll = (this.next() / 0x1_0000_0000) * total;
    for (const [w, value] of table) {
      if (roll < w) return value;
      roll -= w;
    }
    return table[table.length - 1]![1];
  }
}

// ---------------------------------------------------------------------------------------------
// Lines, built so that the number of lines the server sees is known exactly

/**
 * One piece of a line. `visible` is how many bytes it adds to the command line after Telnet
 * processing; `refusals` is how many IAC DONT/WONT it makes the server send back.
 */
interface Piece {
  readonly bytes: Buffer;
  readonly visible: number;
  readonly refusals: number;
}

interface Line {
  /** The line's bytes, without its terminator. */
  readonly bytes: Buffer;
  /** Bytes the server's line reader keeps: 0 means no command (no reply), > MAX_LINE a 500. */
  readonly visible: number;
  readonly refusals: number;
  /** What the line is, for failure messages. */
  readonly kind: string;
}

function text(value: string): Piece {
  const bytes = Buffer.from(value, 'utf8');
  // Text pieces never hold CR, LF or 0xFF raw (0xFF cannot occur in UTF-8).
  if (bytes.includes(CR) || bytes.includes(LF)) throw new Error(`text piece with a line end: ${JSON.stringify(value)}`);
  return { bytes, visible: bytes.length, refusals: 0 };
}

/** Random bytes without CR, LF or IAC: those only ever come as explicit pieces. */
function randomBytes(rng: Rng, length: number, alphabet: 'any' | 'printable' | 'high' = 'any'): Piece {
  const bytes = Buffer.alloc(length);
  let word = 0;
  for (let i = 0; i < length; i++) {
    // Four bytes from each 32-bit draw: over-long lines are megabytes in all.
    if ((i & 3) === 0) word = rng.next();
    const b = (word >>> ((i & 3) * 8)) & 0xff;
    if (alphabet === 'printable') bytes[i] = 0x20 + (b % 95);
    else if (alphabet === 'high') bytes[i] = 0x80 + (b % 0x7f);
    else bytes[i] = b === CR || b === LF || b === IAC ? b - 1 : b;
  }
  return { bytes, visible: length, refusals: 0 };
}

/** A Telnet sequence inside a line (RFC 854): stripped by the server, perhaps answered. */
function telnetPiece(rng: Rng): Piece {
  const option = rng.int(256);
  switch (rng.int(6)) {
    case 0: // IAC IAC: a literal 0xFF data byte
      return { bytes: Buffer.from([IAC, IAC]), visible: 1, refusals: 0 };
    case 1: // IAC WILL x / IAC DO x: refused with DONT / WONT
      return { bytes: Buffer.from([IAC, rng.chance(0.5) ? WILL : DO, option]), visible: 0, refusals: 1 };
    case 2: // IAC WONT x / IAC DONT x: nothing to answer
      return { bytes: Buffer.from([IAC, rng.chance(0.5) ? WONT : DONT, option]), visible: 0, refusals: 0 };
    case 3: {
      // IAC SB … IAC SE: swallowed whole, line ends inside included
      const inside = Buffer.alloc(rng.int(12));
      for (let i = 0; i < inside.length; i++) inside[i] = rng.pick([CR, LF, 0, rng.int(255)]);
      return { bytes: Buffer.concat([Buffer.from([IAC, SB]), inside, Buffer.from([IAC, SE])]), visible: 0, refusals: 0 };
    }
    default: {
      // IAC IP, DM, NOP, AYT, …, or any other byte after IAC (CR and LF too): dropped
      let command: number;
      do command = rng.int(256);
      while (command === IAC || command === SB || (command >= WILL && command <= DONT));
      return { bytes: Buffer.from([IAC, command]), visible: 0, refusals: 0 };
    }
  }
}

function line(kind: string, pieces: readonly Piece[]): Line {
  return {
    kind,
    bytes: Buffer.concat(pieces.map((p) => p.bytes)),
    visible: pieces.reduce((sum, p) => sum + p.visible, 0),
    refusals: pieces.reduce((sum, p) => sum + p.refusals, 0),
  };
}

// ---------------------------------------------------------------------------------------------
// Command mutations

const COMMANDS = buildCommandTable();
/** QUIT ends the session; a failed PASS counts towards the login limit that ends it too. */
const EXCLUDED_VERBS = new Set(['QUIT', 'PASS']);
const VERBS = [...COMMANDS.keys()].filter((verb) => !EXCLUDED_VERBS.has(verb));

interface Environment {
  /** A local listener that takes active-mode data connections and discards them. */
  readonly sinkPort: number;
}

function pathArgument(rng: Rng): string {
  return rng.weighted<() => string>([
    [4, () => rng.pick(['readme.txt', 'binary.bin', 'pub', 'pub/notes.txt', '.', '/', '', 'no-such-file'])],
    [3, () => '../'.repeat(rng.range(1, 30)) + rng.pick(['', 'etc/passwd', 'etc', 'root/.ssh', '..'])],
    [2, () => rng.pick(['/etc/passwd', '/proc/self/environ', '/..', '/../..', '//', '\\..\\..\\windows', '~', '~root', '*', '?', '-la', '-R /'])],
    // Deep paths: every missing level costs the server a realpath and an lstat, so few are very deep.
    [2, () => 'd/'.repeat(rng.chance(0.05) ? rng.range(300, 1500) : rng.range(1, 60))],
    [2, () => 'n'.repeat(rng.range(200, 400))],
    [2, () => `fz-${rng.int(1000)}${rng.pick(['', ' with space', ' ', '\t', '"q"', '%2e%2e', '\u00e9', '\u{1f600}'])}`],
    [1, () => randomBytes(rng, rng.range(1, 40), 'printable').bytes.toString('latin1')],
  ])();
}

function numberArgument(rng: Rng): string {
  return rng.pick(['0', '1', '-1', '100', '49', '4096', '99999999999999999999', '1e309', '0x10', ' 5', String(rng.next()), 'NaN']);
}

function portArgument(rng: Rng, env: Environment): string {
  const [p1, p2] = [env.sinkPort >> 8, env.sinkPort & 0xff];
  return rng.weighted<() => string>([
    // Valid, to our own sink: the server connects to it and moves data.
    [3, () => `127,0,0,1,${p1},${p2}`],
    // A third host or a privileged port: refused (RFC 2577), and nothing is dialled.
    [2, () => `${rng.range(1, 223)},${rng.int(256)},${rng.int(256)},${rng.range(2, 255)},${rng.int(256)},${rng.int(256)}`],
    [1, () => `127,0,0,1,0,${rng.range(1, 255)}`],
    // Malformed.
    [2, () => rng.pick(['', '1,2,3', '1,2,3,4,5,6,7', '256,0,0,1,4,1', '127,0,0,1,-1,4', '127.0.0.1,4,1', 'a,b,c,d,e,f', '127,0,0,1,04,001 ', ',,,,,'])],
  ])();
}

function eprtArgument(rng: Rng, env: Environment): string {
  return rng.weighted<() => string>([
    [3, () => `|1|127.0.0.1|${env.sinkPort}|`],
    [1, () => `|2|::1|${env.sinkPort}|`],
    [1, () => `|1|10.${rng.int(256)}.${rng.int(256)}.${rng.int(256)}|${rng.range(1024, 65535)}|`],
    [1, () => `|1|127.0.0.1|${rng.range(1, 1023)}|`],
    [2, () => rng.pick(['', '|', '||||', '|3|x|1|', '|1|127.0.0.1|99999|', '|1|::1|2000|', '!1!127.0.0.1!2000!', ' |1|127.0.0.1|2000|', '|1|127.0.0.1|2000', '|01|127.0.0.1|2000|'])],
  ])();
}

/** Arguments that mean something to the verb (valid or near-valid). */
function domainArgument(rng: Rng, verb: string, env: Environment): string {
  switch (verb) {
    case 'USER':
      return rng.pick(['conform', 'anonymous', 'ftp', 'root', '', 'x'.repeat(300), 'CONFORM', 'conform ']);
    case 'ACCT':
      return rng.pick(['acct', '', 'x']);
    case 'TYPE':
      return rng.pick(['A', 'I', 'E', 'L 8', 'L 7', 'L', 'A N', 'A T', 'A C', 'E N', 'I N', 'X', 'a', 'i', 'L 0', 'L 99', 'A  N']);
    case 'MODE':
      return rng.pick(['S', 'B', 'C', 'Z', 's', 'SS']);
    case 'STRU':
      return rng.pick(['F', 'R', 'P', 'X', 'f']);
    case 'PORT':
      return portArgument(rng, env);
    case 'EPRT':
      return eprtArgument(rng, env);
    case 'EPSV':
      return rng.pick(['', '1', '2', 'ALL', 'all', '3', 'x', '1 2']);
    case 'REST':
    case 'ALLO':
      return rng.chance(0.3) ? `${numberArgument(rng)} R ${numberArgument(rng)}` : numberArgument(rng);
    case 'OPTS':
      return rng.pick(['UTF8 ON', 'UTF8 OFF', 'UTF8', 'MLST type;size;', 'MLST', 'MLST bogus;', 'MLST type;size;modify;perm;unique;', 'X Y']);
    case 'LANG':
      return rng.pick(['', 'EN', 'en-US', 'fr', 'en-', '-', 'x'.repeat(20)]);
    case 'HOST':
      return rng.pick(['localhost', '127.0.0.1', '[::1]', '10.0.0.1', 'a..b', 'example.com:21', '[127.0.0.1]', '']);
    case 'HELP':
      return rng.chance(0.7) ? rng.pick(VERBS) : rng.pick(['', 'SITE', 'BOGUS', 'help']);
    case 'SITE':
      return rng.pick(['HELP', 'CHMOD 777 readme.txt', 'EXEC ls', 'UMASK 0', '']);
    case 'AUTH':
      return rng.pick(['TLS', 'SSL', 'TLS-C', 'X']);
    case 'PBSZ':
      return rng.pick(['0', '1', 'x']);
    case 'PROT':
      return rng.pick(['C', 'P', 'S', 'E', 'X']);
    case 'MLST':
    case 'STAT':
    case 'LIST':
    case 'NLST':
      return rng.chance(0.2) ? `-la ${pathArgument(rng)}` : pathArgument(rng);
    default:
      return pathArgument(rng);
  }
}

function verbSpelling(rng: Rng, verb: string): string {
  return rng.weighted<() => string>([
    [6, () => verb],
    [2, () => verb.toLowerCase()],
    [1, () => [...verb].map((c) => (rng.chance(0.5) ? c.toLowerCase() : c)).join('')],
    [1, () => rng.pick([verb.slice(0, -1), verb + verb.slice(-1), `X${verb}`, `${verb}\u00e9`, verb.split('').reverse().join('')])],
  ])();
}

function mutatedCommand(rng: Rng, env: Environment): Line {
  const verb = rng.pick(VERBS);
  const spelled = verbSpelling(rng, verb);
  const pieces: Piece[] = [];
  if (rng.chance(0.03)) pieces.push(text(rng.pick([' ', '  ', '\t'])));
  pieces.push(text(spelled));
  const shape = rng.weighted<string>([
    [5, 'domain'],
    [2, 'none'],
    [1, 'printable'],
    [1, 'bytes'],
    [1, 'extra'],
    [1, 'separators'],
    [0.5, 'long'],
  ]);
  switch (shape) {
    case 'domain': {
      const argument = domainArgument(rng, verb, env);
      if (argument !== '' || rng.chance(0.5)) pieces.push(text(` ${argument}`));
      break;
    }
    case 'none':
      break;
    case 'printable':
      pieces.push(text(' '), randomBytes(rng, rng.range(1, 80), 'printable'));
      break;
    case 'bytes':
      pieces.push(text(' '), randomBytes(rng, rng.range(1, 60), rng.chance(0.5) ? 'high' : 'any'));
      break;
    case 'extra':
      pieces.push(text(` ${domainArgument(rng, verb, env)} ${domainArgument(rng, verb, env)} extra`));
      break;
    case 'separators':
      pieces.push(text(rng.pick(['  ', '\t', ' \t ', '   ']) + domainArgument(rng, verb, env) + rng.pick(['', ' ', '  ', '\t'])));
      break;
    case 'long':
      // Right up to the limit (still a command) or just past it (500).
      pieces.push(text(' '), randomBytes(rng, rng.range(MAX_LINE - spelled.length - 40, MAX_LINE - spelled.length + 40), 'printable'));
      break;
  }
  if (rng.chance(0.05)) pieces.splice(rng.range(1, pieces.length), 0, telnetPiece(rng));
  return line(`mutated ${verb}/${shape}`, pieces);
}

function randomLine(rng: Rng): Line {
  const pieces: Piece[] = [];
  const parts = rng.range(1, 4);
  for (let i = 0; i < parts; i++) {
    if (rng.chance(0.25)) pieces.push(telnetPiece(rng));
    else pieces.push(randomBytes(rng, rng.range(0, 120), rng.pick(['any', 'any', 'high', 'printable'] as const)));
  }
  return line('random bytes', pieces);
}

function overlongLine(rng: Rng): Line {
  const length = rng.weighted<() => number>([
    [20, () => rng.range(MAX_LINE + 1, MAX_LINE + 64)],
    [8, () => rng.range(MAX_LINE * 2, MAX_LINE * 8)],
    [1, () => rng.range(64 * 1024, 200 * 1024)],
  ])();
  const pieces = [text(rng.pick(['NOOP ', 'STOR ', 'CWD ', '', 'USER '])), randomBytes(rng, length, rng.chance(0.5) ? 'printable' : 'any')];
  if (rng.chance(0.2)) pieces.push(telnetPiece(rng));
  return line('over-long', pieces);
}

const TRANSFER_VERBS = ['RETR', 'STOR', 'STOU', 'APPE', 'LIST', 'NLST', 'MLSD'];

/**
 * A data connection set up, then a transfer verb on a fuzzed path: active ones reach the sink and
 * move data (150 → 226/426/451), passive ones are never connected to (150 → 425 after the short
 * data-connection timeout). Two or three lines, each answered once.
 */
function transferLines(rng: Rng, env: Environment): Line[] {
  const setup = rng.weighted<() => string>([
    [5, () => `PORT ${portArgument(rng, env)}`],
    [3, () => `EPRT ${eprtArgument(rng, env)}`],
    [1, () => 'PASV'],
    [1, () => 'EPSV'],
  ])();
  const lines = [line('transfer setup', [text(setup)])];
  if (rng.chance(0.2)) lines.push(line('transfer REST', [text(`REST ${numberArgument(rng)}`)]));
  const verb = rng.pick(TRANSFER_VERBS);
  const argument = domainArgument(rng, verb, env);
  lines.push(line(`transfer ${verb}`, [text(argument === '' ? verb : `${verb} ${argument}`)]));
  return lines;
}

function nextLine(rng: Rng, env: Environment): Line {
  return rng.weighted<() => Line>([
    [55, () => mutatedCommand(rng, env)],
    [30, () => randomLine(rng)],
    [10, () => line('valid', [text(rng.pick(['NOOP', 'PWD', 'SYST', 'FEAT', 'HELP', 'STAT', 'TYPE I', 'MODE S', 'STRU F', 'PASV', 'EPSV', 'CDUP', 'ABOR']))])],
    [2, () => overlongLine(rng)],
    [3, () => line('empty', rng.chance(0.5) ? [] : [telnetPiece(rng)])],
  ])();
}

type Terminator = 'crlf' | 'lf' | 'cr';

const TERMINATOR_BYTES: Record<Terminator, Buffer> = { crlf: Buffer.from('\r\n'), lf: Buffer.from('\n'), cr: Buffer.from('\r') };

/**
 * Joins lines into the byte stream of one session. A bare CR followed by another byte ends a line (RFC 854 lets CR go alone
 * only as CR NUL, which is a CR inside the line): so after a bare CR the next byte must not be NUL,
 * or the server would rightly read CR NUL as data. Such a line gets CRLF instead.
 */
class Framer {
  private lastWasBareCR = false;

  frame(rng: Rng, lines: readonly Line[]): Buffer {
    const out: Buffer[] = [];
    lines.forEach((l, index) => {
      if (this.lastWasBareCR && l.bytes[0] === 0) out.push(TERMINATOR_BYTES.lf);
      const drawn = rng.weighted<Terminator>([
        [14, 'crlf'],
        [3, 'lf'],
        [3, 'cr'],
      ]);
      // A CR that ends a write may still be followed by its LF in the next read (RFC 1123
      // §4.1.2.10), so the server rightly waits for the next byte: the last line of a write never
      // ends in a bare CR.
      const terminator = drawn === 'cr' && index === lines.length - 1 ? 'crlf' : drawn;
      out.push(l.bytes, TERMINATOR_BYTES[terminator]);
      this.lastWasBareCR = terminator === 'cr';
    });
    return Buffer.concat(out);
  }
}

// ---------------------------------------------------------------------------------------------
// The fuzzing client

interface SessionStats {
  lines: number;
  answered: number;
  replies: number;
  preliminaries: number;
  refusals: number;
  overlong: number;
  bytesSent: number;
  /** Replies by code, to see what the fuzz reached. */
  codes: Map<number, number>;
}

class FuzzSession {
  private readonly parser = new ReplyParser();
  private readonly pending: Reply[] = [];
  private wake: (() => void) | undefined;
  private closed = false;
  private readonly problems: string[] = [];
  private telnetRefusals = 0;

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => this.accept(this.parser.push(chunk)));
    socket.on('close', () => {
      this.accept(this.parser.end());
      this.closed = true;
      this.wake?.();
    });
    socket.on('error', () => undefined);
  }

  static async open(port: number): Promise<FuzzSession> {
    const socket = net.connect({ host: '127.0.0.1', port });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    socket.setNoDelay(true);
    return new FuzzSession(socket);
  }

  get refusalsSeen(): number {
    return this.telnetRefusals;
  }

  get deviations(): readonly string[] {
    return this.problems;
  }

  /** Sends bytes and waits for `count` completion replies; returns every reply (1yz too). */
  async exchange(bytes: Buffer, count: number, what: () => string): Promise<Reply[]> {
    if (bytes.length > 0) this.socket.write(bytes);
    const got: Reply[] = [];
    let completions = 0;
    const deadline = Date.now() + BATCH_TIMEOUT_MS;
    while (completions < count) {
      const reply = this.pending.shift();
      if (reply !== undefined) {
        got.push(reply);
        if (reply.code >= 200) completions++;
        continue;
      }
      if (this.closed) throw new Error(`server closed the connection after ${completions}/${count} replies to ${what()}; last: ${lastReplies(got)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`only ${completions}/${count} replies within ${BATCH_TIMEOUT_MS} ms to ${what()}; last: ${lastReplies(got)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          this.wake = undefined;
          resolve();
        };
      });
    }
    return got;
  }

  /** QUIT, then: exactly one 221, nothing unasked-for before or after it, and the close. */
  async quit(): Promise<Reply[]> {
    const replies = await this.exchange(Buffer.from('QUIT\r\n'), 1, () => 'QUIT');
    const deadline = Date.now() + 5000;
    while (!this.closed && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    if (!this.closed) throw new Error('server did not close the connection after QUIT');
    return [...replies, ...this.pending.splice(0)];
  }

  destroy(): void {
    this.socket.destroy();
  }

  private accept(replies: Reply[]): void {
    for (const reply of replies) {
      for (const d of reply.deviations) {
        // The refusal the server owes for IAC WILL/DO (RFC 854): IAC DONT x / IAC WONT x.
        if (d.kind === 'telnet-iac' && /^Telnet command IAC (DONT|WONT) \d+ on/.test(d.message)) this.telnetRefusals++;
        else if (this.problems.length < 20) this.problems.push(`${d.kind}: ${d.message} in ${JSON.stringify(reply.text.slice(0, 200))}`);
      }
      // A reply of nothing but carried Telnet commands (at close) is not a reply.
      if (reply.code === 0 && reply.lines.length === 0) continue;
      this.pending.push(reply);
    }
    this.wake?.();
  }
}

function lastReplies(replies: readonly Reply[]): string {
  return JSON.stringify(replies.slice(-3).map((r) => r.text.slice(0, 120)));
}

function summarize(l: Line): string {
  const shown = l.bytes.subarray(0, 80).toString('latin1').replace(/[^\x20-\x7e]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return `${l.kind} (${l.bytes.length} bytes) "${shown}${l.bytes.length > 80 ? '…' : ''}"`;
}

async function fuzzSession(index: number, port: number, env: Environment, stats: SessionStats): Promise<void> {
  const rng = new Rng(SEED + index * 7919);
  const loggedIn = index % 2 === 0;
  const framer = new Framer();
  const session = await FuzzSession.open(port);
  try {
    const greeting = await session.exchange(Buffer.alloc(0), 1, () => 'the greeting');
    expect(greeting.map((r) => r.code)).toEqual([220]);
    const login = () => line('login', [text('USER conform')]);
    const password = () => line('login', [text('PASS conform')]);
    if (loggedIn) {
      const replies = await session.exchange(framer.frame(rng, [login(), password()]), 2, () => 'the login');
      expect(replies.map((r) => r.code)).toEqual([331, 230]);
    }
    let answered = 0;
    let refusals = 0;
    while (answered < LINES_PER_SESSION) {
      // Lock-step most of the time; now and then a pipelined burst of many lines in one write.
      const burst = rng.weighted<() => number>([
        [70, () => 1],
        [20, () => rng.range(2, 20)],
        [8, () => rng.range(20, 300)],
        [2, () => rng.range(300, 1000)],
      ])();
      const lines: Line[] = [];
      for (let i = 0; i < burst; i++) {
        if (loggedIn && rng.chance(0.01)) lines.push(login(), password());
        else if (loggedIn && rng.chance(0.03)) lines.push(...transferLines(rng, env));
        else lines.push(nextLine(rng, env));
      }
      const expected = lines.filter((l) => l.visible > 0).length;
      const bytes = framer.frame(rng, lines);
      const replies = await session.exchange(bytes, expected, () =>
        lines.length === 1 ? summarize(lines[0]!) : `a burst of ${lines.length} lines, starting ${summarize(lines[0]!)}`,
      );
      // In lock-step the reply belongs to the one line: an over-long line is answered 500.
      if (lines.length === 1 && lines[0]!.visible > MAX_LINE) {
        const completion = replies.find((r) => r.code >= 200);
        expect(`${summarize(lines[0]!)} → ${completion?.text}`).toMatch(/→ 500 Command line too long/);
      }
      answered += expected;
      stats.lines += lines.length;
      stats.answered += expected;
      stats.replies += replies.length;
      stats.preliminaries += replies.filter((r) => r.code < 200).length;
      for (const r of replies) stats.codes.set(r.code, (stats.codes.get(r.code) ?? 0) + 1);
      const owed = lines.reduce((sum, l) => sum + l.refusals, 0);
      refusals += owed;
      stats.refusals += owed;
      stats.overlong += lines.filter((l) => l.visible > MAX_LINE).length;
      stats.bytesSent += bytes.length;
    }
    const last = await session.quit();
    expect(last.filter((r) => r.code >= 200).map((r) => r.code)).toEqual([221]);
    expect(session.deviations).toEqual([]);
    expect({ session: index, refusals: session.refusalsSeen }).toEqual({ session: index, refusals });
  } finally {
    session.destroy();
  }
}

/** The active-mode data sink: takes each connection, discards what it gets, closes its side at once. */
function startSink(): Promise<net.Server> {
  return new Promise((resolve) => {
    const sink = net.createServer((socket) => {
      socket.on('error', () => undefined);
      socket.resume();
      socket.end();
    });
    sink.listen(0, '127.0.0.1', () => resolve(sink));
  });
}

/** A full collection, so heap numbers compare what is live rather than what is not yet collected. */
function collectGarbage(): void {
  v8.setFlagsFromString('--expose_gc');
  (vm.runInNewContext('gc') as () => void)();
}

async function stillServes(port: number): Promise<number[]> {
  const probe = await FuzzSession.open(port);
  try {
    const replies = [...(await probe.exchange(Buffer.alloc(0), 1, () => 'a probe greeting'))];
    replies.push(...(await probe.exchange(Buffer.from('NOOP\r\n'), 1, () => 'a probe NOOP')));
    replies.push(...(await probe.quit()));
    return replies.map((r) => r.code);
  } finally {
    probe.destroy();
  }
}

let server: TemporaryServer;
let sink: net.Server;

beforeAll(async () => {
  server = await createTemporaryServer({
    failedLoginDelayMs: 0,
    // A PASV nobody connects to fails the transfer (425) after this long instead of 10 s.
    dataConnectionTimeoutMs: 25,
    maxSessions: 64,
  });
  sink = await startSink();
});

afterAll(async () => {
  await server?.close();
  await new Promise<void>((resolve) => (sink ? sink.close(() => resolve()) : resolve()));
});

describe('control-connection fuzzing (fixed seed)', () => {
  it(`answers ${SESSIONS * LINES_PER_SESSION}+ random and mutated lines, each exactly once and well formed, without crashing or growing`, async () => {
    const started = Date.now();
    const env: Environment = { sinkPort: (sink.address() as net.AddressInfo).port };
    const stats: SessionStats = { lines: 0, answered: 0, replies: 0, preliminaries: 0, refusals: 0, overlong: 0, bytesSent: 0, codes: new Map() };
    let heapAfterWarmUp = 0;
    let next = 0;
    let finished = 0;
    const worker = async () => {
      while (next < SESSIONS) {
        if (Date.now() - started > RUN_DEADLINE_MS) throw new Error(`fuzz run exceeded ${RUN_DEADLINE_MS} ms after ${finished} sessions`);
        const index = next++;
        await fuzzSession(index, server.port, env, stats);
        finished++;
        // After the first round of sessions, the heap has what it needs (caches, code): measure.
        if (finished === CONCURRENCY) {
          collectGarbage();
          heapAfterWarmUp = process.memoryUsage().heapUsed;
        }
        // The server still takes new sessions between fuzzing sessions.
        expect(await stillServes(server.port)).toEqual([220, 200, 221]);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const elapsed = Date.now() - started;

    // Every session is released once its client is gone.
    for (let i = 0; i < 100 && server.sessions() > 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(server.sessions()).toBe(0);

    collectGarbage();
    const memory = process.memoryUsage();
    const growthMb = (memory.heapUsed - heapAfterWarmUp) / 2 ** 20;
    // eslint-disable-next-line no-console
    console.log(
      `fuzz: ${stats.lines} lines (${stats.answered} commands, ${stats.overlong} over-long, ${stats.refusals} Telnet refusals), ` +
        `${stats.replies} replies (${stats.preliminaries} preliminary), ${(stats.bytesSent / 2 ** 20).toFixed(1)} MiB sent in ${SESSIONS} sessions, ` +
        `${(elapsed / 1000).toFixed(1)} s; heap ${(memory.heapUsed / 2 ** 20).toFixed(0)} MiB (${growthMb >= 0 ? '+' : ''}${growthMb.toFixed(1)} since warm-up), rss ${(memory.rss / 2 ** 20).toFixed(0)} MiB\n` +
        `replies by code: ${[...stats.codes].sort(([a], [b]) => a - b).map(([code, n]) => `${code}×${n}`).join(' ')}`,
    );
    expect(stats.answered).toBeGreaterThanOrEqual(100_000);
    expect(stats.overlong).toBeGreaterThan(100);
    expect(stats.refusals).toBeGreaterThan(100);
    // 100,000 lines leave nothing behind: a leak of even a few hundred bytes per line would show.
    expect(growthMb).toBeLessThan(32);
    expect(memory.rss / 2 ** 20).toBeLessThan(1024);
  }, 200_000);
});

describe('pipelined over-long lines', () => {
  // Found by this fuzzing (now fixed): the 500 for an over-long line is sent as soon as the line is
  // read (reference-server/server.ts → Session.lineTooLong replies at once), not in turn through
  // the command queue, so it overtakes the replies of earlier pipelined commands that await the
  // file system. RFC 959 §4.2 / §5.4 pair replies with commands by order.
  it('answers an over-long line in turn, after the commands sent before it', async () => {
    const session = await FuzzSession.open(server.port);
    try {
      await session.exchange(Buffer.alloc(0), 1, () => 'the greeting');
      await session.exchange(Buffer.from('USER conform\r\nPASS conform\r\n'), 2, () => 'the login');
      const burst = Buffer.from(`CWD pub\r\nSIZE notes.txt\r\n${'X'.repeat(MAX_LINE + 1)}\r\nNOOP\r\n`);
      const replies = await session.exchange(burst, 4, () => 'CWD, SIZE, an over-long line, NOOP');
      expect(replies.map((r) => r.code)).toEqual([250, 213, 500, 200]);
    } finally {
      session.destroy();
    }
  });
});
