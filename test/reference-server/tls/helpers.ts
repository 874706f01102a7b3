import * as net from 'node:net';
import type { Duplex } from 'node:stream';

/**
 * Reads one CRLF-terminated line from a stream and detaches again, returning the bytes that came
 * after the line (`rest`), exactly like a server's plaintext reader before AUTH TLS or after CCC.
 */
export function readLine(stream: Duplex, timeoutMs = 5000): Promise<{ line: string; rest: Buffer }> {
  return new Promise((resolve, reject) => {
    let buffered = Buffer.alloc(0);
    const timer = setTimeout(() => finish(new Error(`no line within ${timeoutMs} ms, got ${JSON.stringify(buffered.toString('latin1'))}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf('\r\n');
      if (end === -1) return;
      stream.pause();
      finish(null, { line: buffered.subarray(0, end).toString('latin1'), rest: buffered.subarray(end + 2) });
    };
    const onEnd = () => finish(new Error('stream ended before a full line'));
    function finish(error: Error | null, value?: { line: string; rest: Buffer }) {
      clearTimeout(timer);
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      if (error) reject(error);
      else resolve(value!);
    }
    const onError = (error: Error) => finish(error);
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
    stream.resume();
  });
}

/** A loopback listener that hands out accepted sockets in order, and closes everything at the end. */
export class Loopback {
  private readonly accepted: net.Socket[] = [];
  private readonly waiting: Array<(socket: net.Socket) => void> = [];
  private readonly sockets = new Set<Duplex>();
  readonly server: net.Server;

  private constructor() {
    this.server = net.createServer((socket) => {
      this.track(socket);
      const waiter = this.waiting.shift();
      if (waiter) waiter(socket);
      else this.accepted.push(socket);
    });
  }

  static async listen(): Promise<Loopback> {
    const loopback = new Loopback();
    await new Promise<void>((resolve) => loopback.server.listen(0, '127.0.0.1', resolve));
    return loopback;
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  accept(): Promise<net.Socket> {
    const socket = this.accepted.shift();
    if (socket) return Promise.resolve(socket);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  async connect(): Promise<net.Socket> {
    const socket = net.connect(this.port, '127.0.0.1');
    this.track(socket);
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    return socket;
  }

  /** Registers any socket (TLS ones too) to be destroyed by close(). */
  track<T extends Duplex>(socket: T): T {
    this.sockets.add(socket);
    socket.on('error', () => undefined); // errors are asserted where they matter
    return socket;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

export function once<T = void>(emitter: NodeJS.EventEmitter, event: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => {
      emitter.off(event, onEvent);
      reject(error);
    };
    const onEvent = (value: T) => {
      emitter.off('error', onError);
      resolve(value);
    };
    emitter.once(event, onEvent);
    if (event !== 'error') emitter.once('error', onError);
  });
}
