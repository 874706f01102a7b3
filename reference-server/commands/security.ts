/**
 * RFC 2228 / RFC 4217 commands. Their behaviour comes from the TLS extension (tls-extension.ts);
 * without one they answer 502, as a server without TLS must.
 */
import { replies } from '../replies';
import type { TlsVerb } from '../tls-extension';
import type { ArgumentRule, CommandSpec } from './types';

function securityCommand(verb: TlsVerb, argument: ArgumentRule, syntax: string): CommandSpec {
  return {
    verb,
    needsLogin: false,
    argument,
    syntax,
    features: verb === 'AUTH' ? (session) => session.server.tls?.features(session) ?? [] : undefined,
    async handler(session, value) {
      const handler = session.server.tls?.handlers[verb];
      if (handler === undefined) return session.reply(replies.tlsNotConfigured(verb));
      await handler(session, value);
    },
  };
}

export const securityCommands: readonly CommandSpec[] = [
  securityCommand('AUTH', 'required', 'AUTH <SP> mechanism (TLS)'),
  securityCommand('PBSZ', 'required', 'PBSZ <SP> decimal-integer'),
  securityCommand('PROT', 'required', 'PROT <SP> level (C | P)'),
  securityCommand('CCC', 'forbidden', 'CCC'),
];
