import { Case, DataMode } from '../suite/types';
import { Deviation } from '../wire/deviations';
import { WireError } from '../wire/control';
import { Transcript } from '../wire/transcript';
import { addConnection, CaseContext, Grader, StopCase } from './context';
import { greetAndLogin, openControl, openSession, SetupError } from './session';
import { runStep } from './steps';
import { CaseResult, RunOptions, Verdict } from './types';

export interface CaseRunInput {
  kase: Case;
  mode: DataMode;
  /** Whether the case runs once per data mode (then `mode` is part of its result). */
  variant: boolean;
  opts: RunOptions;
  features: string[] | undefined;
  uniquePrefix: string;
}

function baseResult(input: CaseRunInput, started: number): Omit<CaseResult, 'verdict' | 'reason' | 'expected' | 'actual' | 'transcript' | 'deviations'> {
  const k = input.kase;
  return {
    id: k.id,
    suite: k.suite,
    title: k.title,
    level: k.level,
    section: k.section,
    ref: k.ref,
    requirement: k.requirement,
    ...(input.variant ? { mode: input.mode } : {}),
    durationMs: Date.now() - started,
    source: `${k.source.file}:${k.source.line}`,
  };
}

/** A precondition the target or the configuration does not meet, or undefined when all hold. */
function unmet(input: CaseRunInput): { verdict: Verdict; reason: string } | undefined {
  const { kase, opts } = input;
  if (kase.given.writable && !opts.writable) return { verdict: 'skip', reason: 'needs a writable area (run with a user that may write, or --writable)' };
  const anonymous = /^(anonymous|ftp)$/i.test(opts.user);
  if (kase.given.user === 'named' && anonymous) return { verdict: 'skip', reason: 'needs a named user (--user)' };
  if (kase.given.user === 'anonymous' && !anonymous) return { verdict: 'skip', reason: 'needs the anonymous login' };
  if (kase.given.tls === 'implicit' && !opts.implicitTls && opts.implicitTlsPort === undefined) {
    return { verdict: 'skip', reason: 'needs implicit FTPS (--implicit-tls-port N, or --tls implicit)' };
  }
  return undefined;
}

/**
 * FEAT tokens a case needs that the target did not advertise. Such a case still runs: a target may
 * implement an extension without listing it. Only if it then refuses the command is the case
 * `unsupported` (RFC 2389: FEAT lists what is supported, but says nothing of what is not).
 */
function missingFeatures(needed: string[], advertised: string[] | undefined): string[] {
  // A need matches a FEAT line that is it, or that begins with it and then a space or ';'
  // ("REST" and "REST STREAM" both match "REST STREAM"; "MLST" matches "MLST type*;size*;").
  const have = (advertised ?? []).map((f) => f.toUpperCase());
  return needed.filter((f) => {
    const need = f.toUpperCase();
    return !have.some((line) => line === need || line.startsWith(need + ' ') || line.startsWith(need + ';'));
  });
}

function withTimeout<T>(p: Promise<T>, ms: number, onTimeout: () => void): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => {
        onTimeout();
        reject(new WireError('timeout', `case did not finish within ${ms} ms`));
      }, ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Folds the wire deviations of every connection into the verdict: they are RFC violations too. */
function gradeDeviations(grader: Grader, deviations: Deviation[]): void {
  for (const d of deviations) {
    if (d.severity === 'info') continue;
    grader.add({ verdict: d.severity, reason: `wire: ${d.message} (${d.ref})`, expected: d.requirement, actual: d.raw ?? d.message });
  }
}

