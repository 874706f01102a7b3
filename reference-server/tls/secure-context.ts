/**
 * TLS contexts for FTPS (RFC 4217) control and data connections, and the data-connection
 * session-reuse policy of RFC 4217 §10.2:
 *
 *   "It is reasonable for the server to insist that the data connection uses a TLS cached
 *   session. This might be a cache of a previous data connection or of a cleared control
 *   connection. If this is the reason for the refusal to allow the data transfer, then the '522'
 *   reply should indicate this."
 *
 * How Node exposes resumption: `tlsSocket.isSessionReused()` is true when the handshake resumed
 * a session instead of doing a full one. It does not say *which* session was resumed. A bare
 * `new tls.TLSSocket(..., {isServer: true})` (no tls.Server) has no server-side session-ID
 * cache — Node disables OpenSSL's internal cache and only tls.Server implements the
 * 'newSession'/'resumeSession' events — so the only way to resume is a session ticket (RFC 5077
 * for TLS 1.2, the PSK tickets of TLS 1.3). Tickets are sealed with the SecureContext's ticket
 * keys. Hence the policy: every control connection gets its own SecureContext with fresh random
 * ticket keys, and its data connections are wrapped with that same context. A data connection
 * that resumes (`isSessionReused()`) under that context can only have presented a ticket issued
 * on this control connection or on one of its earlier data connections — exactly the caches
 * §10.2 allows — and never another client's session.
 */
import { randomBytes } from 'node:crypto';
import * as tls from 'node:tls';

export interface FtpsTlsSettings {
  /** Default TLSv1.2: RFC 4217 only requires TLS, anything older is broken. */
  minVersion?: tls.SecureVersion;
  maxVersion?: tls.SecureVersion;
  /** OpenSSL cipher list for TLS <= 1.2 (TLS 1.3 suites stay Node's defaults). */
  ciphers?: string;
}

export interface CertificateAndKey {
  cert: string;
  key: string;
}

/** Session ticket key material: 16 bytes name + 16 HMAC secret + 16 AES key (Node's format). */
const TICKET_KEYS_LENGTH = 48;

const contextOfSocket = new WeakMap<tls.TLSSocket, tls.SecureContext>();

/**
 * One SecureContext per FTP session (control connection), with its own ticket keys; reuse it for
 * the AUTH TLS upgrade and for every PROT P data connection of that session.
 */
export function createSessionSecureContext(credentials: CertificateAndKey, settings: FtpsTlsSettings = {}): tls.SecureContext {
  return tls.createSecureContext({
    cert: credentials.cert,
    key: credentials.key,
    minVersion: settings.minVersion ?? 'TLSv1.2',
    ...(settings.maxVersion ? { maxVersion: settings.maxVersion } : {}),
    ...(settings.ciphers ? { ciphers: settings.ciphers } : {}),
    ticketKeys: randomBytes(TICKET_KEYS_LENGTH),
  });
}

/**
 * Options for the server side of an in-place handshake (`new tls.TLSSocket(socket, options)`).
 * RFC 4217 §7: "the FTP client MUST be the TLS client and the FTP server MUST be the TLS
 * server", for control and data connections alike, whoever called connect().
 * No client certificate is requested: FTP authentication stays USER/PASS (RFC 4217 §4.2).
 */
export function serverSocketOptions(secureContext: tls.SecureContext): tls.TLSSocketOptions {
  return { isServer: true, secureContext, requestCert: false, rejectUnauthorized: false };
}

/** Called by upgrade.ts for every socket it creates, so the reuse check knows its context. */
export function rememberSecureContext(socket: tls.TLSSocket, secureContext: tls.SecureContext): void {
  contextOfSocket.set(socket, secureContext);
}

export function secureContextOf(socket: tls.TLSSocket): tls.SecureContext | undefined {
  return contextOfSocket.get(socket);
}

/**
 * True when `dataSocket` resumed a TLS session of the FTP session that `control` belongs to
 * (the control TLSSocket, or its SecureContext once CCC has cleared the control connection).
 * Both sockets must have been created by upgradeToTls / wrapDataSocket.
 */
export function isResumedFrom(control: tls.TLSSocket | tls.SecureContext, dataSocket: tls.TLSSocket): boolean {
  const controlContext = control instanceof tls.TLSSocket ? secureContextOf(control) : control;
  const dataContext = secureContextOf(dataSocket);
  return controlContext !== undefined && dataContext === controlContext && dataSocket.isSessionReused();
}
