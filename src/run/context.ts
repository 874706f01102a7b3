import { Case, DataMode, Level } from '../suite/types';
import { ControlConnection } from '../wire/control';
import { DataChannel } from '../wire/data';
import { ContentDigest } from '../wire/payload';
import { Transcript } from '../wire/transcript';
import { RunOptions, Verdict, VERDICT_RANK } from './types';

/** A step's way of ending the case early. */
export class StopCase extends Error {
  constructor(readonly verdict: Verdict) {
    super(verdict);
  }
}

export interface Judgement {
  verdict: Verdict;
  reason: string;
  expected: string;
  actual: string;
}

/** Keeps the worst verdict a case has earned, and the first reason given for it. */
export class Grader {
  private worst: Judgement = { verdict: 'pass', reason: '', expected: '', actual: '' };

  add(j: Judgement): void {
    if (VERDICT_RANK[j.verdict] > VERDICT_RANK[this.worst.verdict]) this.worst = j;
  }

  /** Grades a missed expectation by level: MUST fails and stops the case, SHOULD/MAY warn. */
  miss(level: Level, reason: string, expected: string, actual: string): void {
    const verdict = level === 'MUST' ? 'fail' : 'warn';
    this.add({ verdict, reason, expected, actual });
    if (verdict === 'fail') throw new StopCase('fail');
  }

  stop(j: Judgement): never {
    this.add(j);
    throw new StopCase(j.verdict);
  }

  get result(): Judgement {
    return this.worst;
  }
}

export interface CaseContext {
  kase: Case;
  mode: DataMode;
  opts: RunOptions;
  transcript: Transcript;
  grader: Grader;
  connections: Map<string, ControlConnection>;
  /** Every control connection the case opened, closed ones included: their deviations all count. */
  opened: ControlConnection[];
  /** Data channels set up by a `data` step, waiting for the transfer that uses them. */
  prepared: Map<string, DataChannel>;
  vars: Map<string, string>;
  contents: Map<string, ContentDigest>;
  /** Paths on the target that carry the run prefix, in the order they were first named. */
  createdPaths: string[];
  uniquePrefix: string;
  /** FEAT tokens the case needs and the target did not advertise: a refusal then means `unsupported`. */
  featuresNotAdvertised: string[];
}

/**
 * Replaces `{name}` and `{unique:x}`; `{{`/`}}` are literal braces. An unknown name is an error of
 * the suite, reported as such rather than sent to the server as literal text.
 */
export function substitute(ctx: CaseContext, text: string, encode: (value: string) => string = (v) => v): string {
  return text.replace(/\{\{|\}\}|\{([a-zA-Z][a-zA-Z0-9_]*)(?::([^}]*))?\}/g, (whole, name: string | undefined, arg: string | undefined) => {
    if (whole === '{{') return encode('{');
    if (whole === '}}') return encode('}');
    return encode(variable(ctx, name!, arg));
  });
}

function variable(ctx: CaseContext, name: string, arg: string | undefined): string {
  if (name === 'unique') return `${ctx.uniquePrefix}-${arg ?? 'f'}`;
  if (name === 'user') return ctx.opts.user;
  if (name === 'password') return ctx.opts.password;
  if (name === 'host') return ctx.opts.host;
  if (name === 'account') {
    if (ctx.opts.account === undefined) ctx.grader.stop({ verdict: 'skip', reason: 'needs an account (--account)', expected: '', actual: '' });
    return ctx.opts.account!;
  }
  const v = ctx.vars.get(name);
  if (v === undefined) throw new Error(`variable {${name}} is not defined at this step`);
  return v;
}

/** Remembers the argument of a command when it names something this run created, for cleanup. */
export function noteCreatedPath(ctx: CaseContext, line: string): void {
  const space = line.indexOf(' ');
  if (space < 0) return;
  const arg = line.slice(space + 1);
  if (arg.includes(ctx.uniquePrefix) && !ctx.createdPaths.includes(arg)) ctx.createdPaths.push(arg);
}

export function addConnection(ctx: CaseContext, name: string, c: ControlConnection): void {
  ctx.connections.set(name, c);
  ctx.opened.push(c);
}
