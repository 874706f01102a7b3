/**
 * Informational and miscellaneous commands: SYST, STAT, HELP, NOOP, SITE (RFC 959 §4.1.3), FEAT and
 * OPTS (RFC 2389), LANG (RFC 2640). HELP and FEAT are generated from the command table.
 */
import { parseMlstOptions } from '../listing';
import { replies } from '../replies';
import type { Session } from '../session';
import { VfsError } from '../vfs';
import { longListing } from './transfers';
import type { CommandSpec } from './types';

const SYST: CommandSpec = {
  verb: 'SYST',
  needsLogin: false,
  argument: 'forbidden',
  syntax: 'SYST',
  handler(session) {
    session.reply(replies.systemType);
  },
};

const NOOP: CommandSpec = {
  verb: 'NOOP',
  needsLogin: false,
  argument: 'forbidden',
  syntax: 'NOOP',
  handler(session) {
    session.reply(replies.commandOkay);
  },
};

const STAT: CommandSpec = {
  verb: 'STAT',
  needsLogin: false,
  argument: 'optional',
  syntax: 'STAT [<SP> pathname]',
  duringTransfer: true,
  async handler(session, argument) {
    const running = session.transfer;
    if (running !== null) {
      // During a transfer STAT reports on it, whatever the argument (RFC 959 §4.1.3).
      const seconds = ((Date.now() - running.startedAt) / 1000).toFixed(1);
      return session.reply(replies.transferStatus([`${running.description}`, `${running.bytes} bytes transferred in ${seconds} s`]));
    }
    if (argument === '') return session.reply(replies.serverStatus(statusLines(session)));
    const account = session.account;
    if (account === null) return session.reply(replies.notLoggedIn);
    if (!account.permissions.has('read')) return session.reply(replies.permissionDenied);
    // With a pathname STAT is LIST over the control connection.
    try {
      const located = await session.files.locate(session.cwd, argument);
      const stats = await session.files.stat(located);
      const lines = await longListing(session, located);
      session.reply(stats.isDirectory() ? replies.directoryStatus(located.virtual, lines) : replies.fileStatus(located.virtual, lines));
    } catch (error) {
      if (error instanceof VfsError && error.kind !== 'outside') return session.reply(replies.listingUnavailable(argument));
      throw error;
    }
  },
};

function statusLines(session: Session): string[] {
  const { type, form, byteSize, structure, mode } = session.parameters;
  const account = session.account;
  const typeText = type === 'L' ? `L ${byteSize}` : type === 'A' || type === 'E' ? `${type} ${form}` : type;
  return [
    `Connected from ${session.control.remoteAddress} port ${session.control.remotePort}`,
    account === null ? 'Not logged in' : `Logged in as ${account.name}${account.anonymous ? ' (anonymous)' : ''}`,
    `TYPE: ${typeText}; STRUcture: ${structure}; MODE: ${mode}`,
    `Data connection: ${session.data?.describe() ?? 'none'}`,
    `Working directory: ${session.cwd}`,
  ];
}

const HELP: CommandSpec = {
  verb: 'HELP',
  needsLogin: false,
  argument: 'optional',
  syntax: 'HELP [<SP> command]',
  handler(session, argument) {
    const topic = argument.trim().toUpperCase();
    const table = session.server.commands;
    if (topic === '') return session.reply(replies.help(helpColumns(table)));
    if (topic === 'SITE') return session.reply(replies.siteHelp(SITE_COMMANDS.map((command) => ` ${command}`)));
    const spec = table.get(topic);
    if (spec === undefined) return session.reply(replies.helpUnknown(topic));
    session.reply(replies.helpCommand(spec.syntax));
  },
};

/** Eight verbs per line, each padded, unimplemented ones marked with `*`. */
function helpColumns(table: ReadonlyMap<string, CommandSpec>): string[] {
  const cells = [...table.values()]
    .sort((a, b) => a.verb.localeCompare(b.verb))
    .map((spec) => `${spec.verb}${spec.implemented === false ? '*' : ''}`.padEnd(6));
  const lines: string[] = [];
  for (let start = 0; start < cells.length; start += 8) lines.push(` ${cells.slice(start, start + 8).join('').trimEnd()}`);
  return lines;
}

const FEAT: CommandSpec = {
  verb: 'FEAT',
  needsLogin: false,
  argument: 'forbidden',
  syntax: 'FEAT',
  // TVFS adds no command (RFC 3659 §6.3); the FEAT row carries it.
  features: () => ['TVFS'],
  handler(session) {
    const lines = new Set<string>();
    for (const spec of session.server.commands.values()) for (const line of spec.features?.(session) ?? []) lines.add(line);
    session.reply(replies.features([...lines].sort()));
  },
};

const OPTS: CommandSpec = {
  verb: 'OPTS',
  needsLogin: false,
  argument: 'required',
  syntax: 'OPTS <SP> command-name [<SP> command-options]',
  // Pathnames are UTF-8 on the control connection (RFC 2640 §3.2).
  features: () => ['UTF8'],
  handler(session, argument) {
    const space = argument.indexOf(' ');
    const command = (space < 0 ? argument : argument.slice(0, space)).toUpperCase();
    const options = space < 0 ? '' : argument.slice(space + 1);
    if (command === 'UTF8' || command === 'UTF-8') {
      return session.reply(options.trim().toUpperCase() === 'ON' ? replies.utf8Enabled : replies.optsInvalid(argument));
    }
    if (command === 'MLST') {
      const facts = parseMlstOptions(options);
      if (facts === null) return session.reply(replies.mlstOptionsInvalid);
      session.mlstFacts = new Set(facts);
      return session.reply(replies.mlstOptionsSet(facts));
    }
    session.reply(replies.optsInvalid(argument));
  },
};

const LANG: CommandSpec = {
  verb: 'LANG',
  needsLogin: false,
  argument: 'optional',
  syntax: 'LANG [<SP> language-tag]',
  features: (session) => [`LANG ${session.language}*`],
  handler(session, argument) {
    const tag = argument.trim();
    if (tag === '') {
      session.language = 'EN';
      return session.reply(replies.languageSet('EN'));
    }
    if (!/^[A-Za-z]{1,8}(-[A-Za-z]{1,8})*$/.test(tag)) return session.reply(replies.argumentInvalid('LANG'));
    // Only English; any English variant is answered in it (RFC 2640 §4.2).
    if (tag.split('-')[0]!.toUpperCase() !== 'EN') return session.reply(replies.languageNotSupported(tag));
    session.language = 'EN';
    session.reply(replies.languageSet('EN'));
  },
};

const SITE_COMMANDS = ['HELP'];

const SITE: CommandSpec = {
  verb: 'SITE',
  needsLogin: false,
  argument: 'required',
  syntax: 'SITE <SP> string',
  handler(session, argument) {
    const subcommand = argument.trim().split(/\s+/, 1)[0]!.toUpperCase();
    if (subcommand === 'HELP') return session.reply(replies.siteHelp(SITE_COMMANDS.map((command) => ` ${command}`)));
    session.reply(replies.siteUnknown(subcommand));
  },
};

export const informationalCommands: readonly CommandSpec[] = [SYST, NOOP, STAT, HELP, FEAT, OPTS, LANG, SITE];
