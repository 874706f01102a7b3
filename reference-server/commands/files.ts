/**
 * File and directory actions that need no data connection: DELE, RMD, MKD (RFC 959 §4.1.3 and
 * Appendix II), RNFR/RNTO, and the RFC 3659 queries SIZE, MDTM and MLST.
 */
import { mlstFacts, mlstFeature, timeVal } from '../listing';
import { replies } from '../replies';
import { wireSize } from '../transfer-jobs';
import { VfsError } from '../vfs';
import { alias, type CommandSpec } from './types';

const DELE: CommandSpec = {
  verb: 'DELE',
  needsLogin: true,
  argument: 'required',
  permission: 'delete',
  syntax: 'DELE <SP> pathname',
  async handler(session, argument) {
    const located = await session.files.locate(session.cwd, argument);
    await session.files.removeFile(located);
    session.reply(replies.fileDeleted);
  },
};

const RMD: CommandSpec = {
  verb: 'RMD',
  needsLogin: true,
  argument: 'required',
  permission: 'delete',
  syntax: 'RMD <SP> pathname',
  async handler(session, argument) {
    const located = await session.files.locate(session.cwd, argument);
    await session.files.removeDirectory(located);
    session.reply(replies.directoryRemoved);
  },
};

const MKD: CommandSpec = {
  verb: 'MKD',
  needsLogin: true,
  argument: 'required',
  permission: 'mkdir',
  syntax: 'MKD <SP> pathname',
  async handler(session, argument) {
    const located = await session.files.locate(session.cwd, argument);
    await session.files.makeDirectory(located);
    // The absolute name, usable by a later CWD from anywhere (RFC 959 Appendix II).
    session.reply(replies.directoryCreated(located.virtual));
  },
};

const RNFR: CommandSpec = {
  verb: 'RNFR',
  needsLogin: true,
  argument: 'required',
  permission: 'write',
  syntax: 'RNFR <SP> pathname',
  async handler(session, argument) {
    const located = await session.files.locate(session.cwd, argument);
    await session.files.stat(located);
    session.renameFrom = located;
    session.reply(replies.renamePending);
  },
};

const RNTO: CommandSpec = {
  verb: 'RNTO',
  needsLogin: true,
  argument: 'required',
  permission: 'write',
  syntax: 'RNTO <SP> pathname',
  sequence: (session) => (session.renameFrom === null ? replies.rntoWithoutRnfr : null),
  async handler(session, argument) {
    const from = session.renameFrom;
    session.renameFrom = null;
    if (from === null) return;
    let to;
    try {
      to = await session.files.locate(session.cwd, argument);
    } catch (error) {
      // RNTO has no 550 in RFC 959 §5.4: a name that may not be used is 553.
      if (error instanceof VfsError && error.kind === 'outside') return session.reply(replies.fileNameNotAllowed(argument));
      throw error;
    }
    try {
      await session.files.rename(from, to);
    } catch (error) {
      if (error instanceof VfsError && error.kind !== 'io') return session.reply(replies.fileNameNotAllowed(to.virtual));
      throw error;
    }
    session.reply(replies.renamed);
  },
};

const SIZE: CommandSpec = {
  verb: 'SIZE',
  needsLogin: true,
  argument: 'required',
  permission: 'read',
  syntax: 'SIZE <SP> pathname',
  features: () => ['SIZE'],
  async handler(session, argument) {
    const located = await session.files.locate(session.cwd, argument);
    await session.files.statFile(located);
    // The size a RETR would send now, in the current TYPE, STRU and MODE (RFC 3659 §4).
    session.reply(replies.fileSize(await wireSize(located.host, session.format)));
  },
};

const MDTM: CommandSpec = {
  verb: 'MDTM',
  needsLogin: true,
  argument: 'required',
  permission: 'read',
  syntax: 'MDTM <SP> pathname',
  features: () => ['MDTM'],
  async handler(session, argument) {
    const located = await session.files.locate(session.cwd, argument);
    const stats = await session.files.statFile(located);
    session.reply(replies.modificationTime(timeVal(stats.mtime)));
  },
};

const MLST: CommandSpec = {
  verb: 'MLST',
  needsLogin: true,
  argument: 'optional',
  permission: 'read',
  syntax: 'MLST [<SP> pathname]',
  features: (session) => [mlstFeature(session.mlstFacts)],
  async handler(session, argument) {
    const located = await session.files.locate(session.cwd, argument === '' ? '.' : argument);
    const stats = await session.files.stat(located);
    const facts = mlstFacts(stats, {
      permissions: session.account!.permissions,
      selected: session.mlstFacts,
      // Without an argument the entry is the current directory itself, typed plainly as `dir`:
      // "cdir" is only returned as part of an MLSD listing (RFC 3659 §7.5.1.2, example §7.7.6).
      directoryRole: undefined,
    });
    // A fully qualified TVFS pathname names the object (RFC 3659 §7.3.1).
    session.reply(replies.mlstEntry(`${facts} ${located.virtual}`));
  },
};

export const fileCommands: readonly CommandSpec[] = [
  DELE,
  RMD,
  alias('XRMD', RMD),
  MKD,
  alias('XMKD', MKD),
  RNFR,
  RNTO,
  SIZE,
  MDTM,
  MLST,
];
