/**
 * A transport that lets TLS run over a TCP socket and later be taken off again, for CCC.
 *
 * RFC 4217 §5, on accepting CCC the server should "Send a 200 reply", "Shutdown the TLS session
 * on the socket and leave it open", and "Continue the control connection in plaintext, expecting
 * the next command from the client to be in plaintext."
 *
 * Node cannot unwrap a TLSSocket: when a net.Socket is wrapped directly, the TLS layer takes over
 * its libuv handle for good, and ending the TLSSocket ends the TCP connection. So, for a control
 * connection that may be cleared, TLS is instead layered on this Duplex, which relays the raw
 * socket in JavaScript (Node wraps any non-net.Socket Duplex in its JSStreamSocket):
 *   - inbound bytes are cut at TLS record boundaries (5-byte header: content type 20..24,
 *     version major 3, 16-bit length) and only whole records are handed to TLS;
 *   - while clearing, records keep flowing until TLS has seen the peer's close_notify, and the
 *     first bytes that do not look like a TLS record header (an FTP command is ASCII text,
 *     never 0x14..0x18 0x03) are held back; after the exchange they are unshifted into the raw
 *     socket, which is returned paused to the plaintext reader;
 *   - ending or destroying the TLS layer during clearing leaves the TCP socket open; otherwise
 *     it ends or destroys it as usual.
 * The cost is a JavaScript hop for every control-connection byte, which is irrelevant for
 * control traffic; data connections are wrapped directly (see upgrade.ts).
 */
import { Duplex } from 'node:stream';
import type * as net from 'node:net';

const RECORD_HEADER_LENGTH = 5;
const FIRST_CONTENT_TYPE = 20; // change_cipher_spec
const LAST_CONTENT_TYPE = 24; // heartbeat
const TLS_VERSION_MAJOR = 3;
const EMPTY = Buffer.alloc(0);

type Phase = 'protected' | 'clearing' | 'cleared';

/** Length of the TLS record at the start of `bytes`, 0 if incomplete, -1 if not a TLS record. */
export function completeRecordLength(bytes: Buffer, offset = 0): number {
  const available = bytes.length - offset;
  if (available < 1) return 0;
  const type = bytes[offset]!;
  if (type < FIRST_CONTENT_TYPE || type > LAST_CONTENT_TYPE) return -1;
  if (available >= 2 && bytes[offset + 1] !== TLS_VERSION_MAJOR) return -1;
  if (available < RECORD_HEADER_LENGTH) return 0;
  const total = RECORD_HEADER_LENGTH + bytes.readUInt16BE(offset + 3);
  return available >= total ? total : 0;
}

export class ClearableTransport extends Duplex {
  private pending: Buffer;
  private phase: Phase = 'protected';
  private pausedByUs = false;
  private readonly onSocketData = (chunk: Buffer) => {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    this.pump();
  };
  private readonly onSocketEnd = () => {
    if (this.phase === 'cleared') return;
    // Give TLS whatever is left (it reports a truncated record itself), then EOF.
    if (this.pending.length > 0) this.push(this.pending);
    this.pending = EMPTY;
    this.push(null);
  };
  private readonly onSocketError = (error: Error) => {
    if (this.phase !== 'cleared') this.destroy(error);
  };
  private readonly onSocketClose = () => {
    if (this.phase !== 'cleared' && !this.destroyed) this.destroy();
  };

  /** `head`: bytes already read from the socket that belong to the TLS stream (a pipelined ClientHello). */
  constructor(
    readonly socket: net.Socket,
    head: Buffer = EMPTY,
  ) {
    super({ allowHalfOpen: true });
    this.pending = head;
    socket.on('data', this.onSocketData);
    socket.on('end', this.onSocketEnd);
    socket.on('error', this.onSocketError);
    socket.on('close', this.onSocketClose);
    socket.resume();
    if (head.length > 0) process.nextTick(() => this.pump());
  }

  get isClearing(): boolean {
    return this.phase === 'clearing';
  }

  /** From now on ending the TLS layer must not end TCP. Call before the CCC reply is written. */
  beginClearing(): void {
    if (this.phase === 'protected') this.phase = 'clearing';
  }

  /**
   * The TLS layer has received the peer's close_notify: detach, give back the plaintext that
   * followed it, and return the raw socket, paused, to the caller.
   */
  finishClearing(): net.Socket {
    this.phase = 'cleared';
    this.detach();
    this.socket.pause();
    if (this.pending.length > 0) this.socket.unshift(this.pending);
    this.pending = EMPTY;
    return this.socket;
  }

  override _read(): void {
    if (this.pausedByUs && this.phase !== 'cleared') {
      this.pausedByUs = false;
      this.socket.resume();
    }
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.phase === 'cleared') return callback(new Error('TLS layer written after CCC'));
    this.socket.write(chunk, callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    // TLS has sent close_notify. Only a real end of session also ends TCP.
    if (this.phase === 'protected') this.socket.end();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (this.phase === 'protected') {
      this.detach();
      this.socket.destroy(error ?? undefined);
    }
    callback(error);
  }

  private pump(): void {
    let forwarded = 0;
    while (this.phase !== 'cleared') {
      const length = completeRecordLength(this.pending, forwarded);
      if (length === 0) break;
      if (length === -1) {
        // Not TLS. While protected, let TLS see it and fail the handshake/connection; while
        // clearing, it is the plaintext that follows the peer's close_notify: hold it back.
        if (this.phase === 'protected') forwarded = this.pending.length;
        break;
      }
      forwarded += length;
    }
    if (forwarded === 0) return;
    const records = this.pending.subarray(0, forwarded);
    this.pending = this.pending.subarray(forwarded);
    if (!this.push(records) && !this.pausedByUs) {
      this.pausedByUs = true;
      this.socket.pause();
    }
  }

  private detach(): void {
    this.socket.off('data', this.onSocketData);
    this.socket.off('end', this.onSocketEnd);
    this.socket.off('error', this.onSocketError);
    this.socket.off('close', this.onSocketClose);
  }
}
