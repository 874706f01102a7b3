/** The personalities of the reference server: documented devices, and one faulty server. */
import { applyPersonality, type AppliedPersonality } from './apply';
import { emftp } from './emftp';
import { emftpTls } from './emftp-tls';
import { modulus } from './modulus';
import { paper } from './paper';
import { rfc959Minimum } from './rfc959-minimum';
import type { Personality } from './types';

export type { Personality, ReplyOverride, Behaviour } from './types';
export { applyPersonality, rewriteReply, type AppliedPersonality } from './apply';
export { EMFTP_COMMANDS } from './emftp';
export { EMFTP_TLS_COMMANDS } from './emftp-tls';

export const PERSONALITIES: Readonly<Record<string, Personality>> = {
  modulus,
  emftp,
  'emftp-tls': emftpTls,
  'rfc959-minimum': rfc959Minimum,
  paper,
};

export type PersonalityOption = string | Personality;

export function personalityNamed(name: string): Personality {
  const found = PERSONALITIES[name];
  if (found === undefined) throw new Error(`no personality "${name}" (known: ${Object.keys(PERSONALITIES).join(', ')})`);
  return found;
}

export function personalize(option: PersonalityOption | undefined): AppliedPersonality | undefined {
  if (option === undefined) return undefined;
  return applyPersonality(typeof option === 'string' ? personalityNamed(option) : option);
}
