/**
 * Data connections (RFC 959 §3.2–3.3, RFC 2428). Passive: listen on the control connection's local
 * address and accept one connection, only from the control connection's peer (RFC 2577 §4, §8: no
 * port stealing). Active: connect from the control connection's local address to the address the
 * client gave, which must be its own, on a port ≥ 1024 (RFC 2577 §3; checked in address.ts).
 * `open()` takes an optional wrap so a TLS layer (PROT P) can be put on the connection.
 */
import * as net from 'node:net';
import { normalizeAddress } from './control-channel';

/**
 * Puts a layer (TLS for PROT P) on a data connection. It is called once the TCP connection exists
 * and before any byte is read or written; a passive socket is still paused (pauseOnConnect).
 */
export type DataSocketWrap = (socket: net.Socket) => Promise<net.Socket>;

export interface OpenOptions {
  readonly timeoutMs: number;
  readonly wrap?: DataSocketWrap;
}

export interface DataChannel {
  readonly kind: 'passive' | 'active';
  /** The data connection is already established (the transfer command then answers 125). */
  readonly connected: boolean;
  open(options: OpenOptions): Promise<net.Socket>;
  close(): void;
  describe(): string;
}

export interface PassiveOptions {
  readonly host: string;
  readonly allowedPeer: string;
  readonly portRange?: readonly [number, number];
}

export async function listenPassive(options: PassiveOptions): Promise<PassiveChannel> {
  const [low, high] = options.portRange ?? [0, 0];
  const attempts = low === 0 ? 1 : Math.min(50, high - low + 1);
  let lastError: unknown;
  for (let attempt = 0; attempt < attempts; attempt++) {
    // Random ports within the range make the next data port hard to guess (RFC 2577 §8).
    const port = low === 0 ? 0 : low + Math.floor(Math.random() * (high - low + 1));
    const server = net.createServer({ pauseOnConnect: true });
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ host: options.host, port, exclusive: true }, () => {
          server.off('error', reject);
          resolve();
        });
      });
      return new PassiveChannel(server, options.allowedPeer);
    } catch (error) {
      lastError = error;
      server.close();
    }
  }
  throw lastError instanceof Error ? lastError : new Error('no passive port available');
}

export class PassiveChannel implements DataChannel {
  readonly kind = 'passive';
  private socket: net.Socket | undefined;
  private waiter: ((socket: net.Socket) => void) | undefined;
  private closed = false;

  constructor(
    private readonly server: net.Server,
    private readonly allowedPeer: string,
  ) {
    server.on('connection', (socket) => this.accept(socket));
    server.on('error', () => this.close());
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  get connected(): boolean {
    return this.socket !== undefined && !this.socket.destroyed;
  }

  async open(options: OpenOptions): Promise<net.Socket> {
    if (this.closed) throw new Error('passive listener closed');
    // Still paused (pauseOnConnect): bytes a client sends early wait for the transfer to read them.
    const socket = this.socket ?? (await this.waitForConnection(options.timeoutMs));
    return protect(socket, options.wrap);
  }

  close(): void {
    this.closed = true;
    this.server.close();
    this.socket?.destroy();
    this.waiter = undefined;
  }

  describe(): string {
    return `passive, listening on port ${this.port}${this.connected ? ', connected' : ''}`;
  }

  private accept(socket: net.Socket): void {
    socket.on('error', () => undefined);
    if (this.socket !== undefined || this.closed || normalizeAddress(socket.remoteAddress ?? '') !== this.allowedPeer) {
      socket.destroy();
      return;
    }
    this.socket = socket;
    // One connection per PASV: stop listening so nobody else can connect.
    this.server.close();
    this.waiter?.(socket);
  }

  private waitForConnection(timeoutMs: number): Promise<net.Socket> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new Error('timed out waiting for the passive data connection'));
      }, timeoutMs);
      this.waiter = (socket) => {
        clearTimeout(timer);
        this.waiter = undefined;
        resolve(socket);
      };
    });
  }
}

export class ActiveChannel implements DataChannel {
  readonly kind = 'active';
  readonly connected = false;
  private socket: net.Socket | undefined;

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly localAddress: string,
  ) {}

  async open(options: OpenOptions): Promise<net.Socket> {
    const socket = net.connect({ host: this.host, port: this.port, localAddress: this.localAddress });
    this.socket = socket;
    socket.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error) => {
        clearTimeout(timer);
        reject(error);
      };
      const timer = setTimeout(() => {
        socket.off('error', onError);
        socket.destroy();
        reject(new Error('timed out connecting to the client'));
      }, options.timeoutMs);
      socket.once('error', onError);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.off('error', onError);
        resolve();
      });
    });
    return protect(socket, options.wrap);
  }

  close(): void {
    this.socket?.destroy();
  }

  describe(): string {
    return `active, to ${this.host.includes(':') ? `[${this.host}]` : this.host}:${this.port}`;
  }
}

/** The TCP connection was made but its protection (PROT P's TLS) failed: RFC 4217 §10.2 answers 522. */
export class DataProtectionError extends Error {}

async function protect(socket: net.Socket, wrap: DataSocketWrap | undefined): Promise<net.Socket> {
  if (!wrap) return socket;
  try {
    return await wrap(socket);
  } catch (error) {
    throw new DataProtectionError((error as Error).message);
  }
}
