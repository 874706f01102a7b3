import * as net from 'net';
import { Deviation, deviation, visible } from './deviations';
import { Reply, ReplyParser, ReplyParserOptions } from './reply-parser';
import { Transcript } from './transcript';
import { WireError } from './control-errors';
import { describeTls, startTls } from './tls';
import * as tls from 'tls';

export { WireError } from './control-errors';

/** A reply as the control connection saw it: when it came and what it answered. */
export interface ReceivedReply extends Reply {
  /** The command it answered, when one was outstanding. */
  answers?: string;
  /** True when no command was waiting for it (a spontaneous or a second reply). */
  stray: boolean;
}

export interface ControlOptions {
  host: string;
  port: number;
  name?: string;
  transcript: Transcript;
  connectTimeoutMs: number;
  parser?: ReplyParserOptions;
  /** Implicit FTPS: TLS from the first byte. */
  implicitTls?: boolean;
}

const GREETING = '(greeting)';
/** A flooding server must not grow memory: past these, deviations are counted, stray replies dropped. */
const MAX_DEVIATIONS = 500;
const MAX_QUEUED = 100;

type Waiter = { resolve: (r: ReceivedReply) => void; reject: (e: Error) => void; timer: NodeJS.Timeout };

/**
 * The harness's own control channel over a plain net.Socket. Every byte goes through the strict
 * ReplyParser; replies are matched to outstanding commands by arrival, so a reply that nothing
 * asked for is caught even when it arrives in the same packet as a legitimate one.
 */
export class ControlConnection {
  readonly name: string;
  readonly deviations: Deviation[] = [];
  /** Deviations seen after MAX_DEVIATIONS were kept. */
  deviationsDropped = 0;
  private readonly parser: ReplyParser;
  private readonly queue: ReceivedReply[] = [];
  private waiters: Waiter[] = [];
  private closeWaiters: Array<() => void> = [];
  /** Commands (and the greeting) still owed a completion reply, oldest first. */
  private outstanding: string[] = [GREETING];
  private lastAnswered: string | undefined;
  private endReason: WireError | undefined;

  /** The TLS layer once AUTH TLS (or implicit FTPS) secured the connection. */
  private secured: tls.TLSSocket | undefined;
  /** The data protection level set by a successful PROT (RFC 2228): P wraps data connections in TLS. */
  dataProtection: 'C' | 'P' = 'C';

  private constructor(
    private socket: net.Socket,
    private readonly opts: ControlOptions,
  ) {
    this.name = opts.name ?? 'main';
    this.parser = new ReplyParser(opts.parser);
    if (socket instanceof tls.TLSSocket) this.secured = socket;
    this.attach(socket);
  }

