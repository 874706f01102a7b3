/**
 * The seam through which RFC 4217 (AUTH TLS, PBSZ, PROT, CCC, implicit TLS) plugs in. The TLS module
 * (reference-server/tls/extension.ts) implements this interface; without it those commands answer 502.
 *
 * - `handlers` take over AUTH/PBSZ/PROT/CCC (the generic checks of the table still run first).
 *   AUTH TLS replies 234 and then calls `session.control.upgrade(wrap)`; PROT P sets
 *   `session.dataWrap` so every data connection is wrapped; per-session state goes in
 *   `session.security`, which REIN clears.
 * - `features` adds FEAT lines (`AUTH TLS`, `PBSZ`, `PROT`, `CCC`).
 * - `wrapImplicit` wraps a freshly accepted socket before the greeting (implicit FTPS port).
 * - `guard` refuses commands by policy (TLS required before login) ahead of their own checks.
 */
import type { CommandHandler } from './commands/types';
import type { ControlSocket } from './control-channel';
import type { Reply } from './reply-format';
import type { Session } from './session';
import { createTlsExtension } from './tls';

export type TlsVerb = 'AUTH' | 'PBSZ' | 'PROT' | 'CCC';

export interface TlsExtension {
  readonly handlers: Partial<Record<TlsVerb, CommandHandler>>;
  features(session: Session): readonly string[];
  wrapImplicit?(socket: ControlSocket): Promise<ControlSocket>;
  /** Called when the session is reinitialized (REIN), after the generic state is reset. */
  reinitialize?(session: Session): void;
  /** A reply refusing `verb` by policy, or null to let it through (checked before the command's own sequence rule). */
  guard?(session: Session, verb: string): Reply | null;
  /** The server certificate, e.g. to give a client as its trust anchor. */
  readonly certificate?: { readonly cert: string; readonly certPath: string; readonly generated: boolean };
}

/** Paths of a PEM certificate (chain) and its private key. */
export interface TlsFiles {
  readonly cert: string;
  readonly key: string;
}

/** How strict the server is; every default is the permissive, RFC-allowed choice. */
export interface TlsPolicy {
  /**
   * RFC 4217 §10.2: "It is reasonable for the server to insist that the data connection uses a
   * TLS cached session". A PROT P data connection that does a full handshake instead of resuming
   * this FTP session's TLS session is refused. Default false.
   */
  readonly requireSessionReuse?: boolean;
  /** CCC is honoured (200) unless false, then refused with 534 (RFC 4217 §5). Default true. */
  readonly allowCcc?: boolean;
  /** RFC 4217 §10.1 "Deny certain commands before TLS is negotiated (e.g., USER, PASS, or ACCT)": 530. Default false. */
  readonly tlsRequired?: boolean;
  /** Default TLSv1.2. */
  readonly minVersion?: 'TLSv1.2' | 'TLSv1.3';
  readonly maxVersion?: 'TLSv1.2' | 'TLSv1.3';
  /** Handshake (and CCC close_notify) time limit. Default 30 000. */
  readonly handshakeTimeoutMs?: number;
}

/** RFC 4217 support from certificate files, or from a generated self-signed pair (`files` undefined). */
export function loadTlsExtension(files: TlsFiles | undefined, policy: TlsPolicy = {}): Promise<TlsExtension> {
  return createTlsExtension(files, policy);
}
