import * as path from 'path';
import { Argv } from 'yargs';
import { createTemporaryServer } from '../../reference-server';
import { evaluateGate, ExpectationsError, GateOptions, loadExpectations } from '../report/gate';
import { Report, targetKey } from '../report/model';
import { ProgressReporter, progressWanted } from '../report/progress';
import { createReporters, emit, parseReportNames, Reporter, ReporterContext, ReporterName } from '../report/reporter';
import { readResultsFile, ResultsFileError } from '../report/results-file';
import { evaluateProfile, prepareProfileRun, Profile, profileOption, profileParameters, ProfileUsageError, runOptionsFromProfile } from '../profile';
import { planTasks, runCases, shardCases } from '../run/runner';
import { RunOptions, RunResult } from '../run/types';
import { levelsUpTo } from '../suite/select';
import { Case, DATA_MODES } from '../suite/types';
import { coverageRows } from './coverage';
import { dataModes, defaultIo, EXIT, Io, loadSelected, packageRoot, parseTarget, positiveInt, selectionOptions, UsageError } from './common';

/** Flags shared by run, merge and report: which reports, where, and the CI gate. */
export function reportOptions<T>(y: Argv<T>) {
  return y
    .option('out', { type: 'string', describe: 'directory for the reports (results.json, junit.xml, report.html)' })
    .option('report', { type: 'string', array: true, describe: 'reports: console,json,junit,html (default: all with --out, console without)' })
    .option('expect', { type: 'string', describe: 'expectations file (YAML): known verdicts per case glob and target, each with a reason' })
    .option('baseline', { type: 'string', describe: 'an earlier results.json: list regressions and improvements' })
    .option('fail-on', { type: 'string', describe: 'must (fail/error fail the run; default), should (warn too), regression (only regressions against --baseline); comma list' })
    .option('strict', { type: 'boolean', default: false, describe: 'alias for --fail-on should' })
    .option('allow-xpass', { type: 'boolean', default: false, describe: 'an unexpected pass (a case the expectations file expects to fail) does not fail the run' });
}

/** `ftp-conform run`: flags, then the runner, then the reports and the exit code. */
export function runOptions(y: Argv) {
  return profileOption(reportOptions(selectionOptions(y)))
    .option('target', { type: 'string', array: true, describe: 'host[:port] of the FTP server ([::1]:21 for IPv6); default port 21; repeatable (a matrix); without it, the embedded reference server' })
    .option('user', { type: 'string', describe: 'user name (default: anonymous)' })
    .option('password', { type: 'string', describe: 'password (default for anonymous: an e-mail address)' })
    .option('account', { type: 'string', describe: 'account for ACCT when the server asks (332)' })
    .option('writable', { type: 'boolean', describe: 'the user may create files (default: yes for a named user, no for anonymous)' })
    .option('work-dir', { type: 'string', describe: 'directory to CWD into after login, where test files are created' })
    .option('data-mode', { type: 'string', default: 'all', describe: 'pasv, epsv, port, eprt, a comma list, or all' })
    .option('timeout', { type: 'string', default: 10000, coerce: positiveInt('timeout'), describe: 'step timeout in ms' })
    .option('case-timeout', { type: 'string', default: 60000, coerce: positiveInt('case-timeout'), describe: 'case timeout in ms' })
    .option('concurrency', { type: 'string', default: 1, coerce: positiveInt('concurrency'), describe: 'cases run at once (devices often take one connection)' })
    .option('tls', { choices: ['implicit'] as const, describe: 'implicit: every connection is FTPS from the first byte (a port like 990)' })
    .option('implicit-tls-port', { type: 'string', coerce: positiveInt('implicit-tls-port'), describe: 'port where the target also serves implicit FTPS, for the cases that need it' })
    .option('shard', { type: 'string', coerce: parseShard, describe: 'i/n: run only the i-th of n slices of the cases (by case id), for parallel CI jobs' })
    .check((a) => {
      for (const m of dataModes(String(a['data-mode']))) if (!DATA_MODES.includes(m)) throw new UsageError(`--data-mode "${m}" is not one of pasv, epsv, port, eprt, all`);
      return true;
    });
}

