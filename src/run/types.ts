import { DataMode, Level } from '../suite/types';
import { Deviation } from '../wire/deviations';
import { TranscriptEntry } from '../wire/transcript';

export type Verdict = 'pass' | 'warn' | 'fail' | 'unsupported' | 'skip' | 'error';
export const VERDICTS: Verdict[] = ['pass', 'warn', 'fail', 'unsupported', 'skip', 'error'];

/** Which verdict wins when a case earns several: the one that asks most of a reader's attention. */
export const VERDICT_RANK: Record<Verdict, number> = { pass: 0, skip: 1, unsupported: 2, warn: 3, fail: 4, error: 5 };

export interface CaseResult {
  id: string;
  suite: string;
  title: string;
  level: Level;
  section: string;
  ref: string;
  requirement: string;
  /** The data mode of this run of the case, for cases that move data. */
  mode?: DataMode;
  verdict: Verdict;
  reason: string;
  expected: string;
  actual: string;
  durationMs: number;
  /** "file:line" of the case in its suite. */
  source: string;
  deviations: Deviation[];
  /** Deviations seen beyond the per-connection cap (a flooding server), counted but not kept. */
  deviationsDropped?: number;
  transcript: TranscriptEntry[];
}

export type Summary = Record<Verdict, number>;

export interface TargetInfo {
  host: string;
  port: number;
  user: string;
  /** The greeting and FEAT reply of the preflight connection. */
  greeting?: string;
  features?: string[];
  /** Set when no TCP connection to the target could be made. */
  unreachable?: string;
  /** Set when the target took the connection but never greeted: no case could get further. */
  silent?: string;
}

/** One documented behaviour of a device profile (a row of the vendor's table) and how the target did. */
export interface ProfileRowResult {
  /** Stable row id within the profile, e.g. "pwd-257-text". */
  row: string;
  /** What the vendor documents, in its words (e.g. `PWD → 257 "/" is current directory`). */
  documented: string;
  status: 'conforms' | 'deviates' | 'not-run';
  /** The case results (ids, with mode) that decided the row. */
  cases: string[];
  reason?: string;
}

export interface ProfileResult {
  name: string;
  title: string;
  source: string;
  rows: ProfileRowResult[];
}

export interface RunResult {
  tool: 'ftp-conform';
  version: string;
  target: TargetInfo;
  startedAt: string;
  durationMs: number;
  options: { dataModes: DataMode[]; levels: Level[]; stepTimeoutMs: number; caseTimeoutMs: number; concurrency: number };
  summary: Summary;
  cases: CaseResult[];
  /** Present for `run --profile NAME`: the device's documented rows, conforms / deviates. */
  profile?: ProfileResult;
}

export interface RunOptions {
  host: string;
  port: number;
  user: string;
  password: string;
  account?: string;
  /** Whether cases may create files; a directory to work in, when not the login directory. */
  writable: boolean;
  workDir?: string;
  dataModes: DataMode[];
  levels: Level[];
  stepTimeoutMs: number;
  caseTimeoutMs: number;
  connectTimeoutMs: number;
  concurrency: number;
  fixturesDir: string;
  /** Implicit FTPS on the target's port for every connection (`--tls implicit`). */
  implicitTls?: boolean;
  /** Port where the target serves implicit FTPS, for cases that need it (`given.tls: implicit`). */
  implicitTlsPort?: number;
  /** Called as each case finishes (reporters, progress); the runner itself never prints. */
  onCaseResult?: (result: CaseResult) => void;
  /** Stops starting new cases when it aborts; finished results are kept. */
  signal?: AbortSignal;
}

export function emptySummary(): Summary {
  return { pass: 0, warn: 0, fail: 0, unsupported: 0, skip: 0, error: 0 };
}
