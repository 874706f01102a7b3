/**
 * RFC 4217 (with RFC 2228) on the reference server: the TlsExtension of ../tls-extension.ts.
 *
 *   AUTH TLS (SSL, TLS-C)  234, then the handshake in place; re-AUTH on a protected connection 534
 *   PBSZ 0                 200 PBSZ=0; 503 before AUTH (and after CCC); 501 if not a 32-bit integer
 *   PROT C | P             200; 503 before PBSZ; 536 for S and E; 504 for anything else
 *   CCC                    200, then TLS is shut down and the connection goes on in clear; 533 when
 *                          not protected; 534 when refused by policy or on the implicit port
 *   REIN                   the 220 goes out protected, then TLS is cleared (RFC 4217 §13)
 *   implicit FTPS          the handshake before the greeting; data still starts Clear (RFC 4217 §9)
 *
 * Every FTP session gets its own SecureContext with its own ticket keys (secure-context.ts), used
 * for the control connection and every PROT P data connection, so `requireSessionReuse` can tell
 * a resumed session of this FTP session from a full handshake (RFC 4217 §10.2).
 */
import type * as net from 'node:net';
import * as tls from 'node:tls';
import type { ControlSocket } from '../control-channel';
import { formatReply, type Reply } from '../reply-format';
import type { Session } from '../session';
import type { TlsExtension, TlsFiles, TlsPolicy } from '../tls-extension';
import { loadOrGenerateCertificate, type CertificatePair } from './certificates';
import { tlsReplies } from './replies';
import { createSessionSecureContext, secureContextOf, type FtpsTlsSettings } from './secure-context';
import { downgradeFromTls, TlsSessionReuseRequiredError, upgradeToTls, wrapDataSocket } from './upgrade';

/** RFC 4217 §8 {TLS-PARM}, plus the historical names clients still send (RFC 4217 §6: "TLS-C" synonym). */
const MECHANISMS = new Set(['TLS', 'TLS-C', 'SSL']);
const LOGIN_VERBS = new Set(['USER', 'PASS', 'ACCT']);
const STATE_KEY = 'tls';
const MAX_PBSZ = 0xffff_ffff;

/** What RFC 2228 negotiates per session; lives in session.security, which REIN (and HOST) clear. */
interface SecurityState {
  pbsz: boolean;
  prot: 'C' | 'P';
  /** CCC was accepted: no more PBSZ/PROT, data keeps the current PROT (RFC 4217 §5). */
  cleared: boolean;
  /** The session's context, kept for data connections once CCC has cleared the control connection. */
  context: tls.SecureContext | undefined;
}

export async function createTlsExtension(files: TlsFiles | undefined, policy: TlsPolicy = {}): Promise<TlsExtension> {
  const pair = await loadOrGenerateCertificate(files === undefined ? {} : { certPath: files.cert, keyPath: files.key });
  return new FtpsExtension(pair, policy);
}

class FtpsExtension implements TlsExtension {
  readonly certificate: TlsExtension['certificate'];
  private readonly settings: FtpsTlsSettings;
  private readonly timeoutMs: number | undefined;
  /** Control sockets of the implicit port: they stay protected (no CCC, REIN keeps TLS). */
  private readonly implicit = new WeakSet<ControlSocket>();

  readonly handlers = {
    AUTH: (session: Session, argument: string) => this.auth(session, argument),
    PBSZ: (session: Session, argument: string) => this.pbsz(session, argument),
    PROT: (session: Session, argument: string) => this.prot(session, argument),
    CCC: (session: Session) => this.ccc(session),
  };

  constructor(
    private readonly pair: CertificatePair,
    private readonly policy: TlsPolicy,
  ) {
    this.certificate = { cert: pair.cert, certPath: pair.certPath, generated: pair.source !== 'files' };
    this.settings = { ...(policy.minVersion ? { minVersion: policy.minVersion } : {}), ...(policy.maxVersion ? { maxVersion: policy.maxVersion } : {}) };
    this.timeoutMs = policy.handshakeTimeoutMs;
  }

  /** RFC 4217 §6: "it MUST advertise supported AUTH, PBSZ, and PROT commands". */
  features(): readonly string[] {
    return ['AUTH TLS', 'PBSZ', 'PROT', ...(this.policy.allowCcc === false ? [] : ['CCC'])];
  }

  async wrapImplicit(socket: ControlSocket): Promise<ControlSocket> {
    const secured = await upgradeToTls(socket, this.newContext(), { handshakeTimeoutMs: this.timeoutMs });
    this.implicit.add(secured);
    return secured;
  }

  guard(session: Session, verb: string): Reply | null {
    if (this.policy.tlsRequired !== true || !LOGIN_VERBS.has(verb)) return null;
    return isProtected(session) ? null : tlsReplies.tlsRequired;
  }

  /**
   * RFC 4217 §13: "the TLS session(s) MUST be cleared and the control and data connections revert
   * to unprotected" and "the reply to the REIN command MUST be sent in a protected session prior
   * to the session(s) being cleared". The REIN handler writes its 220 right after this returns, so
   * the shutdown is queued behind it. The implicit port has no clear mode: it stays protected.
   */
  reinitialize(session: Session): void {
    const socket = session.control.socket;
    if (!(socket instanceof tls.TLSSocket) || this.implicit.has(socket)) return;
    queueMicrotask(() => {
      session.control.upgrade((protectedSocket) => downgradeFromTls(protectedSocket as tls.TLSSocket, { timeoutMs: this.timeoutMs })).catch((error: unknown) => {
        session.log(`! REIN: clearing TLS failed: ${messageOf(error)}`);
      });
    });
  }