export function parseShard(v: unknown): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(String(v));
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || index < 1 || index > count) throw new UsageError(`--shard "${v}" is not i/n with 1 <= i <= n`);
  return { index, count };
}

/** The gate flags → GateOptions (reading --expect and --baseline); bad values are UsageErrors (exit 2). */
export function gateFromArgv(argv: Record<string, unknown>): GateOptions {
  const values = String(argv['fail-on'] ?? '').split(',').map((v) => v.trim()).filter(Boolean);
  for (const v of values) if (!['must', 'should', 'regression'].includes(v)) throw new UsageError(`--fail-on "${v}" is not one of must, should, regression`);
  const regressionOnly = values.includes('regression');
  if (regressionOnly && !argv.baseline) throw new UsageError('--fail-on regression needs --baseline FILE');
  try {
    return {
      level: values.includes('should') || argv.strict ? 'should' : 'must',
      regressionOnly,
      allowXpass: !!argv['allow-xpass'],
      expectations: argv.expect ? loadExpectations(String(argv.expect)) : undefined,
      baseline: argv.baseline ? readResultsFile(String(argv.baseline)) : undefined,
      requested: values.length > 0 || !!argv.strict || !!argv.expect || !!argv.baseline,
    };
  } catch (e) {
    if (e instanceof ExpectationsError || e instanceof ResultsFileError) throw new UsageError(e.message);
    throw e;
  }
}

/** Reporters and their context from --report/--out; the progress line joins on a terminal outside CI. */
export function reportersFromArgv(argv: Record<string, unknown>, io: Io, progress = false): { reporters: Reporter[]; ctx: ReporterContext; names: ReporterName[] } {
  const names = parseReportNames(argv.report as string[] | undefined, argv.out !== undefined);
  if (typeof names === 'string') throw new UsageError(names);
  const ctx: ReporterContext = { outDir: argv.out as string | undefined, out: io.out, colour: io.colour, written: [] };
  const reporters = createReporters(names, ctx);
  if (progress) reporters.unshift(new ProgressReporter((s) => io.err(s), process.stderr.columns ?? 100));
  return { reporters, ctx, names };
}

const FILE_LABELS: Record<string, string> = { 'results.json': 'results', 'junit.xml': 'junit', 'report.html': 'html' };

/** Judges the runs, renders every report, names the files written; resolves to the exit code. */
export async function publish(runs: RunResult[], gate: GateOptions, out: { reporters: Reporter[]; ctx: ReporterContext; names: ReporterName[] }, io: Io, interrupted = false): Promise<number> {
  const report: Report = { runs, gate: evaluateGate(runs, gate) };
  if (interrupted) report.gate!.interrupted = true;
  if (out.names.includes('html')) report.coverage = safeCoverage();
  await emit(out.reporters, 'onRunEnd', report);
  for (const f of out.ctx.written) io.out(`${FILE_LABELS[path.basename(f)] ?? path.basename(f)}: ${f}\n`);
  const unreachable = runs.filter((r) => r.target.unreachable);
  for (const r of unreachable) io.err(`ftp-conform: target unreachable: ${r.target.unreachable}\n`);
  if (unreachable.length > 0) return EXIT.unreachable;
  if (interrupted) {
    io.err('ftp-conform: interrupted; the reports hold the cases that finished (the others are skip)\n');
    return EXIT.failed;
  }
  return report.gate!.failing ? EXIT.failed : EXIT.ok;
}

function safeCoverage() {
  try {
    return coverageRows().map(({ problems: _p, ...row }) => row);
  } catch {
    return undefined; // no RFC texts here: the HTML report goes without its coverage table
  }
}

