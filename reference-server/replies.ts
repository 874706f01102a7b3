/**
 * Every reply code and text the reference server sends, in one place. Handlers refer to entries by
 * name; the codes follow the command-reply sequences of RFC 959 §5.4 and the extension RFCs.
 */
import { quotePathname, reply, type Reply } from './reply-format';

export type { Reply } from './reply-format';

const SERVER_NAME = 'ftp-conform reference server';

const catalogue = {
  // --- Connection establishment and teardown (RFC 959 §5.4, RFC 2577 §5, RFC 1123 §4.1.3.2)
  greeting: reply(220, `${SERVER_NAME} ready.`),
  hostSelected: (host: string) => reply(220, `Virtual host ${host} selected; ${SERVER_NAME} ready.`),
  reinitialized: reply(220, `Session reinitialized; ${SERVER_NAME} ready for new user.`),
  goodbye: reply(221, 'Goodbye.'),
  tooManySessions: reply(421, 'Too many connections, closing control connection.'),
  tooManySessionsFromAddress: reply(421, 'Too many connections from your address, closing control connection.'),
  idleTimeout: reply(421, 'Idle timeout, closing control connection.'),
  shuttingDown: reply(421, 'Service shutting down, closing control connection.'),
  tooManyLoginFailures: reply(421, 'Too many failed login attempts, closing control connection.'),

  // --- Generic checks made once before any handler (commands/dispatch.ts)
  unknownCommand: (verb: string) => reply(500, `Command not understood: ${printable(verb)}.`),
  lineTooLong: (limit: number) => reply(500, `Command line too long (limit ${limit} bytes).`),
  argumentRequired: (verb: string) => reply(501, `Syntax error: ${verb} requires an argument.`),
  argumentForbidden: (verb: string) => reply(501, `Syntax error: ${verb} takes no argument.`),
  argumentInvalid: (verb: string) => reply(501, `Syntax error in parameters or arguments to ${verb}.`),
  notLoggedIn: reply(530, 'Not logged in.'),
  permissionDenied: reply(550, 'Permission denied.'),
  notImplemented: (verb: string) => reply(502, `${verb} not implemented.`),
  parameterNotImplemented: (verb: string, parameter: string) =>
    reply(504, `${verb} not implemented for parameter ${printable(parameter)}.`),

  // --- Login sequence (RFC 959 §4.1.1, RFC 2577 §7: the same 331 for every user name)
  passwordRequired: reply(331, 'User name okay, need password.'),
  loggedIn: reply(230, 'User logged in, proceed.'),
  accountRequired: reply(332, 'Need account for login.'),
  accountNotNeeded: reply(202, 'Account not needed, superfluous at this site.'),
  loginIncorrect: reply(530, 'Login incorrect.'),
  homeUnavailable: reply(530, 'Not logged in: home directory unavailable.'),
  accountIncorrect: reply(530, 'Account incorrect; login sequence must be repeated.'),
  passWithoutUser: reply(503, 'Bad sequence of commands: send USER first.'),
  acctWithoutLogin: reply(503, 'Bad sequence of commands: send USER and PASS first.'),
  alreadyLoggedIn: reply(503, 'Bad sequence of commands: already logged in.'),
  hostAfterUser: reply(503, 'Bad sequence of commands: HOST must precede USER.'),
  hostUnknown: (host: string) => reply(504, `Host ${printable(host)} is not served here.`),

  // --- Directories (RFC 959 Appendix II)
  directoryChanged: (pathname: string) => reply(250, `Directory changed to ${pathname}.`),
  currentDirectory: (pathname: string) => reply(257, `${quotePathname(pathname)} is the current directory.`),
  directoryCreated: (pathname: string) => reply(257, `${quotePathname(pathname)} directory created.`),
  directoryRemoved: reply(250, 'Directory removed.'),
  fileDeleted: reply(250, 'File deleted.'),
  structureMountSuperfluous: reply(202, 'SMNT superfluous at this site: the whole file tree is mounted.'),

  // --- Rename (RFC 959 §4.1.3)
  renamePending: reply(350, 'File exists, ready for destination name.'),
  renamed: reply(250, 'Rename successful.'),
  rntoWithoutRnfr: reply(503, 'Bad sequence of commands: send RNFR first.'),

  // --- Transfer parameters (RFC 959 §4.1.2, RFC 2428, RFC 2577 §3)
  typeSet: (description: string) => reply(200, `Type set to ${description}.`),
  structureSet: (description: string) => reply(200, `Structure set to ${description}.`),
  modeSet: (description: string) => reply(200, `Mode set to ${description}.`),
  portAccepted: reply(200, 'PORT command successful.'),
  eprtAccepted: reply(200, 'EPRT command successful.'),
  portRefused: reply(504, 'Command not implemented for that parameter: data connections go only to your own address, port 1024 or above.'),
  passiveMode: (h: readonly number[], port: number) =>
    reply(227, `Entering Passive Mode (${[...h, port >> 8, port & 255].join(',')}).`),
  extendedPassiveMode: (port: number) => reply(229, `Entering Extended Passive Mode (|||${port}|).`),
  pasvNeedsIpv4: reply(501, 'PASV is for IPv4 control connections only; use EPSV.'),
  networkProtocolNotSupported: (families: readonly number[]) =>
    reply(522, `Network protocol not supported, use (${families.join(',')})`),
  epsvAllAccepted: reply(200, 'EPSV ALL command successful.'),
  refusedAfterEpsvAll: (verb: string) => reply(503, `Bad sequence of commands: ${verb} not allowed after EPSV ALL.`),
  cannotListen: reply(425, "Can't open passive data connection."),

  // --- File transfer (RFC 959 §5.4, RFC 1123 §4.1.2.9)
  openingDataConnection: (what: string) => reply(150, `Opening data connection for ${what}.`),
  dataConnectionAlreadyOpen: (what: string) => reply(125, `Data connection already open; transfer starting for ${what}.`),
  uniqueFileOpening: (name: string) => reply(150, `FILE: ${name}`),
  uniqueFileAlreadyOpen: (name: string) => reply(125, `FILE: ${name}`),
  transferComplete: reply(226, 'Closing data connection; transfer complete.'),
  noDataConnection: reply(425, "Can't open data connection: send PORT, PASV, EPRT or EPSV first."),
  cannotOpenDataConnection: reply(425, "Can't open data connection."),
  // RFC 4217 §10.2: the data connection's TLS negotiation failed (or did not resume the session).
  dataProtectionFailed: reply(522, 'Data connection TLS negotiation failed; transfer refused.'),
  transferAborted: reply(426, 'Connection closed; transfer aborted.'),
  localError: reply(451, 'Requested action aborted: local error in processing.'),
  insufficientStorage: reply(452, 'Requested action not taken: insufficient storage space.'),
  storageExceeded: reply(552, 'Requested file action aborted: exceeded storage allocation.'),
  restartPending: (offset: number) => reply(350, `Restarting at ${offset}. Send RETR or STOR to start the transfer.`),
  invalidRestart: (offset: number) => reply(554, `Requested action not taken: invalid REST parameter ${offset}.`),
  allocationIgnored: reply(202, 'ALLO command ignored: no storage allocation needed.'),
  abortSuccessful: reply(226, 'ABOR command successful; data connection closed.'),

  // --- File and directory errors
  noSuchFile: (pathname: string) => reply(550, `${pathname}: no such file or directory.`),
  notAFile: (pathname: string) => reply(550, `${pathname}: not a plain file.`),
  notADirectory: (pathname: string) => reply(550, `${pathname}: not a directory.`),
  listingUnavailable: (pathname: string) => reply(450, `${pathname}: requested file action not taken.`),
  alreadyExists: (pathname: string) => reply(550, `${pathname}: already exists.`),
  directoryNotEmpty: (pathname: string) => reply(550, `${pathname}: directory not empty.`),
  outsideRoot: reply(550, 'Requested action not taken: path is outside the accessible tree.'),
  fileNameNotAllowed: (pathname: string) => reply(553, `${pathname}: file name not allowed.`),
  fileBusy: (pathname: string) => reply(450, `${pathname}: file unavailable.`),

  // --- RFC 3659
  fileSize: (size: number) => reply(213, String(size)),
  modificationTime: (timeVal: string) => reply(213, timeVal),
  mlstEntry: (entry: string) => reply(250, 'Listing follows:', ` ${entry}`, 'End'),
  mlsdNotADirectory: (pathname: string) => reply(501, `${pathname}: not a directory.`),
  mlstOptionsSet: (facts: readonly string[]) =>
    reply(200, facts.length > 0 ? `MLST OPTS ${facts.map((fact) => `${fact};`).join('')}` : 'MLST OPTS'),
  mlstOptionsInvalid: reply(501, 'Invalid MLST options.'),

  // --- Informational (RFC 959 §4.1.3, RFC 2389, RFC 2640)
  commandOkay: reply(200, 'Command okay.'),
  systemType: reply(215, 'UNIX Type: L8'),
  features: (lines: readonly string[]) => reply(211, 'Features supported:', ...lines.map((line) => ` ${line}`), 'End'),
  help: (lines: readonly string[]) => reply(214, 'The following commands are recognized (* = not implemented):', ...lines, 'Help OK.'),
  helpCommand: (syntax: string) => reply(214, `Syntax: ${syntax}`),
  helpUnknown: (topic: string) => reply(501, `Unknown command ${printable(topic)}.`),
  siteHelp: (lines: readonly string[]) => reply(214, 'The following SITE commands are recognized:', ...lines, 'Help OK.'),
  siteUnknown: (subcommand: string) => reply(500, `Unknown SITE command ${printable(subcommand)}.`),
  serverStatus: (lines: readonly string[]) => reply(211, `${SERVER_NAME} status:`, ...lines, 'End of status.'),
  directoryStatus: (pathname: string, lines: readonly string[]) =>
    reply(212, `Status of ${pathname}:`, ...lines, 'End of status.'),
  fileStatus: (pathname: string, lines: readonly string[]) => reply(213, `Status of ${pathname}:`, ...lines, 'End of status.'),
  transferStatus: (lines: readonly string[]) => reply(213, 'Transfer in progress:', ...lines, 'End of status.'),
  utf8Enabled: reply(200, 'UTF8 mode is always enabled.'),
  optsInvalid: (option: string) => reply(501, `Option not understood: ${printable(option)}.`),
  languageSet: (tag: string) => reply(200, `Language set to ${tag}.`),
  languageNotSupported: (tag: string) => reply(504, `Language ${printable(tag)} not supported; use EN.`),

  // --- RFC 4217 (wired in by reference-server/tls/)
  tlsNotConfigured: (verb: string) => reply(502, `${verb} not available: TLS is not configured on this server.`),
} as const;

/** The name of a catalogue entry: what a personality (reference-server/personalities/) overrides. */
export type ReplyKey = keyof typeof catalogue;

/** Which catalogue entry made a reply, and with which arguments: lets a personality swap its text. */
const origins = new WeakMap<Reply, { readonly key: ReplyKey; readonly args: readonly unknown[] }>();

export function replyOrigin(value: Reply): { readonly key: ReplyKey; readonly args: readonly unknown[] } | undefined {
  return origins.get(value);
}

function tagged<T extends Record<string, unknown>>(entries: T): T {
  const out: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(entries)) {
    if (typeof entry === 'function') {
      out[key] = (...args: unknown[]) => {
        const made = (entry as (...a: unknown[]) => Reply)(...args);
        origins.set(made, { key: key as ReplyKey, args });
        return made;
      };
    } else {
      origins.set(entry as Reply, { key: key as ReplyKey, args: [] });
      out[key] = entry;
    }
  }
  return out as T;
}

export const replies = tagged(catalogue);

/** Echoed client text must stay on one printable line. */
function printable(text: string): string {
  const cleaned = text.replace(/[\x00-\x1f\x7f]/g, '?');
  return cleaned.length > 64 ? `${cleaned.slice(0, 64)}…` : cleaned;
}
