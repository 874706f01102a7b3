/**
 * Every reply of the RFC 2228 / RFC 4217 commands, in one place (the rest are in ../replies.ts).
 * Codes are those RFC 2228 §8.2 lists as returnable from each command.
 */
import { reply } from '../reply-format';

const LEVELS: Record<string, string> = { C: 'Clear', P: 'Private' };

export const tlsReplies = {
  // --- AUTH (RFC 2228 §3, RFC 4217 §4)
  authAccepted: (mechanism: string) => reply(234, `AUTH ${mechanism} successful; proceed with TLS negotiation.`),
  mechanismUnknown: (mechanism: string) => reply(504, `AUTH ${printable(mechanism)} not supported; use AUTH TLS.`),
  /** Not 503: RFC 2228 §8.2 does not list it for AUTH; 534 is "request denied for policy reasons". */
  alreadyProtected: reply(534, 'Control connection is already protected by TLS.'),

  // --- PBSZ (RFC 2228 §3, RFC 4217 §9: only 0 makes sense for TLS)
  pbszAccepted: reply(200, 'PBSZ=0'),
  pbszInvalid: reply(501, 'PBSZ needs a decimal integer from 0 to 4294967295.'),
  pbszBeforeAuth: reply(503, 'Bad sequence of commands: PBSZ needs a protected control connection (AUTH TLS) first.'),

  // --- PROT (RFC 2228 §3, RFC 4217 §9)
  protSet: (level: string) => reply(200, `Data channel protection level set to ${LEVELS[level] ?? level}.`),
  protBeforePbsz: reply(503, 'Bad sequence of commands: PROT needs PBSZ first.'),
  protNotSupported: (level: string) => reply(536, `PROT ${level} not supported by TLS; use C or P.`),
  protUnknown: (level: string) => reply(504, `PROT ${printable(level)} not understood; use C or P.`),

  /** RFC 4217 §5: after CCC the server must "Not accept any more PBSZ or PROT commands". */
  afterCcc: (verb: string) => reply(503, `Bad sequence of commands: no ${verb} after CCC.`),

  // --- CCC (RFC 2228 §3, RFC 4217 §5)
  cccAccepted: reply(200, 'CCC command successful; the control connection is clear from now on.'),
  cccNotProtected: reply(533, 'Control connection is not protected.'),
  cccRefused: reply(534, 'CCC refused by policy: the control connection stays protected.'),
  cccImplicit: reply(534, 'CCC refused: this is the implicit FTPS port.'),

  // --- Policy (RFC 4217 §10.1)
  tlsRequired: reply(530, 'TLS required: send AUTH TLS before logging in.'),
} as const;

function printable(text: string): string {
  const cleaned = text.replace(/[\x00-\x1f\x7f]/g, '?');
  return cleaned.length > 32 ? `${cleaned.slice(0, 32)}…` : cleaned;
}
