/**
 * SEGGER emFTP server built with FTPS/FTPES (shared/seeds/segger-emftp-server.txt, "FTPS and FTPES
 * supported"): the emftp personality plus the RFC 4217 commands AUTH, PBSZ and PROT. They only
 * work when the server is started with TLS (`tls: true`, `implicitTlsPort`); without it they
 * answer 502 like any command the device does not implement. No CCC: the page does not mention it.
 */
import { emftp } from './emftp';
import type { Personality } from './types';

export const EMFTP_TLS_COMMANDS = ['AUTH', 'PBSZ', 'PROT'] as const;

export const emftpTls: Personality = {
  ...emftp,
  name: 'emftp-tls',
  title: 'SEGGER emFTP Server with FTPS (explicit and implicit)',
  commands: [...(emftp.commands ?? []), ...EMFTP_TLS_COMMANDS],
};
