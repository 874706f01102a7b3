/**
 * Access control commands (RFC 959 §4.1.1) and HOST (RFC 7151). Login follows §6: USER → 331 →
 * PASS → 230, or 332 → ACCT → 230. USER answers 331 whatever the name (RFC 2577 §7); a failed PASS
 * is answered after a delay, and too many failures end the session with 421 (RFC 2577 §5).
 */
import * as net from 'node:net';
import { sameAddress } from '../address';
import { replies } from '../replies';
import type { Session } from '../session';
import type { Account } from '../users';
import { alias, type CommandSpec } from './types';

const USER: CommandSpec = {
  verb: 'USER',
  needsLogin: false,
  argument: 'required',
  syntax: 'USER <SP> username',
  handler(session, argument) {
    // USER may be sent at any time; it flushes the previous login (RFC 959 §4.1.1).
    session.login = { kind: 'awaiting-password', user: argument };
    session.fs = null;
    session.reply(replies.passwordRequired);
  },
};

const PASS: CommandSpec = {
  verb: 'PASS',
  needsLogin: false,
  // Anonymous clients may send an empty password.
  argument: 'optional',
  syntax: 'PASS <SP> password',
  sequence: (session) =>
    session.login.kind === 'logged-in'
      ? replies.alreadyLoggedIn
      : session.login.kind !== 'awaiting-password'
        ? replies.passWithoutUser
        : null,
  async handler(session, argument) {
    if (session.login.kind !== 'awaiting-password') return;
    const credentials = session.server.users.check(session.login.user, argument);
    if (credentials.outcome === 'rejected') {
      session.login = { kind: 'none' };
      await rejectLogin(session);
      return;
    }
    session.failedLogins = 0;
    if (credentials.outcome === 'needs-account') {
      session.login = { kind: 'awaiting-account', account: credentials.account, expected: credentials.expected };
      session.reply(replies.accountRequired);
      return;
    }
    await completeLogin(session, credentials.account);
  },
};

const ACCT: CommandSpec = {
  verb: 'ACCT',
  needsLogin: false,
  argument: 'required',
  syntax: 'ACCT <SP> account-information',
  sequence: (session) =>
    session.login.kind === 'awaiting-account' || session.login.kind === 'logged-in' ? null : replies.acctWithoutLogin,
  async handler(session, argument) {
    if (session.login.kind === 'logged-in') {
      session.reply(replies.accountNotNeeded);
      return;
    }
    if (session.login.kind !== 'awaiting-account') return;
    if (argument !== session.login.expected) {
      session.login = { kind: 'none' };
      await rejectLogin(session, replies.accountIncorrect);
      return;
    }
    await completeLogin(session, session.login.account);
  },
};

async function completeLogin(session: Session, account: Account): Promise<void> {
  session.enter(account);
  try {
    await session.files.statDirectory(await session.files.locate('/', '.'));
  } catch {
    // A user whose home is missing cannot work; say so rather than fail every later command.
    session.login = { kind: 'none' };
    session.fs = null;
    session.reply(replies.homeUnavailable);
    return;
  }
  session.reply(replies.loggedIn);
}

async function rejectLogin(session: Session, reply = replies.loginIncorrect): Promise<void> {
  session.failedLogins++;
  const { failedLoginDelayMs, maxLoginAttempts } = session.server.settings;
  if (failedLoginDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, failedLoginDelayMs));
  if (session.failedLogins >= maxLoginAttempts) session.end(replies.tooManyLoginFailures);
  else session.reply(reply);
}

const REIN: CommandSpec = {
  verb: 'REIN',
  needsLogin: false,
  argument: 'forbidden',
  syntax: 'REIN',
  handler(session) {
    session.reinitialize();
    session.server.tls?.reinitialize?.(session);
    session.reply(replies.reinitialized);
  },
};

const QUIT: CommandSpec = {
  verb: 'QUIT',
  needsLogin: false,
  argument: 'forbidden',
  syntax: 'QUIT',
  duringTransfer: true,
  async handler(session) {
    // A transfer in progress finishes and gets its reply first (RFC 959 §4.1.1).
    await session.transfer?.done;
    session.end(replies.goodbye);
  },
};

const HOST: CommandSpec = {
  verb: 'HOST',
  needsLogin: false,
  argument: 'required',
  syntax: 'HOST <SP> hostname',
  features: () => ['HOST'],
  sequence: (session) => (session.login.kind === 'none' ? null : replies.hostAfterUser),
  handler(session, argument) {
    const hostname = argument.trim();
    const parsed = parseHostname(hostname);
    if (parsed === null) {
      session.reply(replies.argumentInvalid('HOST'));
      return;
    }
    // A literal address must be the one the client connected to (RFC 7151 §3.1); names are all
    // aliases of the one virtual host this server has.
    if (parsed.literal !== undefined && !sameAddress(parsed.literal, session.control.localAddress)) {
      session.reply(replies.hostUnknown(hostname));
      return;
    }
    session.reinitialize();
    session.host = hostname;
    session.reply(replies.hostSelected(hostname));
  },
};

/** RFC 7151 §3.1 hostname: a domain, an IPv4 literal or a bracketed IPv6 literal; never a port. */
function parseHostname(text: string): { literal?: string } | null {
  const bracketed = /^\[([^\]]+)\]$/.exec(text);
  if (bracketed) return net.isIPv6(bracketed[1]!) ? { literal: bracketed[1]! } : null;
  if (net.isIPv4(text)) return { literal: text };
  const label = '[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?';
  return new RegExp(`^${label}(?:\\.${label})*$`).test(text) && text.length <= 253 ? {} : null;
}

const CWD: CommandSpec = {
  verb: 'CWD',
  needsLogin: true,
  argument: 'required',
  syntax: 'CWD <SP> pathname',
  async handler(session, argument) {
    await changeDirectory(session, argument);
  },
};

const CDUP: CommandSpec = {
  verb: 'CDUP',
  needsLogin: true,
  argument: 'forbidden',
  syntax: 'CDUP',
  async handler(session) {
    // The reply codes of CDUP are those of CWD (RFC 959 Appendix II).
    await changeDirectory(session, '..');
  },
};

async function changeDirectory(session: Session, argument: string): Promise<void> {
  const located = await session.files.locate(session.cwd, argument);
  await session.files.statDirectory(located);
  session.cwd = located.virtual;
  session.reply(replies.directoryChanged(located.virtual));
}

const SMNT: CommandSpec = {
  verb: 'SMNT',
  needsLogin: true,
  argument: 'required',
  syntax: 'SMNT <SP> pathname',
  // One file system serves the whole tree, so every structure is mounted already: the §5.4 row
  // for SMNT offers 202 for exactly this ("superfluous at this site"), 550 when there is no such directory.
  async handler(session, argument) {
    const located = await session.files.locate(session.cwd, argument);
    const stats = await session.files.stat(located);
    session.reply(stats.isDirectory() ? replies.structureMountSuperfluous : replies.notADirectory(located.virtual));
  },
};

const PWD: CommandSpec = {
  verb: 'PWD',
  needsLogin: true,
  argument: 'forbidden',
  syntax: 'PWD',
  handler(session) {
    session.reply(replies.currentDirectory(session.cwd));
  },
};

export const accessCommands: readonly CommandSpec[] = [
  USER,
  PASS,
  ACCT,
  REIN,
  QUIT,
  HOST,
  CWD,
  alias('XCWD', CWD),
  CDUP,
  alias('XCUP', CDUP),
  SMNT,
  PWD,
  alias('XPWD', PWD),
];
