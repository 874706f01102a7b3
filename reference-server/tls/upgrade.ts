/**
 * Server-side TLS on FTP connections: AUTH TLS on the control connection (RFC 4217 §4), PROT P
 * data connections (§9), and CCC back to plaintext (§5).
 */
import type * as net from 'node:net';
import * as tls from 'node:tls';
import { ClearableTransport } from './clearable-transport';
import { isResumedFrom, rememberSecureContext, secureContextOf, serverSocketOptions } from './secure-context';

const DEFAULT_HANDSHAKE_TIMEOUT_MS = 30_000;

export interface ControlUpgradeOptions {
  /**
   * Bytes the plaintext reader had already received after the "AUTH TLS" line (a client that
   * did not wait for the 234 reply). They are fed to TLS first.
   */
  head?: Buffer;
  /** Keep the TCP socket reachable so that CCC can clear the connection later (see clearable-transport.ts). */
  allowClear?: boolean;
  handshakeTimeoutMs?: number;
}

const transportOf = new WeakMap<tls.TLSSocket, ClearableTransport>();

/**
 * AUTH TLS, server side, in place. Call after the 234 reply has been written to `socket` and
 * after removing the plaintext reader's 'data' listener (its bytes beyond the AUTH line go in
 * `head`). RFC 4217 §4.2: "'234' is the server response to an 'AUTH TLS' command that it will
 * honour." Resolves once the handshake is complete; on failure the socket is destroyed and the
 * promise rejects — RFC 4217 §10.1: "The TLS negotiation failed during the TLS handshake ... the
 * server SHOULD simply drop the control connection."
 *
 * Use the raw `socket` for remoteAddress/remotePort: over the clearable transport the
 * TLSSocket has no peer address of its own.
 */
export async function upgradeToTls(socket: net.Socket, secureContext: tls.SecureContext, options: ControlUpgradeOptions = {}): Promise<tls.TLSSocket> {
  const head = options.head ?? Buffer.alloc(0);
  let tlsSocket: tls.TLSSocket;
  if (options.allowClear || head.length > 0) {
    // A directly wrapped net.Socket cannot be unwrapped, nor be fed bytes already read.
    const transport = new ClearableTransport(socket, head);
    tlsSocket = new tls.TLSSocket(transport as unknown as net.Socket, serverSocketOptions(secureContext));
    transportOf.set(tlsSocket, transport);
  } else {
    tlsSocket = wrapDirectly(socket, secureContext);
  }
  rememberSecureContext(tlsSocket, secureContext);
  await handshake(tlsSocket, options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS);
  return tlsSocket;
}

export interface DataWrapOptions {
  /** RFC 4217 §10.2: refuse data connections that do not resume this FTP session's TLS session. */
  requireSessionReuse?: boolean;
  handshakeTimeoutMs?: number;
}

/** The data connection did a full handshake where the server insists on resumption. */
export class TlsSessionReuseRequiredError extends Error {
  readonly code = 'ERR_FTPS_SESSION_REUSE_REQUIRED';
  constructor() {
    super('TLS session reuse required on the data connection');
    this.name = 'TlsSessionReuseRequiredError';
  }
}

/**
 * PROT P: the server is the TLS server on the data connection whichever side connected (RFC
 * 4217 §7), so this serves both PASV (accepted socket) and PORT (connected socket). `control` is
 * the session's control TLSSocket, or its SecureContext (after CCC, or if the server keeps it).
 *
 * On a failed or refused handshake the data socket is destroyed and the promise rejects; RFC 4217
 * §10.2: the server "will close the data port immediately and follow the '150' command with a
 * '522' reply" — and for a refusal because of missing reuse, "the '522' reply should indicate
 * this" (TlsSessionReuseRequiredError).
 */
export async function wrapDataSocket(
  socket: net.Socket,
  control: tls.TLSSocket | tls.SecureContext,
  options: DataWrapOptions = {},
): Promise<tls.TLSSocket> {
  const secureContext = control instanceof tls.TLSSocket ? secureContextOf(control) : control;
  if (!secureContext) throw new Error('wrapDataSocket: the control socket was not upgraded by upgradeToTls');
  const tlsSocket = wrapDirectly(socket, secureContext);
  rememberSecureContext(tlsSocket, secureContext);
  await handshake(tlsSocket, options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS);
  if (options.requireSessionReuse && !isResumedFrom(secureContext, tlsSocket)) {
    tlsSocket.destroy();
    throw new TlsSessionReuseRequiredError();
  }
  return tlsSocket;
}

