/**
 * The shape of one row of the command table (in the spirit of pyftpdlib's proto_cmds): everything
 * the dispatcher checks generically, plus the FEAT token, the HELP syntax and the handler.
 */
import type { Reply } from '../reply-format';
import type { Session } from '../session';
import type { Permission } from '../users';

export type ArgumentRule = 'required' | 'forbidden' | 'optional';

export type CommandHandler = (session: Session, argument: string) => Promise<void> | void;

export interface CommandSpec {
  readonly verb: string;
  /** 530 before login when true. */
  readonly needsLogin: boolean;
  /** 501 when a required argument is missing or a forbidden one is present. */
  readonly argument: ArgumentRule;
  /** 550 when the logged-in account lacks it. */
  readonly permission?: Permission;
  /** 503 when it returns a reply: the command is out of sequence (RNTO without RNFR, …). */
  readonly sequence?: (session: Session) => Reply | null;
  /** FEAT lines this command contributes (RFC 2389); may depend on the session (MLST facts). */
  readonly features?: (session: Session) => readonly string[];
  /** HELP text: the syntax, as in RFC 959 §5.3.1. */
  readonly syntax: string;
  /** May be handled while a transfer is running (RFC 959 §4.1: ABOR, STAT, QUIT). */
  readonly duringTransfer?: boolean;
  /** False for commands that always answer 502; HELP marks them. */
  readonly implemented?: boolean;
  readonly handler: CommandHandler;
}

/** The same row under another verb (RFC 1123 §4.1.3.1: XMKD = MKD, …). */
export function alias(verb: string, spec: CommandSpec): CommandSpec {
  const { features: _features, ...rest } = spec;
  return { ...rest, verb, syntax: spec.syntax.replace(spec.verb, verb) };
}
