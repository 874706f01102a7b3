/**
 * A personality makes the reference server behave like a documented device: data only, applied by
 * `apply.ts` to the one command table and the one reply catalogue. Nothing is forked.
 */
import type { ReplyKey } from '../replies';

/**
 * One override of a catalogue reply. Without `code`/`text`/`replace` the reply is left as it is
 * (useful to stop at a narrower rule). Text templates: `{0}`, `{1}` … the catalogue entry's
 * arguments; `{user}` the login name; `{argument}` the argument of the command being answered.
 */
export interface ReplyOverride {
  readonly code?: number;
  readonly text?: string;
  /** A regular expression over the catalogue text and its replacement (`$1` …), e.g. drop parentheses. */
  readonly replace?: readonly [string, string];
  /** Send nothing at all (e.g. no 1yz before a transfer). */
  readonly omit?: true;
  /** Only when answering one of these commands. */
  readonly verbs?: readonly string[];
  /** Only when the command's argument matches this regular expression (case-insensitive). */
  readonly argument?: string;
}

/** What a verb does instead of its handler: `accept` answers the `commandOkay` reply and does nothing. */
export type Behaviour = 'accept';

export interface Personality {
  readonly name: string;
  readonly title: string;
  /** Where the documented behaviour comes from. */
  readonly source: string;
  /** The verbs kept from the command table (X-variants included); any other verb is unknown. Default: all. */
  readonly commands?: readonly string[];
  /**
   * Parameters a verb accepts (TYPE, STRU, MODE), upper case with single spaces: a well-formed
   * parameter outside the list gets `parameterNotImplemented` (504); a malformed one still gets the
   * handler's 501.
   */
  readonly parameters?: Readonly<Record<string, readonly string[]>>;
  readonly behaviours?: Readonly<Record<string, Behaviour>>;
  /** Overrides by catalogue key; with a list, the first rule whose conditions hold applies. */
  readonly replies?: Partial<Record<ReplyKey, ReplyOverride | readonly ReplyOverride[]>>;
  /** Sessions at once; the next connection gets `tooManySessions` (421) and is closed. */
  readonly maxSessions?: number;
}
