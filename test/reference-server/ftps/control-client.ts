/**
 * A dumb FTPS client for protocol tests: it sends exactly the lines a test gives it and parses
 * replies (RFC 959 §4.2), over a control connection that can be upgraded with AUTH TLS and
 * cleared again after CCC or REIN (RFC 4217 §5, §13). Every socket it opens is closed by close().
 */
import * as net from 'node:net';
import * as tls from 'node:tls';
import { connectClearableTls, downgradeFromTls } from '../../../reference-server/tls';

export interface Reply {
  readonly code: number;
  readonly lines: readonly string[];
}

/** The test certificate is self-signed: encryption is what is tested here, not identity. */
const TLS_OPTIONS: tls.ConnectionOptions = { rejectUnauthorized: false };

export class FtpsControl {
  private socket: net.Socket;
  private buffer = '';
  private ended = false;
  private holdAfterReply = false;
  private readonly waiting: Array<() => void> = [];
  private readonly sockets = new Set<net.Socket>();
  /** The newest TLS session the server gave on the control connection (TLS 1.3 tickets come late). */
  session: Buffer | undefined;
  private readonly onData = (chunk: Buffer) => {
    this.buffer += chunk.toString('utf8');
    // Before clearing, stop at the reply: the close_notify behind it is for downgradeFromTls.
    if (this.holdAfterReply && this.buffer.includes('\r\n')) this.socket.pause();
    this.wake();
  };
  private readonly onClose = () => {
    this.ended = true;
    this.wake();
  };

  private constructor(socket: net.Socket) {
    this.socket = socket;
    this.attach(socket);
  }

  /** Connect (implicit: TLS from the first byte) and read the greeting. */
  static async connect(port: number, options: { implicit?: boolean } = {}): Promise<{ client: FtpsControl; greeting: Reply }> {
    const socket = options.implicit ? tls.connect({ ...TLS_OPTIONS, host: '127.0.0.1', port }) : net.connect({ host: '127.0.0.1', port });
    socket.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      socket.once(options.implicit ? 'secureConnect' : 'connect', resolve);
      socket.once('error', reject);
    });
    const client = new FtpsControl(socket);
    return { client, greeting: await client.reply() };
  }

  get isProtected(): boolean {
    return this.socket instanceof tls.TLSSocket;
  }

  /** SHA-256 fingerprint of the server certificate on the control connection. */
  peerFingerprint(): string | undefined {
    return this.socket instanceof tls.TLSSocket ? this.socket.getPeerCertificate().fingerprint256 : undefined;
  }

  get closed(): boolean {
    return this.ended;
  }

  /** Bytes as they are, on whatever the control connection is now. */
  write(text: string): void {
    this.socket.write(text);
  }

  async waitForClose(timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.ended) {
      if (Date.now() >= deadline) throw new Error('the server did not close the connection');
      await this.wait(deadline - Date.now());
    }
  }

  async command(line: string): Promise<Reply> {
    this.socket.write(`${line}\r\n`);
    return this.reply();
  }

  /** AUTH TLS (or a synonym): expect 234, then the handshake in place, as the TLS client (RFC 4217 §7). */
  async authTls(mechanism = 'TLS'): Promise<Reply> {
    const reply = await this.command(`AUTH ${mechanism}`);
    if (reply.code !== 234) return reply;
    const raw = this.socket;
    this.detach(raw);
    const secured = connectClearableTls(raw, TLS_OPTIONS);
    this.attach(secured);
    await once(secured, 'secureConnect');
    return reply;
  }

  /** Send a command after which the server clears TLS (CCC, REIN): its reply, then close_notify both ways. */
  async commandThenClear(line: string): Promise<Reply> {
    this.holdAfterReply = true;
    const reply = await this.command(line);
    this.holdAfterReply = false;
    if (reply.code >= 400) {
      this.socket.resume();
      return reply;
    }
    const secured = this.socket as tls.TLSSocket;
    this.detach(secured);
    const plain = await downgradeFromTls(secured);
    this.sockets.delete(secured);
    this.attach(plain);
    return reply;
  }

  /** PASV, then connect to the data port. */
  async passive(): Promise<net.Socket> {
    const reply = await this.command('PASV');
    if (reply.code !== 227) throw new Error(`PASV: ${reply.code} ${reply.lines.join(' ')}`);
    const numbers = /(\d+),(\d+),(\d+),(\d+),(\d+),(\d+)/.exec(reply.lines[0]!)!.slice(1).map(Number);
    const socket = this.track(net.connect({ host: numbers.slice(0, 4).join('.'), port: numbers[4]! * 256 + numbers[5]! }));
    await once(socket, 'connect');
    return socket;
  }

  /** TLS client on a data connection; `reuse` offers the control connection's session (RFC 4217 §10.2). */
  secureData(raw: net.Socket, reuse: boolean): tls.TLSSocket {
    return this.track(tls.connect({ ...TLS_OPTIONS, socket: raw, ...(reuse && this.session ? { session: this.session } : {}) }));
  }

  /** The next complete reply, or an error if the connection closes first. */
  async reply(timeoutMs = 10_000): Promise<Reply> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const parsed = this.tryParse();
      if (parsed !== null) return parsed;
      if (this.ended) throw new Error(`connection closed; unparsed: ${JSON.stringify(this.buffer)}`);
      if (Date.now() >= deadline) throw new Error(`no complete reply within ${timeoutMs} ms; have ${JSON.stringify(this.buffer)}`);
      await this.wait(deadline - Date.now());
    }
  }

  /** Until something arrives or the connection closes, at most `ms`. */
  private wait(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, Math.max(0, ms));
      this.waiting.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  close(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  track<T extends net.Socket>(socket: T): T {
    this.sockets.add(socket);
    socket.on('error', () => undefined);
    return socket;
  }

  private attach(socket: net.Socket): void {
    this.socket = this.track(socket);
    socket.on('data', this.onData);
    socket.on('close', this.onClose);
    if (socket instanceof tls.TLSSocket) socket.on('session', (session: Buffer) => (this.session = session));
    socket.resume();
  }

  private detach(socket: net.Socket): void {
    socket.off('data', this.onData);
    socket.off('close', this.onClose);
  }

  private tryParse(): Reply | null {
    const firstEnd = this.buffer.indexOf('\r\n');
    if (firstEnd < 0) return null;
    const head = /^(\d{3})([ -])(.*)$/.exec(this.buffer.slice(0, firstEnd));
    if (head === null) throw new Error(`malformed reply line ${JSON.stringify(this.buffer.slice(0, firstEnd))}`);
    const code = head[1]!;
    const lines = [head[3]!];
    let position = firstEnd + 2;
    while (head[2] === '-') {
      const end = this.buffer.indexOf('\r\n', position);
      if (end < 0) return null;
      const line = this.buffer.slice(position, end);
      position = end + 2;
      lines.push(line.startsWith(`${code} `) ? line.slice(4) : line);
      if (line.startsWith(`${code} `)) break;
    }
    this.buffer = this.buffer.slice(position);
    return { code: Number(code), lines };
  }

  private wake(): void {
    for (const resolve of this.waiting.splice(0)) resolve();
  }
}

export function once(emitter: NodeJS.EventEmitter, event: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => {
      emitter.off(event, onEvent);
      reject(error);
    };
    const onEvent = () => {
      emitter.off('error', onError);
      resolve();
    };
    emitter.once(event, onEvent);
    emitter.once('error', onError);
  });
}

/** Everything the peer sends until it ends the stream. */
export function readAll(socket: net.Socket): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.once('end', () => resolve(Buffer.concat(chunks)));
    socket.once('error', reject);
  });
}
