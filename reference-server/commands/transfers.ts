/**
 * Commands that use the data connection (RFC 959 §4.1.3): RETR, STOR, STOU, APPE, LIST, NLST and
 * RFC 3659 MLSD, plus their companions REST, ALLO and ABOR. Checks that can fail without touching
 * the data connection (no such file, bad restart point) answer before the 1yz reply.
 */
import { constants as fsConstants, promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { joinListing, mlstFacts, unixListLine } from '../listing';
import { replies } from '../replies';
import type { Session } from '../session';
import { performTransfer } from '../transfer';
import { restartIsDiskOffset, type FormatOptions } from '../transfer-format';
import { downloadJob, listingJob, uploadJob, wireSize, type UploadKind } from '../transfer-jobs';
import { VfsError, type Located } from '../vfs';
import type { CommandSpec } from './types';

/** The REST offset applies to the next transfer command only (RFC 3659 §5.3). */
function takeRestart(session: Session): number {
  const offset = session.restartOffset;
  session.restartOffset = 0;
  return offset;
}

const REST: CommandSpec = {
  verb: 'REST',
  needsLogin: true,
  argument: 'required',
  syntax: 'REST <SP> marker',
  features: () => ['REST STREAM'],
  handler(session, argument) {
    const marker = argument.trim();
    if (!/^\d+$/.test(marker) || !Number.isSafeInteger(Number(marker))) return session.reply(replies.argumentInvalid('REST'));
    session.restartOffset = Number(marker);
    session.reply(replies.restartPending(session.restartOffset));
  },
};

const RETR: CommandSpec = {
  verb: 'RETR',
  needsLogin: true,
  argument: 'required',
  permission: 'read',
  syntax: 'RETR <SP> pathname',
  async handler(session, argument) {
    const offset = takeRestart(session);
    const located = await session.files.locate(session.cwd, argument);
    const stats = await session.files.statFile(located);
    try {
      await fsp.access(located.host, fsConstants.R_OK);
    } catch {
      return session.reply(replies.permissionDenied);
    }
    if (offset > 0) {
      const size = restartIsDiskOffset(session.format) ? stats.size : await wireSize(located.host, session.format);
      if (offset > size) return session.reply(replies.invalidRestart(offset));
    }
    await performTransfer(session, downloadJob(`RETR ${located.virtual}`, located.host, session.format, offset));
  },
};

/** The target of an upload must be a new or plain file in an existing directory (else 553). */
async function uploadTarget(session: Session, argument: string): Promise<Located | null> {
  const located = await session.files.locate(session.cwd, argument);
  try {
    await session.files.statDirectory(await session.files.locate(path.posix.dirname(located.virtual), '.'));
    const stats = await session.files.stat(located).catch((error: unknown) => {
      if (error instanceof VfsError && error.kind === 'not-found') return null;
      throw error;
    });
    if (stats !== null && !stats.isFile()) throw new VfsError('not-a-file', located.virtual);
  } catch (error) {
    if (error instanceof VfsError && error.kind !== 'io' && error.kind !== 'outside') {
      session.reply(replies.fileNameNotAllowed(located.virtual));
      return null;
    }
    throw error;
  }
  return located;
}

async function upload(session: Session, verb: 'STOR' | 'APPE', argument: string): Promise<void> {
  const offset = takeRestart(session);
  const located = await uploadTarget(session, argument);
  if (located === null) return;
  let how: UploadKind = verb === 'APPE' ? { kind: 'append' } : { kind: 'replace' };
  if (offset > 0) {
    // REST then STOR (or APPE, which must then act as STOR) continues at the wire offset.
    const size = !(await session.files.exists(located))
      ? 0
      : restartIsDiskOffset(session.format)
        ? (await session.files.stat(located)).size
        : await wireSize(located.host, session.format);
    if (offset > size) return session.reply(replies.invalidRestart(offset));
    how = { kind: 'restart', offset };
  }
  const job = uploadJob({ description: `${verb} ${located.virtual}`, target: located.host, format: session.format, how });
  await performTransfer(session, job);
}

const STOR: CommandSpec = {
  verb: 'STOR',
  needsLogin: true,
  argument: 'required',
  permission: 'write',
  syntax: 'STOR <SP> pathname',
  handler: (session, argument) => upload(session, 'STOR', argument),
};

const APPE: CommandSpec = {
  verb: 'APPE',
  needsLogin: true,
  argument: 'required',
  permission: 'write',
  syntax: 'APPE <SP> pathname',
  handler: (session, argument) => upload(session, 'APPE', argument),
};

const STOU: CommandSpec = {
  verb: 'STOU',
  needsLogin: true,
  // RFC 959 gives STOU no argument; a name given anyway is taken as a hint for the unique name.
  argument: 'optional',
  permission: 'write',
  syntax: 'STOU',
  async handler(session, argument) {
    takeRestart(session);
    const base = argument === '' ? 'ftp-conform-unique' : argument;
    for (let attempt = 0; attempt < 1000; attempt++) {
      const candidate = attempt === 0 ? base : `${base}.${attempt}`;
      const located = await uploadTarget(session, candidate);
      if (located === null) return;
      try {
        // Reserve the name so a concurrent STOU cannot pick it too.
        await (await fsp.open(located.host, 'wx')).close();
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
        throw error;
      }
      const name = path.posix.basename(located.virtual);
      const job = uploadJob({
        description: `STOU ${located.virtual}`,
        target: located.host,
        format: session.format,
        how: { kind: 'replace' },
        // RFC 1123 §4.1.2.9: the preliminary reply names the file, exactly "150 FILE: pppp".
        preliminary: { opening: replies.uniqueFileOpening(name), alreadyOpen: replies.uniqueFileAlreadyOpen(name) },
        removeTargetOnFailure: true,
      });
      return performTransfer(session, job);
    }
    session.reply(replies.fileNameNotAllowed(base));
  },
};

const ALLO: CommandSpec = {
  verb: 'ALLO',
  needsLogin: true,
  argument: 'required',
  syntax: 'ALLO <SP> decimal-integer [<SP> R <SP> decimal-integer]',
  handler(session, argument) {
    if (!/^\d+( R \d+)?$/i.test(argument.trim())) return session.reply(replies.argumentInvalid('ALLO'));
    // No space needs reserving here, so ALLO is a no-op (RFC 959 §4.1.3).
    session.reply(replies.allocationIgnored);
  },
};

const ABOR: CommandSpec = {
  verb: 'ABOR',
  needsLogin: true,
  argument: 'forbidden',
  syntax: 'ABOR',
  duringTransfer: true,
  async handler(session) {
    const running = session.transfer;
    if (running !== null) {
      // The transfer answers 426 itself; ABOR's own 226 follows it (RFC 959 §4.1.3).
      running.abort();
      await running.done;
    } else {
      session.closeData();
    }
    session.restartOffset = 0;
    session.reply(replies.abortSuccessful);
  },
};

/** LIST and NLST data is text in the current type (A, or E for EBCDIC) and mode. */
function listingFormat(session: Session): FormatOptions {
  return { type: session.parameters.type === 'E' ? 'E' : 'A', structure: 'F', mode: session.parameters.mode };
}

/** Clients often pass `ls` options (`LIST -la`); they are accepted and ignored. */
function listingTarget(argument: string): string {
  return argument.replace(/^(-[A-Za-z]+ ?)+/, '');
}

async function locateListing(session: Session, argument: string, verb: string): Promise<Located | null> {
  const target = listingTarget(argument);
  try {
    const located = await session.files.locate(session.cwd, target === '' ? '.' : target);
    await session.files.stat(located);
    return located;
  } catch (error) {
    // RFC 959 §5.4 gives LIST and NLST 450 (not 550) for a listing that cannot be made.
    if (error instanceof VfsError && error.kind !== 'outside') {
      session.reply(replies.listingUnavailable(target === '' ? session.cwd : target));
      return null;
    }
    if (error instanceof VfsError) throw error;
    session.log(`! ${verb} failed: ${String(error)}`);
    session.reply(replies.listingUnavailable(target));
    return null;
  }
}

const LIST: CommandSpec = {
  verb: 'LIST',
  needsLogin: true,
  argument: 'optional',
  permission: 'read',
  syntax: 'LIST [<SP> pathname]',
  async handler(session, argument) {
    takeRestart(session);
    const located = await locateListing(session, argument, 'LIST');
    if (located === null) return;
    const lines = await longListing(session, located);
    await performTransfer(session, listingJob(`LIST ${located.virtual}`, joinListing(lines), listingFormat(session)));
  },
};

/** `ls -l` lines for a directory's entries, or the one line of a file. Also used by STAT. */
export async function longListing(session: Session, located: Located): Promise<string[]> {
  const stats = await session.files.stat(located);
  if (!stats.isDirectory()) return [unixListLine(path.posix.basename(located.virtual), stats)];
  const now = new Date();
  return (await session.files.list(located)).map((entry) => unixListLine(entry.name, entry.stats, now));
}

const NLST: CommandSpec = {
  verb: 'NLST',
  needsLogin: true,
  argument: 'optional',
  permission: 'read',
  syntax: 'NLST [<SP> pathname]',
  async handler(session, argument) {
    takeRestart(session);
    const located = await locateListing(session, argument, 'NLST');
    if (located === null) return;
    const target = listingTarget(argument);
    const stats = await session.files.stat(located);
    let names: string[];
    if (!stats.isDirectory()) names = [target];
    else {
      // Names must be usable as arguments as they are (RFC 1123 §4.1.2.7): prefix the directory given.
      const prefix = target === '' ? '' : `${target.replace(/\/+$/, '')}/`;
      names = (await session.files.list(located)).map((entry) => `${prefix}${entry.name}`);
    }
    await performTransfer(session, listingJob(`NLST ${located.virtual}`, joinListing(names), listingFormat(session)));
  },
};

const MLSD: CommandSpec = {
  verb: 'MLSD',
  needsLogin: true,
  argument: 'optional',
  permission: 'read',
  syntax: 'MLSD [<SP> pathname]',
  async handler(session, argument) {
    takeRestart(session);
    const located = await session.files.locate(session.cwd, argument === '' ? '.' : argument);
    const stats = await session.files.stat(located);
    if (!stats.isDirectory()) return session.reply(replies.mlsdNotADirectory(located.virtual));
    const context = { permissions: session.account!.permissions, selected: session.mlstFacts };
    const lines = (await session.files.list(located)).map((entry) => `${mlstFacts(entry.stats, context)} ${entry.name}`);
    // MLSD data is sent as if TYPE L 8, MODE S, STRU F (RFC 3659 §7.2): CRLF lines, no encoder.
    const text = lines.map((line) => `${line}\r\n`).join('');
    await performTransfer(session, listingJob(`MLSD ${located.virtual}`, text, null));
  },
};

export const transferCommands: readonly CommandSpec[] = [REST, RETR, STOR, STOU, APPE, ALLO, ABOR, LIST, NLST, MLSD];
