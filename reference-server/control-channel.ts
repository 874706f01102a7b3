/**
 * One control connection. The session talks to this object, never to the socket, so the socket can
 * be replaced in place: AUTH TLS (RFC 4217) wraps the plain socket in a TLSSocket and carries on
 * reading commands from it, and CCC could hand back a plain one.
 */
import type * as net from 'node:net';
import type * as tls from 'node:tls';
import { formatReply, type Reply } from './reply-format';
import { TelnetLineReader } from './telnet';

export type ControlSocket = net.Socket | tls.TLSSocket;

export interface ControlChannelEvents {
  line(text: string): void;
  overflow(): void;
  closed(): void;
}

export class ControlChannel {
  private current: ControlSocket;
  /**
   * The socket the connection was accepted as. Addresses come from it: they never change, and a
   * TLSSocket layered on a JavaScript stream (AUTH TLS with CCC allowed) has none of its own.
   */
  private readonly transport: ControlSocket;
  private readonly reader: TelnetLineReader;
  private closedNotified = false;
  private readonly onData = (chunk: Buffer) => this.reader.push(chunk);
  private readonly onClose = () => this.notifyClosed();
  private readonly onError = () => this.notifyClosed();

  constructor(
    socket: ControlSocket,
    maxLineLength: number,
    private readonly events: ControlChannelEvents,
  ) {
    this.current = socket;
    this.transport = socket;
    this.reader = new TelnetLineReader(maxLineLength, {
      line: (bytes) => events.line(bytes.toString('utf8')),
      overflow: () => events.overflow(),
      respond: (bytes) => this.writeRaw(bytes),
    });
    this.attach(socket);
  }

  get socket(): ControlSocket {
    return this.current;
  }

  get remoteAddress(): string {
    return normalizeAddress(this.current.remoteAddress ?? this.transport.remoteAddress ?? '');
  }

  get remotePort(): number {
    return this.current.remotePort ?? this.transport.remotePort ?? 0;
  }

  get localAddress(): string {
    return normalizeAddress(this.current.localAddress ?? this.transport.localAddress ?? '');
  }

  get localPort(): number {
    return this.current.localPort ?? this.transport.localPort ?? 0;
  }

  /** 4 or 6: the family of the control connection, which data connections follow (RFC 2428 §3). */
  get family(): 4 | 6 {
    return this.localAddress.includes(':') ? 6 : 4;
  }

  get isOpen(): boolean {
    return !this.closedNotified && !this.current.destroyed;
  }

  send(reply: Reply): void {
    this.writeRaw(Buffer.from(formatReply(reply), 'utf8'));
  }

  /**
   * Swap the transport: stop reading from the current socket, let `wrap` build the new one (for
   * example `new tls.TLSSocket(plain, { isServer: true, … })` after a 234 reply), then read from it.
   */
  async upgrade(wrap: (socket: ControlSocket) => Promise<ControlSocket>): Promise<void> {
    const previous = this.current;
    this.detach(previous);
    try {
      const next = await wrap(previous);
      this.current = next;
      this.attach(next);
    } catch (error) {
      previous.destroy();
      this.notifyClosed();
      throw error;
    }
  }

  /** Send a last reply, then close once it has been flushed. */
  closeWith(reply: Reply): void {
    if (!this.isOpen) return;
    this.current.end(Buffer.from(formatReply(reply), 'utf8'));
    // A peer that never reads must not keep the socket alive.
    setTimeout(() => this.destroy(), 2000).unref();
  }

  destroy(): void {
    this.current.destroy();
    this.notifyClosed();
  }

  private writeRaw(bytes: Buffer): void {
    if (this.isOpen && this.current.writable) this.current.write(bytes);
  }

  private attach(socket: ControlSocket): void {
    socket.on('data', this.onData);
    socket.on('close', this.onClose);
    socket.on('error', this.onError);
    // A swapped-in socket may come paused (CCC hands back the TCP socket paused, with unread bytes).
    socket.resume();
  }

  private detach(socket: ControlSocket): void {
    socket.off('data', this.onData);
    socket.off('close', this.onClose);
    // Keep an error listener: an unhandled 'error' on the old socket would crash the process.
    socket.off('error', this.onError);
    socket.on('error', () => undefined);
  }

  private notifyClosed(): void {
    if (this.closedNotified) return;
    this.closedNotified = true;
    this.events.closed();
  }
}

/** `::ffff:127.0.0.1` → `127.0.0.1`, so IPv4 peers compare equal whichever socket accepted them. */
export function normalizeAddress(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped ? mapped[1]! : address;
}
