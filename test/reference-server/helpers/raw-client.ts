/**
 * A deliberately dumb FTP client over a raw socket: it sends exactly the bytes a test gives it and
 * hands back each reply with its raw text, so tests can check the wire format itself.
 */
import * as net from 'node:net';

export interface RawReply {
  readonly code: number;
  /** Text of each line after the code and separator (`-` or space). */
  readonly lines: readonly string[];
  /** Exactly the bytes received for this reply, CRLFs included. */
  readonly raw: string;
}

export class RawClient {
  private buffer = '';
  private readonly waiting: Array<() => void> = [];
  private ended = false;

  private constructor(readonly socket: net.Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      this.wake();
    });
    socket.on('close', () => {
      this.ended = true;
      this.wake();
    });
    socket.on('error', () => undefined);
  }

  static async connect(port: number, host = '127.0.0.1'): Promise<{ client: RawClient; greeting: RawReply }> {
    const socket = net.connect({ host, port });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const client = new RawClient(socket);
    return { client, greeting: await client.reply() };
  }

  /** Connect and log in. */
  static async login(port: number, user: string, password: string, host = '127.0.0.1'): Promise<RawClient> {
    const { client } = await RawClient.connect(port, host);
    expectCode(await client.command(`USER ${user}`), 331);
    expectCode(await client.command(`PASS ${password}`), 230);
    return client;
  }

  get closed(): boolean {
    return this.ended;
  }

  send(data: string | Buffer): void {
    this.socket.write(typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
  }

  async command(line: string): Promise<RawReply> {
    this.send(`${line}\r\n`);
    return this.reply();
  }

  /** The next complete reply (RFC 959 §4.2 framing), or an error if the connection closes first. */
  async reply(timeoutMs = 10_000): Promise<RawReply> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const parsed = this.tryParse();
      if (parsed !== null) return parsed;
      if (this.ended) throw new Error(`connection closed; unparsed: ${JSON.stringify(this.buffer)}`);
      await this.wait(deadline - Date.now());
      if (Date.now() >= deadline) throw new Error(`no complete reply within ${timeoutMs} ms; have ${JSON.stringify(this.buffer)}`);
    }
  }

  /** Resolves when the server closes the connection. */
  async waitForClose(timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.ended) {
      if (Date.now() >= deadline) throw new Error('server did not close the connection');
      await this.wait(deadline - Date.now());
    }
  }

  /** PASV, then connect the data socket. */
  async passive(): Promise<net.Socket> {
    const reply = await this.command('PASV');
    expectCode(reply, 227);
    const numbers = /(\d+),(\d+),(\d+),(\d+),(\d+),(\d+)/.exec(reply.lines[0]!)!.slice(1).map(Number);
    return connectData(numbers.slice(0, 4).join('.'), numbers[4]! * 256 + numbers[5]!);
  }

  /** EPSV, then connect the data socket to the control connection's address. */
  async extendedPassive(): Promise<net.Socket> {
    const reply = await this.command('EPSV');
    expectCode(reply, 229);
    const port = Number(/\(\|\|\|(\d+)\|\)/.exec(reply.lines[0]!)![1]);
    return connectData(this.socket.remoteAddress!, port);
  }

  close(): void {
    this.socket.destroy();
  }

  private tryParse(): RawReply | null {
    const firstEnd = this.buffer.indexOf('\r\n');
    if (firstEnd < 0) return null;
    const first = this.buffer.slice(0, firstEnd);
    const head = /^(\d{3})([ -])/.exec(first);
    if (head === null) throw new Error(`malformed reply line ${JSON.stringify(first)}`);
    const code = head[1]!;
    if (head[2] === ' ') return this.take(firstEnd + 2, Number(code), [first.slice(4)]);
    const lines = [first.slice(4)];
    let position = firstEnd + 2;
    for (;;) {
      const end = this.buffer.indexOf('\r\n', position);
      if (end < 0) return null;
      const line = this.buffer.slice(position, end);
      position = end + 2;
      if (line.startsWith(`${code} `)) {
        lines.push(line.slice(4));
        return this.take(position, Number(code), lines);
      }
      lines.push(line);
    }
  }

  private take(length: number, code: number, lines: string[]): RawReply {
    const raw = this.buffer.slice(0, length);
    this.buffer = this.buffer.slice(length);
    return { code, lines, raw };
  }

  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, Math.max(0, ms));
      this.waiting.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private wake(): void {
    for (const resolve of this.waiting.splice(0)) resolve();
  }
}

export function expectCode(reply: RawReply, ...codes: number[]): RawReply {
  if (!codes.includes(reply.code)) throw new Error(`expected ${codes.join('/')} but got ${JSON.stringify(reply.raw)}`);
  return reply;
}

export async function connectData(host: string, port: number): Promise<net.Socket> {
  const socket = net.connect({ host, port });
  socket.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return socket;
}

/** Everything the peer sends until it closes. */
export function readAll(socket: net.Socket): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.once('end', () => resolve(Buffer.concat(chunks)));
    socket.once('error', reject);
  });
}

/** Write, then close our side, and wait until the socket is fully closed. */
export function writeAndClose(socket: net.Socket, data: Buffer): Promise<void> {
  return new Promise((resolve) => {
    socket.once('close', () => resolve());
    socket.end(data);
    socket.resume();
  });
}
