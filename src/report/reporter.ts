import { CaseResult } from '../run/types';
import { ConsoleReporter } from './console';
import { HtmlReporter } from './html';
import { JsonReporter } from './json';
import { JunitReporter } from './junit';
import { Report } from './model';

/**
 * A reporter: optional async hooks, called in order by `runReporters`. Each reporter renders the
 * same Report; those that write files put them under `ctx.outDir` and record them in `ctx.written`.
 */
export interface RunStart {
  /** host:port of every target, in run order. */
  targets: string[];
  /** Planned results across all targets (cases × data modes). */
  total: number;
  startedAt: string;
}

export interface Reporter {
  onRunStart?(start: RunStart): Promise<void>;
  onCaseResult?(result: CaseResult, target: string): Promise<void>;
  onRunEnd?(report: Report): Promise<void>;
}

export interface ReporterContext {
  /** Directory for file reports (json, junit, html); required by them. */
  outDir?: string;
  out: (s: string) => void;
  colour: boolean;
  /** Files written so far (absolute or as given). */
  written: string[];
}

export type ReporterName = 'console' | 'json' | 'junit' | 'html';

export const REPORTERS: Record<ReporterName, { needsOut: boolean; create: (ctx: ReporterContext) => Reporter }> = {
  console: { needsOut: false, create: (ctx) => new ConsoleReporter(ctx) },
  json: { needsOut: true, create: (ctx) => new JsonReporter(ctx) },
  junit: { needsOut: true, create: (ctx) => new JunitReporter(ctx) },
  html: { needsOut: true, create: (ctx) => new HtmlReporter(ctx) },
};

export const REPORTER_NAMES = Object.keys(REPORTERS) as ReporterName[];

/** `--report a,b` → names; the default is every reporter with `--out`, console alone without. */
export function parseReportNames(values: string[] | undefined, hasOut: boolean): ReporterName[] | string {
  const names = (values ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
  if (names.length === 0) return hasOut ? [...REPORTER_NAMES] : ['console'];
  for (const n of names) if (!(n in REPORTERS)) return `--report "${n}" is not one of ${REPORTER_NAMES.join(', ')}`;
  const needing = names.filter((n) => REPORTERS[n as ReporterName].needsOut);
  if (needing.length && !hasOut) return `--report ${needing.join(',')} needs --out DIR`;
  return [...new Set(names)] as ReporterName[];
}

export function createReporters(names: ReporterName[], ctx: ReporterContext): Reporter[] {
  return names.map((n) => REPORTERS[n].create(ctx));
}

/** Fans one hook out to every reporter, in order. */
export async function emit<K extends keyof Reporter>(reporters: Reporter[], hook: K, ...args: Parameters<NonNullable<Reporter[K]>>): Promise<void> {
  for (const r of reporters) {
    const fn = r[hook] as ((...a: unknown[]) => Promise<void>) | undefined;
    if (fn) await fn.apply(r, args);
  }
}
