/**
 * The generic checks, made once before any handler runs, in this order:
 * 500 unknown command → 501 argument missing/forbidden → 530 not logged in → 503 out of sequence →
 * 550 permission → handler. Errors a handler lets escape become replies here, never a crash.
 */
import { replies } from '../replies';
import type { Session } from '../session';
import { VfsError } from '../vfs';
import { replyForFileError } from './errors';

export interface ParsedCommand {
  readonly verb: string;
  /** Everything after the first space, verbatim: trailing spaces belong to pathnames (RFC 3659 §2.2). */
  readonly argument: string;
}

export function parseCommandLine(line: string): ParsedCommand {
  const space = line.indexOf(' ');
  if (space < 0) return { verb: line.toUpperCase(), argument: '' };
  return { verb: line.slice(0, space).toUpperCase(), argument: line.slice(space + 1) };
}

export async function dispatch(session: Session, line: string): Promise<void> {
  const { verb, argument } = parseCommandLine(line);
  const spec = session.server.commands.get(verb);
  if (spec === undefined) {
    session.reply(replies.unknownCommand(verb));
    return;
  }
  const hasArgument = argument.trim() !== '';
  if (spec.argument === 'required' && !hasArgument) {
    session.reply(replies.argumentRequired(verb));
    return;
  }
  if (spec.argument === 'forbidden' && hasArgument) {
    session.reply(replies.argumentForbidden(verb));
    return;
  }
  if (spec.needsLogin && session.account === null) {
    session.reply(replies.notLoggedIn);
    return;
  }
  // RNFR must be immediately followed by RNTO (RFC 959 §4.1.3): any other command drops it.
  if (verb !== 'RNTO' && verb !== 'ABOR' && verb !== 'STAT') session.renameFrom = null;
  const outOfSequence = spec.sequence?.(session) ?? null;
  if (outOfSequence !== null) {
    session.reply(outOfSequence);
    return;
  }
  if (spec.permission !== undefined && !session.account?.permissions.has(spec.permission)) {
    session.reply(replies.permissionDenied);
    return;
  }
  try {
    await spec.handler(session, hasArgument ? argument : '');
  } catch (error) {
    if (error instanceof VfsError) {
      session.reply(replyForFileError(error));
      return;
    }
    session.log(`! ${verb} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    if (!session.isEnded && session.control.isOpen) session.reply(replies.localError);
  }
}
