import { randomBytes } from 'crypto';
import { Case, DATA_MODES, DataMode } from '../suite/types';
import { WireError } from '../wire/control';
import { Transcript } from '../wire/transcript';
import { runCase } from './case-runner';
import { describeReply } from './match';
import { login, openControl, parseFeatures, readGreeting } from './session';
import { CaseResult, emptySummary, RunOptions, RunResult, TargetInfo } from './types';
import { VERSION } from '../version';

interface Task {
  kase: Case;
  mode: DataMode;
  variant: boolean;
  skipReason?: string;
}

function movesData(c: Case): boolean {
  return [...c.steps, ...c.cleanup].some((s) => 'transfer' in s || 'data' in s);
}

/** One task per case, or per data mode for cases that move data (the transfer matrix). */
export function planTasks(cases: Case[], modes: DataMode[]): Task[] {
  return cases.flatMap((kase): Task[] => {
    if (!movesData(kase)) return [{ kase, mode: modes[0] ?? 'pasv', variant: false }];
    const allowed = (kase.dataModes ?? DATA_MODES).filter((m) => modes.includes(m));
    if (allowed.length === 0) {
      return [{ kase, mode: kase.dataModes?.[0] ?? 'pasv', variant: false, skipReason: `runs only in ${kase.dataModes?.join('/')} (not selected by --data-mode)` }];
    }
    return allowed.map((mode) => ({ kase, mode, variant: true }));
  });
}

/**
 * `--shard i/n`: the i-th (1-based) of n disjoint slices of the cases, by sorted case id (every
 * data mode of a case stays in its shard), so CI jobs given the same selection split it the same way.
 */
export function shardCases(cases: Case[], index: number, count: number): Case[] {
  const ids = [...new Set(cases.map((c) => c.id))].sort();
  const mine = new Set(ids.filter((_, i) => i % count === index - 1));
  return cases.filter((c) => mine.has(c.id));
}

/** Connects once before the cases: is the target there, what does it greet with, what does FEAT say. */
async function preflight(opts: RunOptions): Promise<TargetInfo> {
  const info: TargetInfo = { host: opts.host, port: opts.port, user: opts.user };
  const transcript = new Transcript();
  let ctrl;
  try {
    ctrl = await openControl(opts, transcript, 'preflight');
  } catch (e) {
    info.unreachable = (e as Error).message;
    return info;
  }
  try {
    const greeting = await readGreeting(ctrl, opts);
    info.greeting = describeReply(greeting);
    if (greeting.code !== 220) return info;
    await login(ctrl, opts).catch(() => undefined);
    ctrl.send('FEAT');
    const feat = await ctrl.nextReply(opts.stepTimeoutMs);
    info.features = feat.code === 211 ? parseFeatures(feat) : undefined;
    ctrl.send('QUIT');
    await ctrl.nextReply(opts.stepTimeoutMs).catch(() => undefined);
    await ctrl.waitClosed(Math.min(2000, opts.stepTimeoutMs));
  } catch (e) {
    if (e instanceof WireError && info.greeting === undefined) info.silent = `${opts.host}:${opts.port} accepted the connection but sent no greeting: ${e.message}`;
  } finally {
    ctrl.destroy();
  }
  return info;
}

function errorResult(t: Task, reason: string, verdict: 'error' | 'skip'): CaseResult {
  const k = t.kase;
  return {
    id: k.id, suite: k.suite, title: k.title, level: k.level, section: k.section, ref: k.ref, requirement: k.requirement,
    ...(t.variant ? { mode: t.mode } : {}),
    verdict, reason, expected: '', actual: '', durationMs: 0, source: `${k.source.file}:${k.source.line}`, deviations: [], transcript: [],
  };
}

/**
 * Runs the selected cases against one target and returns every result. It never prints and never
 * exits: what to show and which exit code to use is the caller's business.
 */
export async function runCases(cases: Case[], opts: RunOptions): Promise<RunResult> {
  const started = Date.now();
  const startedAt = new Date(started).toISOString();
  // An interrupted multi-target run does not dial the targets it has not reached.
  const target: TargetInfo = opts.signal?.aborted ? { host: opts.host, port: opts.port, user: opts.user } : await preflight(opts);
  const tasks = planTasks(cases, opts.dataModes);
  const prefix = `ftpc-${randomBytes(4).toString('hex')}`;
  const results: CaseResult[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      const t = tasks[i];
      let r: CaseResult;
      if (t.skipReason) r = errorResult(t, t.skipReason, 'skip');
      else if (target.unreachable) r = errorResult(t, `target unreachable: ${target.unreachable}`, 'error');
      else if (target.silent) r = errorResult(t, target.silent, 'error');
      else if (opts.signal?.aborted) r = errorResult(t, 'run interrupted before this case started', 'skip');
      else {
        const uniquePrefix = `${prefix}-${String(i).padStart(3, '0')}${t.variant ? '-' + t.mode : ''}`;
        r = await runCase({ kase: t.kase, mode: t.mode, variant: t.variant, opts, features: target.features, uniquePrefix });
      }
      results[i] = r;
      opts.onCaseResult?.(r);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.concurrency, tasks.length)) }, worker));
  const summary = emptySummary();
  for (const r of results) summary[r.verdict]++;
  return {
    tool: 'ftp-conform',
    version: VERSION,
    target,
    startedAt,
    durationMs: Date.now() - started,
    options: { dataModes: opts.dataModes, levels: opts.levels, stepTimeoutMs: opts.stepTimeoutMs, caseTimeoutMs: opts.caseTimeoutMs, concurrency: opts.concurrency },
    summary,
    cases: results,
  };
}
