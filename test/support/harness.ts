/** Shared bits for tests that drive the harness (runCases or the CLI) against a fake server. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Io } from '../../src/cli';
import { RunOptions, RunResult } from '../../src/run/types';
import { loadSuites } from '../../src/suite/loader';
import { Case } from '../../src/suite/types';

export const ROOT = path.resolve(__dirname, '..', '..');
export const FIXTURE_SUITES = path.join(ROOT, 'test', 'fixtures', 'suites');

/** The content of `hello.txt` that the fixture suites download (12 bytes). */
export const HELLO = 'hello world\n';

export function fixtureSuite(name: string): string {
  return path.join(FIXTURE_SUITES, name);
}

/** The cases of one fixture suite file, optionally only the given ids. */
export function fixtureCases(name: string, ids?: string[]): Case[] {
  const cases = loadSuites([fixtureSuite(name)], ROOT).flatMap((s) => s.cases);
  if (!ids) return cases;
  const picked = ids.map((id) => cases.find((c) => c.id === id));
  if (picked.some((c) => !c)) throw new Error(`no such case in ${name}: ${ids.join(', ')}`);
  return picked as Case[];
}

export function runOptions(port: number, over: Partial<RunOptions> = {}): RunOptions {
  return {
    host: '127.0.0.1',
    port,
    user: 'tester',
    password: 'secret',
    writable: false,
    dataModes: ['pasv'],
    levels: ['MUST', 'SHOULD', 'MAY'],
    stepTimeoutMs: 800,
    caseTimeoutMs: 4000,
    connectTimeoutMs: 800,
    concurrency: 1,
    fixturesDir: path.join(ROOT, 'fixtures'),
    ...over,
  };
}

export interface CapturedIo extends Io {
  stdout(): string;
  stderr(): string;
  /** stderr split into its non-empty lines. */
  errLines(): string[];
}

export function captureIo(): CapturedIo {
  let out = '';
  let err = '';
  return {
    out: (s) => void (out += s),
    err: (s) => void (err += s),
    colour: false,
    stdout: () => out,
    stderr: () => err,
    errLines: () => err.split('\n').filter((l) => l.length > 0),
  };
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `ftpc-${prefix}-`));
}

export function readResults(dir: string): RunResult {
  return JSON.parse(fs.readFileSync(path.join(dir, 'results.json'), 'utf8')) as RunResult;
}