  private async auth(session: Session, argument: string): Promise<void> {
    const mechanism = argument.trim().toUpperCase();
    if (!MECHANISMS.has(mechanism)) return session.reply(tlsReplies.mechanismUnknown(argument.trim()));
    if (isProtected(session)) return session.reply(tlsReplies.alreadyProtected);
    const context = this.newContext();
    session.reply(tlsReplies.authAccepted(mechanism));
    // On failure upgrade() drops the connection: RFC 4217 §10.1, a handshake that failed midway
    // leaves the control connection "in an unknown state and the server SHOULD simply drop" it.
    // Always clearable, whatever the CCC policy: REIN must be able to clear TLS (RFC 4217 §13).
    await session.control.upgrade((socket) => upgradeToTls(socket as net.Socket, context, { allowClear: true, handshakeTimeoutMs: this.timeoutMs }));
    session.log(`TLS established (${describe(session.control.socket)})`);
    // RFC 4217 §4.2: reset "user identity, default data ports, TYPE, STRU, MODE, and current
    // working directory", "almost as if a REIN command was issued"; the virtual host stays.
    const host = session.host;
    session.reinitialize();
    session.host = host;
    session.security[STATE_KEY] = freshState(context);
  }

  private pbsz(session: Session, argument: string): void {
    const text = argument.trim();
    if (!/^\d{1,10}$/.test(text) || Number(text) > MAX_PBSZ) return session.reply(tlsReplies.pbszInvalid);
    const state = this.stateOf(session);
    if (state.cleared) return session.reply(tlsReplies.afterCcc('PBSZ'));
    if (!isProtected(session)) return session.reply(tlsReplies.pbszBeforeAuth);
    // RFC 4217 §9: TLS is a streaming mechanism, so the buffer size is always 0 ("PBSZ=0").
    state.pbsz = true;
    session.reply(tlsReplies.pbszAccepted);
  }

  private prot(session: Session, argument: string): void {
    const state = this.stateOf(session);
    if (state.cleared) return session.reply(tlsReplies.afterCcc('PROT'));
    if (!state.pbsz || !isProtected(session)) return session.reply(tlsReplies.protBeforePbsz);
    const level = argument.trim().toUpperCase();
    if (level === 'S' || level === 'E') return session.reply(tlsReplies.protNotSupported(level));
    if (level !== 'C' && level !== 'P') return session.reply(tlsReplies.protUnknown(argument.trim()));
    state.prot = level;
    session.dataWrap = level === 'P' ? this.dataWrap(session, state) : undefined;
    session.reply(tlsReplies.protSet(level));
  }

  private async ccc(session: Session): Promise<void> {
    const socket = session.control.socket;
    if (!isProtected(session)) return session.reply(tlsReplies.cccNotProtected);
    if (this.implicit.has(socket)) return session.reply(tlsReplies.cccImplicit);
    if (this.policy.allowCcc === false) return session.reply(tlsReplies.cccRefused);
    const state = this.stateOf(session);
    state.cleared = true;
    const reply = formatReply(tlsReplies.cccAccepted);
    session.log(`< ${reply.trimEnd()}`);
    // The 200 goes out over TLS, then close_notify both ways; the next command arrives in clear.
    await session.control.upgrade((protectedSocket) => downgradeFromTls(protectedSocket as tls.TLSSocket, { reply, timeoutMs: this.timeoutMs }));
    session.log('TLS cleared (CCC)');
  }

  private dataWrap(session: Session, state: SecurityState): (socket: net.Socket) => Promise<net.Socket> {
    const context = state.context;
    return async (socket) => {
      if (context === undefined) throw new Error('PROT P without a TLS context');
      try {
        const secured = await wrapDataSocket(socket, context, {
          requireSessionReuse: this.policy.requireSessionReuse === true,
          handshakeTimeoutMs: this.timeoutMs,
        });
        session.log(`data connection TLS (${secured.getProtocol() ?? '?'}, ${secured.isSessionReused() ? 'resumed' : 'full handshake'})`);
        return secured;
      } catch (error) {
        const why = error instanceof TlsSessionReuseRequiredError ? 'the client did not reuse the TLS session (RFC 4217 §10.2)' : messageOf(error);
        session.log(`! data connection refused: ${why}`);
        throw error;
      }
    };
  }

  /** The session's state; created on first use (an implicit session, or after REIN/HOST cleared it). */
  private stateOf(session: Session): SecurityState {
    const existing = session.security[STATE_KEY] as SecurityState | undefined;
    if (existing !== undefined) return existing;
    const socket = session.control.socket;
    const state = freshState(socket instanceof tls.TLSSocket ? secureContextOf(socket) : undefined);
    session.security[STATE_KEY] = state;
    return state;
  }

  private newContext(): tls.SecureContext {
    return createSessionSecureContext(this.pair, this.settings);
  }
}

function freshState(context: tls.SecureContext | undefined): SecurityState {
  return { pbsz: false, prot: 'C', cleared: false, context };
}

function isProtected(session: Session): boolean {
  return session.control.socket instanceof tls.TLSSocket;
}

function describe(socket: ControlSocket): string {
  if (!(socket instanceof tls.TLSSocket)) return 'clear';
  return `${socket.getProtocol() ?? '?'}, ${socket.getCipher()?.name ?? '?'}`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
