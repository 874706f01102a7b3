/**
 * The benchmark's FTP client: as little as a client can be, so both servers are measured through
 * the same few lines and the client is never the bottleneck. Control: CRLF replies, multi-line aware.
 * Data: PASV, then RETR into a sink that only counts bytes, or STOR from one preallocated buffer.
 */
import * as net from 'node:net';

export interface FtpReply {
  readonly code: number;
  readonly text: string;
}

export class FtpControl {
  private buffer = '';
  private readonly replies: FtpReply[] = [];
  private waiter: (() => void) | undefined;
  private failure: Error | undefined;
  private multiline: { code: string; lines: string[] } | undefined;

  private constructor(private readonly socket: net.Socket) {
    socket.setEncoding('latin1');
    socket.setNoDelay(true);
    socket.on('data', (chunk: string) => this.receive(chunk));
    socket.on('error', (error) => this.fail(error));
    socket.on('close', () => this.fail(new Error('control connection closed')));
  }

  static async connect(port: number, host = '127.0.0.1'): Promise<FtpControl> {
    const socket = net.connect({ host, port });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const control = new FtpControl(socket);
    const greeting = await control.reply();
    if (greeting.code !== 220) throw new Error(`greeting: ${greeting.text}`);
    return control;
  }

  static async login(port: number, user: string, password: string): Promise<FtpControl> {
    const control = await FtpControl.connect(port);
    await control.expect(`USER ${user}`, 331);
    await control.expect(`PASS ${password}`, 230);
    return control;
  }

  send(line: string): void {
    this.socket.write(`${line}\r\n`);
  }

  async reply(timeoutMs = 120_000): Promise<FtpReply> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const next = this.replies.shift();
      if (next !== undefined) return next;
      if (this.failure !== undefined) throw this.failure;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no reply within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  async expect(line: string, ...codes: number[]): Promise<FtpReply> {
    this.send(line);
    const reply = await this.reply();
    if (!codes.includes(reply.code)) throw new Error(`${line.split(' ')[0]}: expected ${codes.join('/')}, got ${reply.text}`);
    return reply;
  }

  /**
   * PASV and connect: the data socket, ready before the transfer command is sent. With `sink`, the
   * socket reads into one reused buffer (`onread`) and only counts: no allocation per chunk, which
   * is what lets a Node client keep up with a C server on loopback.
   */
  async passive(sink?: ByteCounter): Promise<net.Socket> {
    const reply = await this.expect('PASV', 227);
    const numbers = /(\d+),(\d+),(\d+),(\d+),(\d+),(\d+)/.exec(reply.text);
    if (numbers === null) throw new Error(`cannot parse ${reply.text}`);
    const port = Number(numbers[5]) * 256 + Number(numbers[6]);
    // The control connection's host, whatever the 227 says (RFC 2577 §8 hygiene).
    return connectData(port, sink);
  }

  close(): void {
    this.socket.destroy();
  }

  async quit(): Promise<void> {
    try {
      await this.expect('QUIT', 221);
    } finally {
      this.close();
    }
  }

  private receive(chunk: string): void {
    this.buffer += chunk;
    let end: number;
    while ((end = this.buffer.indexOf('\r\n')) >= 0) {
      const line = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      this.line(line);
    }
    this.waiter?.();
  }

  private line(line: string): void {
    const code = line.slice(0, 3);
    if (this.multiline !== undefined) {
      this.multiline.lines.push(line);
      if (code === this.multiline.code && line[3] === ' ') {
        this.replies.push({ code: Number(code), text: this.multiline.lines.join('\n') });
        this.multiline = undefined;
      }
    } else if (/^\d{3}-/.test(line)) {
      this.multiline = { code, lines: [line] };
    } else {
      this.replies.push({ code: Number(code), text: line });
    }
  }

  private fail(error: Error): void {
    this.failure ??= error;
    this.waiter?.();
  }
}

/** Counts what a data socket receives, reading into one preallocated buffer. */
export class ByteCounter {
  bytes = 0;
  private static readonly buffer = Buffer.alloc(4 * 1024 * 1024);

  readonly onread: net.OnReadOpts = {
    buffer: ByteCounter.buffer,
    callback: (length: number) => {
      this.bytes += length;
      return true;
    },
  };
}

export async function connectData(port: number, sink?: ByteCounter): Promise<net.Socket> {
  const socket = net.connect({ host: '127.0.0.1', port, ...(sink === undefined ? {} : { onread: sink.onread }) });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return socket;
}

/** Resolves with the byte count once the peer has ended the data connection. */
export function untilEnd(socket: net.Socket, counter: ByteCounter): Promise<number> {
  return new Promise((resolve, reject) => {
    if (socket.readableEnded) return resolve(counter.bytes);
    socket.once('end', () => resolve(counter.bytes));
    socket.once('error', reject);
  });
}

/** Writes `size` bytes from one preallocated buffer, respecting backpressure, then ends. */
export async function sendBytes(socket: net.Socket, size: number, block: Buffer): Promise<void> {
  let left = size;
  while (left > 0) {
    const piece = left >= block.length ? block : block.subarray(0, left);
    left -= piece.length;
    if (!socket.write(piece)) {
      await new Promise<void>((resolve, reject) => {
        const onError = (error: Error) => reject(error);
        socket.once('error', onError);
        socket.once('drain', () => {
          socket.off('error', onError);
          resolve();
        });
      });
    }
  }
  await new Promise<void>((resolve) => socket.end(resolve));
}

export interface Timed {
  readonly bytes: number;
  readonly seconds: number;
}

/** RETR: from sending the command to the 226 and the end of the data; the data connection is made before. */
export async function timedRetr(control: FtpControl, name: string): Promise<Timed> {
  const counter = new ByteCounter();
  const data = await control.passive(counter);
  const received = untilEnd(data, counter);
  const started = process.hrtime.bigint();
  control.send(`RETR ${name}`);
  const first = await control.reply();
  if (first.code !== 150 && first.code !== 125) throw new Error(`RETR: ${first.text}`);
  const [bytes, done] = await Promise.all([received, control.reply()]);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  data.destroy();
  if (done.code !== 226) throw new Error(`RETR: ${done.text}`);
  return { bytes, seconds };
}

/** STOR: from sending the command to the 226 (the file is in place). */
export async function timedStor(control: FtpControl, name: string, size: number, block: Buffer): Promise<Timed> {
  const data = await control.passive();
  data.on('error', () => undefined);
  const started = process.hrtime.bigint();
  control.send(`STOR ${name}`);
  const first = await control.reply();
  if (first.code !== 150 && first.code !== 125) throw new Error(`STOR: ${first.text}`);
  await sendBytes(data, size, block);
  const done = await control.reply();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  data.destroy();
  if (done.code !== 226) throw new Error(`STOR: ${done.text}`);
  return { bytes: size, seconds };
}