/**
 * Client side of a clearable connection (for tests, and for a harness that checks a server's
 * CCC): tls.connect over a ClearableTransport, so that downgradeFromTls works on it too.
 */
export function connectClearableTls(socket: net.Socket, options: tls.ConnectionOptions = {}): tls.TLSSocket {
  const transport = new ClearableTransport(socket);
  const tlsSocket = tls.connect({ ...options, socket: transport as unknown as net.Socket });
  transportOf.set(tlsSocket, transport);
  return tlsSocket;
}

export interface DowngradeOptions {
  /** The CCC reply, written over TLS before the shutdown (RFC 4217 §5: "Send a 200 reply"). */
  reply?: string;
  timeoutMs?: number;
}

/**
 * CCC (RFC 4217 §5 / RFC 2228): write the reply over TLS, exchange close_notify, and resolve with
 * the raw TCP socket, paused, for the plaintext reader (attach 'data'/'error' and resume()). Any
 * plaintext that arrived right behind the client's close_notify is unshifted into it.
 * Only for control connections upgraded with `allowClear: true`.
 */
export async function downgradeFromTls(tlsSocket: tls.TLSSocket, options: DowngradeOptions = {}): Promise<net.Socket> {
  const transport = transportOf.get(tlsSocket);
  if (!transport) throw new Error('downgradeFromTls: the connection was not upgraded with allowClear: true');
  // Before the reply: a client that answers the 200 with its close_notify at once must not make
  // the TLS layer's automatic end close the TCP connection.
  transport.beginClearing();
  return new Promise<net.Socket>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error('CCC: no TLS close_notify from the peer')), options.timeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS);
    const cleanup = () => {
      clearTimeout(timer);
      tlsSocket.off('end', onEnd);
      tlsSocket.off('error', fail);
    };
    function onEnd() {
      cleanup();
      resolve(transport!.finishClearing());
      tlsSocket.destroy();
    }
    function fail(error: Error) {
      cleanup();
      tlsSocket.destroy();
      transport!.socket.destroy();
      reject(error);
    }
    tlsSocket.on('end', onEnd);
    tlsSocket.on('error', fail);
    if (options.reply !== undefined) tlsSocket.write(options.reply);
    tlsSocket.end(); // our close_notify
    tlsSocket.resume(); // 'end' is only emitted once the readable side is consumed
  });
}

/**
 * Wraps the net.Socket itself: the TLS layer takes over its libuv handle, so bulk data does not
 * pass through JavaScript twice. Node 20 then crashes (segmentation fault, seen in this repo's
 * tests; cf. nodejs/node#49327 for the same family of bugs) if the raw socket is destroyed and
 * the TLSSocket after it, because both close the one handle. Code elsewhere will naturally call
 * `socket.destroy()` on the socket it still holds (ABOR, timeouts), so that call is routed
 * through the TLSSocket, whose own teardown destroys the raw socket (and emits its 'close').
 */
function wrapDirectly(socket: net.Socket, secureContext: tls.SecureContext): tls.TLSSocket {
  const tlsSocket = new tls.TLSSocket(socket, serverSocketOptions(secureContext));
  const destroyRaw = socket.destroy.bind(socket);
  socket.destroy = (error?: Error) => {
    if (tlsSocket.destroyed) destroyRaw(error);
    else tlsSocket.destroy(error);
    return socket;
  };
  return tlsSocket;
}

function handshake(tlsSocket: tls.TLSSocket, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`TLS handshake timed out after ${timeoutMs} ms`)), timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      tlsSocket.off('secure', onSecure);
      tlsSocket.off('error', fail);
      tlsSocket.off('close', onClose);
    };
    function onSecure() {
      cleanup();
      resolve();
    }
    function onClose() {
      fail(new Error('connection closed during the TLS handshake'));
    }
    function fail(error: Error) {
      cleanup();
      tlsSocket.destroy();
      reject(error);
    }
    tlsSocket.on('secure', onSecure);
    tlsSocket.on('error', fail);
    tlsSocket.on('close', onClose);
  });
}
