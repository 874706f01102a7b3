/**
 * SEGGER emFTP server as its product page describes it (shared/seeds/segger-emftp-server.txt): the
 * 22 listed commands, the X-variants as their RFC 775 twins, "not implemented" for everything else,
 * a configured number of simultaneous connections (child tasks).
 */
import type { Personality } from './types';

export const EMFTP_COMMANDS = [
  'CDUP', 'CWD', 'DELE', 'LIST', 'MKD', 'NLST', 'NOOP', 'PASS', 'PASV', 'PORT', 'PWD',
  'RETR', 'RMD', 'SIZE', 'STOR', 'SYST', 'TYPE', 'USER', 'XCUP', 'XMKD', 'XPWD', 'XRMD',
] as const;

export const emftp: Personality = {
  name: 'emftp',
  title: 'SEGGER emFTP Server',
  source: 'shared/seeds/segger-emftp-server.txt',
  // QUIT is not in the page's list, yet no client could end a session without it (RFC 959 §5.1
  // minimum): it is kept, and the profile says so.
  commands: [...EMFTP_COMMANDS, 'QUIT'],
  maxSessions: 2,
  replies: {
    unknownCommand: { code: 502, text: 'Command not implemented.' },
  },
};