async function removeCreated(ctx: CaseContext): Promise<void> {
  if (ctx.createdPaths.length === 0 && ctx.kase.cleanup.length === 0) return;
  ctx.transcript.note('cleanup (does not affect the verdict)');
  const cleanupCtx: CaseContext = { ...ctx, grader: new Grader(), connections: new Map(), opened: [], prepared: new Map() };
  try {
    const c = await openSession(ctx.opts, ctx.transcript, 'cleanup', true);
    addConnection(cleanupCtx, 'main', c);
    for (const step of ctx.kase.cleanup) await runStep(cleanupCtx, step).catch(() => undefined);
    for (const p of [...ctx.createdPaths].reverse()) {
      c.send(`DELE ${p}`);
      const r = await c.nextReply(ctx.opts.stepTimeoutMs);
      if (r.code >= 300) {
        c.send(`RMD ${p}`);
        await c.nextReply(ctx.opts.stepTimeoutMs);
      }
    }
    c.send('QUIT');
    await c.nextReply(ctx.opts.stepTimeoutMs).catch(() => undefined);
    c.destroy();
  } catch (e) {
    ctx.transcript.note(`cleanup stopped: ${(e as Error).message}`);
  } finally {
    for (const c of cleanupCtx.opened) c.destroy();
  }
}

const GOODBYE_MS = 2000;

async function execute(ctx: CaseContext): Promise<void> {
  const { kase, opts, transcript } = ctx;
  const main = await openControl(opts, transcript, 'main');
  addConnection(ctx, 'main', main);
  // The connection is kept before the greeting is read, so its deviations count even when setup fails.
  if (kase.given.greeting === 'auto') await greetAndLogin(main, opts, kase.given.login);
  for (const step of kase.steps) await runStep(ctx, step);
  // End politely and wait for the close: a device that takes one session at a time must be free
  // again before the next case connects.
  for (const c of ctx.connections.values()) {
    if (c.closed) continue;
    c.send('QUIT');
    await c.nextReply(Math.min(GOODBYE_MS, opts.stepTimeoutMs)).catch(() => undefined);
    await c.waitClosed(Math.min(GOODBYE_MS, opts.stepTimeoutMs));
  }
}

/** Runs one case (in one data mode) on fresh connections; never throws, always returns a result. */
export async function runCase(input: CaseRunInput): Promise<CaseResult> {
  const started = Date.now();
  const transcript = new Transcript(started);
  const pre = unmet(input);
  if (pre) {
    return { ...baseResult(input, started), ...pre, expected: '', actual: '', deviations: [], transcript: transcript.finish() };
  }
  const grader = new Grader();
  const ctx: CaseContext = {
    kase: input.kase,
    mode: input.mode,
    // A case that needs implicit FTPS talks to the implicit port, over TLS from the first byte.
    opts: input.kase.given.tls === 'implicit' && !input.opts.implicitTls ? { ...input.opts, port: input.opts.implicitTlsPort!, implicitTls: true } : input.opts,
    transcript,
    grader,
    connections: new Map(),
    opened: [],
    prepared: new Map(),
    vars: new Map(),
    contents: new Map(),
    createdPaths: [],
    uniquePrefix: input.uniquePrefix,
    featuresNotAdvertised: missingFeatures(input.kase.given.feat, input.features),
  };
  const destroyAll = () => {
    for (const ch of ctx.prepared.values()) ch.close();
    for (const c of ctx.opened) c.destroy();
  };
  try {
    await withTimeout(execute(ctx), input.opts.caseTimeoutMs, destroyAll);
  } catch (e) {
    if (!(e instanceof StopCase)) {
      const msg = (e as Error).message;
      const kind = e instanceof SetupError ? 'setup' : e instanceof WireError ? e.kind : 'harness';
      grader.add({ verdict: 'error', reason: kind === 'harness' ? `harness: ${msg}` : msg, expected: '', actual: '' });
    }
  } finally {
    destroyAll();
  }
  const deviations = ctx.opened.flatMap((c) => c.deviations);
  const dropped = ctx.opened.reduce((n, c) => n + c.deviationsDropped, 0);
  if (dropped > 0) transcript.footnote(`${dropped} further wire deviations were seen and not kept`);
  gradeDeviations(grader, deviations);
  await withTimeout(removeCreated(ctx), input.opts.caseTimeoutMs, () => undefined).catch(() => undefined);
  const j = grader.result;
  return {
    ...baseResult(input, started),
    verdict: j.verdict,
    reason: j.reason,
    expected: j.expected,
    actual: j.actual,
    deviations,
    ...(dropped > 0 ? { deviationsDropped: dropped } : {}),
    transcript: transcript.finish(),
  };
}