/** The RunOptions of one target from the flags (a new flag that changes how a target is run goes here). */
export function targetRunOptions(argv: Record<string, unknown>, target: string): RunOptions {
  const { host, port } = parseTarget(target);
  const user = (argv.user as string | undefined) ?? 'anonymous';
  const anonymous = /^(anonymous|ftp)$/i.test(user);
  return {
    host,
    port,
    user,
    password: (argv.password as string | undefined) ?? (anonymous ? 'ftp-conform@example.com' : ''),
    account: argv.account as string | undefined,
    writable: (argv.writable as boolean | undefined) ?? !anonymous,
    workDir: argv['work-dir'] as string | undefined,
    dataModes: dataModes(String(argv['data-mode'])),
    levels: levelsUpTo(argv.level as 'must'),
    stepTimeoutMs: Number(argv.timeout),
    caseTimeoutMs: Number(argv['case-timeout']),
    connectTimeoutMs: Math.min(Number(argv.timeout), 10000),
    concurrency: Number(argv.concurrency),
    fixturesDir: path.join(packageRoot(), 'fixtures'),
    implicitTls: argv.tls === 'implicit',
    implicitTlsPort: argv['implicit-tls-port'] as number | undefined,
  };
}

/** The cases to run: a device profile's own selection (`--profile`), or the --suite/--case/--level one. */
function selectedCases(argv: Record<string, unknown>): { cases: Case[]; profile?: Profile } {
  if (argv.profile === undefined) return { cases: loadSelected(argv as never).cases };
  try {
    const { profile, cases } = prepareProfileRun(String(argv.profile), { parameters: profileParameters(argv['profile-param'] as string[] | undefined) });
    return { cases, profile };
  } catch (e) {
    if (e instanceof ProfileUsageError) throw new UsageError(e.message);
    throw e;
  }
}

export async function runCommand(argv: Record<string, unknown>, io: Io): Promise<number> {
  const targets = (argv.target as string[] | undefined) ?? [];
  if (targets.length === 0) {
    selectedCases(argv); // a bad selection or profile is a usage error before any server starts
    // No target: test the embedded reference server, on loopback, with a throw-away root.
    // It serves explicit FTPS and, on a second port, implicit FTPS, so the RFC 4217 cases run too.
    const server = await createTemporaryServer({ tls: true, implicitTlsPort: 0 });
    io.err(`ftp-conform: no --target given; testing the embedded reference server at ${server.host}:${server.port}\n`);
    try {
      return await runCommand(
        { ...argv, target: [`${server.host}:${server.port}`], user: argv.user ?? server.user, password: argv.password ?? server.password, 'implicit-tls-port': argv['implicit-tls-port'] ?? server.implicitTlsPort },
        io,
      );
    } finally {
      await server.close();
    }
  }
  let { cases, profile } = selectedCases(argv);
  const shard = argv.shard as { index: number; count: number } | undefined;
  if (shard) cases = shardCases(cases, shard.index, shard.count);
  // A profile brings its data modes (narrowed, never widened, by an explicit --data-mode) and runs one case at a time.
  const explicitModes = String(argv['data-mode'] ?? 'all') === 'all' ? undefined : dataModes(String(argv['data-mode']));
  const optsList = targets.map((t) => (profile ? runOptionsFromProfile(profile, targetRunOptions(argv, t), explicitModes) : targetRunOptions(argv, t)));
  const gate = gateFromArgv(argv);
  const out = reportersFromArgv(argv, io, io === defaultIo && progressWanted(process.stderr.isTTY));

  const abort = new AbortController();
  const onSigint = () => abort.abort();
  process.once('SIGINT', onSigint);
  const runs: RunResult[] = [];
  try {
    const total = optsList.reduce((n, o) => n + planTasks(cases, o.dataModes).length, 0);
    await emit(out.reporters, 'onRunStart', { targets: optsList.map((o) => targetKey(o)), total, startedAt: new Date().toISOString() });
    for (const opts of optsList) {
      let queue = Promise.resolve();
      const key = targetKey(opts);
      const result = await runCases(cases, {
        ...opts,
        signal: abort.signal,
        onCaseResult: (r) => void (queue = queue.then(() => emit(out.reporters, 'onCaseResult', r, key))),
      });
      await queue;
      if (profile) result.profile = evaluateProfile(profile, result.cases);
      runs.push(result);
    }
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
  return publish(runs, gate, out, io, abort.signal.aborted);
}
