import * as fs from 'fs';
import * as path from 'path';
import { Argv } from 'yargs';
import { listSuiteFiles, loadSuites } from '../suite/loader';
import { levelsUpTo, selectCases } from '../suite/select';
import { Case, DataMode, DATA_MODES, Suite } from '../suite/types';

/** What every command shares: exit codes, output streams, usage errors, suite selection. */
export const EXIT = { ok: 0, failed: 1, usage: 2, unreachable: 3 } as const;

export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
  colour: boolean;
}

export const defaultIo: Io = {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
  colour: !!process.stdout.isTTY && !process.env.NO_COLOR,
};

export class UsageError extends Error {}

/** The checkout (or installed package) root: where suites/ and fixtures/ live. */
export function packageRoot(): string {
  let dir = __dirname;
  for (let i = 0; i < 5; i++) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && JSON.parse(fs.readFileSync(pkg, 'utf8')).name === 'ftp-conform') return dir;
    dir = path.dirname(dir);
  }
  return process.cwd();
}

export function parseTarget(value: string): { host: string; port: number } {
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(value) ?? /^([^:]+)(?::(\d+))?$/.exec(value);
  if (!m) throw new UsageError(`--target "${value}" is not host[:port] (IPv6 as [::1]:21)`);
  const port = m[2] === undefined ? 21 : Number(m[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`--target "${value}": port must be 1-65535`);
  return { host: m[1], port };
}

export function loadSelected(argv: { suite?: string[]; case?: string[]; level?: string }): { suites: Suite[]; cases: Case[] } {
  const root = packageRoot();
  const patterns = argv.suite ?? [];
  // A --suite value that names a file is loaded as it is; the others select among the bundled suites.
  const files = patterns.filter((p) => fs.existsSync(p) && fs.statSync(p).isFile()).map((p) => path.resolve(p));
  const globs = patterns.filter((p) => !files.includes(path.resolve(p)));
  const bundled = files.length > 0 && globs.length === 0 ? [] : listSuiteFiles(path.join(root, 'suites'));
  const suites = loadSuites([...bundled, ...files], process.cwd());
  const fromFile = (su: Suite) => files.includes(path.resolve(su.file));
  const sel = { cases: argv.case ?? [], levels: levelsUpTo((argv.level ?? 'may') as 'must' | 'should' | 'may') };
  const selected = [
    ...selectCases(suites.filter((su) => !fromFile(su)), { ...sel, suites: globs }),
    ...selectCases(suites.filter(fromFile), { ...sel, suites: [] }),
  ];
  if (selected.length === 0) throw new UsageError('no case matches the given --suite/--case/--level');
  return { suites, cases: selected };
}

export function dataModes(value: string): DataMode[] {
  return value === 'all' ? [...DATA_MODES] : (value.split(',') as DataMode[]);
}

export function selectionOptions(y: Argv) {
  return y
    .option('suite', { type: 'string', array: true, describe: 'suite id or file glob (e.g. "rfc959/**"), or a suite file path; repeatable' })
    .option('case', { type: 'string', array: true, describe: 'case id glob (e.g. "rfc959/5.4/*"); repeatable' })
    .option('level', { choices: ['must', 'should', 'may'] as const, default: 'may', describe: 'run MUST cases only, MUST+SHOULD, or all' });
}

export function positiveInt(name: string) {
  return (v: unknown) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} must be a positive integer, got "${v}"`);
    return n;
  };
}

