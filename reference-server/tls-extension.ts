/**
 * The seam through which RFC 4217 (AUTH TLS, PBSZ, PROT, CCC, implicit TLS) plugs in. The TLS module
 * (reference-server/tls/) implements this interface; without it those commands answer 502.
 *
 * - `handlers` take over AUTH/PBSZ/PROT/CCC (the generic checks of the table still run first).
 *   AUTH TLS replies 234 and then calls `session.control.upgrade(wrap)`; PROT P sets
 *   `session.dataWrap` so every data connection is wrapped; per-session state goes in
 *   `session.security`, which REIN clears.
 * - `features` adds FEAT lines (`AUTH TLS`, `PBSZ`, `PROT`).
 * - `wrapImplicit` wraps a freshly accepted socket before the greeting (implicit FTPS port).
 */
import type { CommandHandler } from './commands/types';
import type { ControlSocket } from './control-channel';
import type { Session } from './session';

export type TlsVerb = 'AUTH' | 'PBSZ' | 'PROT' | 'CCC';

export interface TlsExtension {
  readonly handlers: Partial<Record<TlsVerb, CommandHandler>>;
  features(session: Session): readonly string[];
  wrapImplicit?(socket: ControlSocket): Promise<ControlSocket>;
  /** Called when the session is reinitialized (REIN), after the generic state is reset. */
  reinitialize?(session: Session): void;
}

export interface TlsFiles {
  readonly cert: string;
  readonly key: string;
}

interface TlsModule {
  createTlsExtension(files: TlsFiles): TlsExtension | Promise<TlsExtension>;
}

/** The TLS module when it has been written; loaded lazily so its absence is not a compile error. */
export async function loadTlsExtension(files: TlsFiles): Promise<TlsExtension> {
  let loaded: Partial<TlsModule>;
  try {
    const modulePath = './tls';
    loaded = require(modulePath) as Partial<TlsModule>;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw error;
    throw new Error('TLS is not available: reference-server/tls/ does not exist yet');
  }
  if (typeof loaded.createTlsExtension !== 'function') {
    throw new Error('reference-server/tls/ does not export createTlsExtension(files)');
  }
  return loaded.createTlsExtension(files);
}
