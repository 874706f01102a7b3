import * as fs from 'fs';
import { CaseResult, emptySummary, RunResult } from '../run/types';
import { DATA_MODES } from '../suite/types';
import { VERSION } from '../version';
import { targetKey } from './model';

/**
 * results.json: a single-target run is one RunResult (unchanged since 0.1); a run against several
 * targets is a MultiResults holding one RunResult per target, in --target order.
 */
export interface MultiResults {
  tool: 'ftp-conform';
  version: string;
  format: 'multi-target';
  startedAt: string;
  durationMs: number;
  runs: RunResult[];
}

export type ResultsFile = RunResult | MultiResults;

export function toResultsFile(runs: RunResult[]): ResultsFile {
  if (runs.length === 1) return runs[0];
  const start = Math.min(...runs.map((r) => Date.parse(r.startedAt)));
  const end = Math.max(...runs.map((r) => Date.parse(r.startedAt) + r.durationMs));
  return { tool: 'ftp-conform', version: VERSION, format: 'multi-target', startedAt: new Date(start).toISOString(), durationMs: end - start, runs };
}

export function runsOf(file: ResultsFile): RunResult[] {
  return 'runs' in file ? file.runs : [file];
}

export class ResultsFileError extends Error {}

/** Reads a results.json (either shape) as its runs; a file that is neither is a ResultsFileError. */
export function readResultsFile(file: string): RunResult[] {
  let data: unknown;
  try {
    data = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ResultsFileError(`${file}: cannot read results: ${(e as Error).message}`);
  }
  const d = data as Partial<MultiResults & RunResult>;
  if (d?.tool !== 'ftp-conform' || !(Array.isArray(d.runs) || (Array.isArray(d.cases) && d.target))) {
    throw new ResultsFileError(`${file}: not an ftp-conform results.json (no "tool": "ftp-conform" with "cases" or "runs")`);
  }
  return runsOf(d as ResultsFile);
}

const MODE_ORDER = new Map(DATA_MODES.map((m, i) => [m as string, i]));

function byCase(a: CaseResult, b: CaseResult): number {
  if (a.id !== b.id) return a.id < b.id ? -1 : 1;
  return (MODE_ORDER.get(a.mode ?? '') ?? -1) - (MODE_ORDER.get(b.mode ?? '') ?? -1);
}

/**
 * Joins runs of the same targets (e.g. the shards of one CI run): one RunResult per host:port,
 * cases ordered by id then data mode, summaries recounted. A case present in several inputs keeps
 * the last one given (a re-run shard overrides).
 */
export function mergeRuns(inputs: RunResult[][]): RunResult[] {
  const byTarget = new Map<string, RunResult[]>();
  for (const runs of inputs) for (const r of runs) byTarget.set(targetKey(r.target), [...(byTarget.get(targetKey(r.target)) ?? []), r]);
  return [...byTarget.values()].map((parts) => {
    const cases = new Map<string, CaseResult>();
    for (const p of parts) for (const c of p.cases) cases.set(`${c.id} ${c.mode ?? ''}`, c);
    const sorted = [...cases.values()].sort(byCase);
    const summary = emptySummary();
    for (const c of sorted) summary[c.verdict]++;
    const start = Math.min(...parts.map((p) => Date.parse(p.startedAt)));
    const end = Math.max(...parts.map((p) => Date.parse(p.startedAt) + p.durationMs));
    const first = parts[0];
    const target = { ...first.target };
    const unreachable = parts.find((p) => p.target.unreachable)?.target.unreachable;
    if (unreachable) target.unreachable = unreachable;
    return {
      ...first,
      target,
      startedAt: new Date(start).toISOString(),
      durationMs: end - start,
      summary,
      cases: sorted,
      ...(parts.find((p) => p.profile) ? { profile: parts.find((p) => p.profile)!.profile } : {}),
    };
  });
}