  private attach(socket: net.Socket): void {
    socket.on('data', (chunk: Buffer) => this.onReplies(this.parser.push(chunk)));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      const kind = err.code === 'ECONNRESET' || err.code === 'EPIPE' ? 'reset' : 'closed';
      this.finish(new WireError(kind, `control connection ${err.code === 'ECONNRESET' ? 'reset by the server' : `error: ${err.message}`}`));
    });
    socket.on('close', () => this.finish(new WireError('closed', 'the server closed the control connection')));
    socket.on('end', () => socket.end());
  }

  /** The control connection's TLS layer, when it has one (data connections resume its session). */
  get tlsSocket(): tls.TLSSocket | undefined {
    return this.secured;
  }

  /**
   * AUTH TLS accepted (234): the handshake starts on the same TCP connection (RFC 4217 §4).
   * Replies still queued were sent in clear before the 234 and are kept as they are.
   */
  async upgradeToTls(timeoutMs: number): Promise<void> {
    if (this.secured) throw new WireError('closed', 'the control connection is already protected');
    const raw = this.socket;
    raw.removeAllListeners('data');
    raw.removeAllListeners('end');
    raw.removeAllListeners('close');
    raw.removeAllListeners('error');
    raw.on('error', () => undefined);
    let secured: tls.TLSSocket;
    try {
      secured = await startTls({ socket: raw }, { timeoutMs, servername: this.opts.host });
    } catch (e) {
      raw.destroy();
      this.finish(e as WireError);
      throw e;
    }
    this.socket = secured;
    this.secured = secured;
    this.attach(secured);
    const info = describeTls(secured);
    this.opts.transcript.note(`TLS on the control connection: ${info.protocol} ${info.cipher}, certificate ${info.subject}`, this.name);
  }

  static async open(opts: ControlOptions): Promise<ControlConnection> {
    if (!opts.implicitTls) return ControlConnection.openPlain(opts);
    try {
      const secured = await startTls({ host: opts.host, port: opts.port }, { timeoutMs: opts.connectTimeoutMs, servername: opts.host });
      secured.setNoDelay(true);
      const info = describeTls(secured);
      opts.transcript.note(`connected with implicit TLS to ${opts.host}:${opts.port}: ${info.protocol} ${info.cipher}, certificate ${info.subject}`, opts.name);
      return new ControlConnection(secured, opts);
    } catch (e) {
      const err = e as WireError;
      throw new WireError(err.kind === 'refused' ? 'refused' : 'unreachable', `cannot connect with implicit TLS to ${opts.host}:${opts.port}: ${err.message}`);
    }
  }

  private static openPlain(opts: ControlOptions): Promise<ControlConnection> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: opts.host, port: opts.port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new WireError('unreachable', `no TCP connection to ${opts.host}:${opts.port} within ${opts.connectTimeoutMs} ms`));
      }, opts.connectTimeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        socket.setNoDelay(true);
        opts.transcript.note(`connected to ${opts.host}:${opts.port} from ${socket.localAddress}:${socket.localPort}`, opts.name);
        resolve(new ControlConnection(socket, opts));
      });
      socket.once('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        socket.destroy();
        const kind = err.code === 'ECONNREFUSED' ? 'refused' : 'unreachable';
        reject(new WireError(kind, `cannot connect to ${opts.host}:${opts.port}: ${err.code ?? err.message}`));
      });
    });
  }

  get closed(): boolean {
    return this.endReason !== undefined;
  }
  get localAddress(): string {
    return this.socket.localAddress ?? '127.0.0.1';
  }
  get remoteAddress(): string {
    return this.socket.remoteAddress ?? this.opts.host;
  }
  get host(): string {
    return this.opts.host;
  }
  get family(): 4 | 6 {
    return net.isIPv6(this.remoteAddress) && !this.remoteAddress.startsWith('::ffff:') ? 6 : 4;
  }

  /** Sends a command line; CRLF is added. */
  send(line: string): void {
    const shown = /^PASS /i.test(line) ? 'PASS ****' : line;
    this.write(Buffer.from(line + '\r\n', 'utf8'), visible(shown, 512), line);
  }

  /**
   * Sends bytes exactly as given (the test decides about line ends). Each line they complete is a
   * command owed a reply (several commands in one write, RFC 1123 §4.1.2.10); bytes without a line
   * end owe one when the caller expects a reply.
   */
  sendRaw(bytes: Buffer, expectsReply: boolean): void {
    const lines = bytes.toString('latin1').split('\n');
    const complete = lines.slice(0, -1).map((l) => l.replace(/\r$/, ''));
    const commands = complete.length > 0 ? complete : expectsReply ? [lines[0]] : [];
    this.write(bytes, visible(bytes, 512), commands.map((c) => visible(Buffer.from(c, 'latin1'), 40)));
  }

  private write(bytes: Buffer, shown: string, commands: string | string[] | undefined): void {
    // Stray replies that came before this command must not be taken as its answer.
    for (let i = this.queue.length - 1; i >= 0; i--) if (this.queue[i].stray) this.queue.splice(i, 1);
    for (const command of commands === undefined ? [] : ([] as string[]).concat(commands)) this.outstanding.push(command.split(' ')[0].toUpperCase());
    this.opts.transcript.add('c>s', shown, this.name);
    if (!this.closed) this.socket.write(bytes);
  }

  /** The next reply (preliminary or completion), or a WireError when none comes in time. */
  nextReply(timeoutMs: number): Promise<ReceivedReply> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    if (this.endReason) return Promise.reject(this.endReason);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          reject(new WireError('timeout', this.timeoutMessage(timeoutMs)));
        }, timeoutMs),
      };
      this.waiters.push(waiter);
    });
  }

  /** Resolves true when the server closes the connection within the time, false otherwise. */
  waitClosed(timeoutMs: number): Promise<boolean> {
    if (this.closed) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.closeWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  destroy(): void {
    this.socket.destroy();
    this.finish(new WireError('closed', 'the harness closed the control connection'));
  }

  private timeoutMessage(ms: number): string {
    const partial = this.parser.partialLine();
    if (partial.length > 0) return `no complete reply within ${ms} ms; ${partial.length} bytes received without an end of line: "${visible(partial, 80)}"`;
    if (this.parser.inMultiline()) return `no end of the multi-line reply within ${ms} ms`;
    return `no reply within ${ms} ms`;
  }

  private onReplies(replies: Reply[]): void {
    for (const reply of replies) {
      this.opts.transcript.serverLines(reply.rawLines, this.name);
      if (reply.lines.length === 0) {
        // Only Telnet commands, after the last reply: nothing to deliver, but keep what was seen.
        this.record(reply.deviations);
        continue;
      }
      const received = this.classify(reply);
      this.record(received.deviations);
      const waiter = this.waiters.shift();
      if (waiter) {
        clearTimeout(waiter.timer);
        waiter.resolve(received);
      } else if (!received.stray || this.queue.length < MAX_QUEUED) {
        this.queue.push(received);
      }
    }
  }

  private record(deviations: Deviation[]): void {
    for (const d of deviations) {
      if (this.deviations.length >= MAX_DEVIATIONS) {
        this.deviationsDropped++;
        continue;
      }
      this.deviations.push(d);
      this.opts.transcript.note(`deviation ${d.kind}: ${d.message} [${d.ref}]`, this.name);
    }
  }

  private classify(reply: Reply): ReceivedReply {
    const preliminary = reply.code >= 100 && reply.code < 200;
    if (this.outstanding.length > 0) {
      const answers = this.outstanding[0];
      if (!preliminary) {
        this.outstanding.shift();
        // The greeting answers no command: a reply after it alone is spontaneous, not a second answer.
        this.lastAnswered = answers === GREETING ? undefined : answers;
      }
      return { ...reply, answers, stray: false };
    }
    const devs = [...reply.deviations];
    if (reply.code === 421) devs.push(deviation('unsolicited-421', '421 sent while no command was waiting', reply.raw));
    else if (this.lastAnswered) devs.push(deviation('extra-reply', `a further reply after ${this.lastAnswered} had already been answered`, reply.raw));
    else devs.push(deviation('unsolicited-reply', 'reply sent while no command was waiting', reply.raw));
    return { ...reply, deviations: devs, stray: true };
  }

  private finish(reason: WireError): void {
    if (this.endReason) return;
    for (const r of this.parser.end()) this.onReplies([r]);
    this.endReason = reason;
    this.opts.transcript.note(reason.message, this.name);
    for (const w of this.waiters) {
      clearTimeout(w.timer);
      w.reject(reason);
    }
    this.waiters = [];
    for (const c of this.closeWaiters) c();
    this.closeWaiters = [];
  }
}
