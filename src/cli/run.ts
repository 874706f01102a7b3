import * as path from 'path';
import { Argv } from 'yargs';
import { createTemporaryServer } from '../../reference-server';
import { renderConsole } from '../report/console';
import { writeResultsJson } from '../report/json';
import { runCases } from '../run/runner';
import { RunOptions, RunResult } from '../run/types';
import { levelsUpTo } from '../suite/select';
import { DATA_MODES } from '../suite/types';
import { dataModes, EXIT, Io, loadSelected, packageRoot, parseTarget, positiveInt, selectionOptions, UsageError } from './common';

/** `ftp-conform run`: flags, then the runner, then the reports and the exit code. */
export function runOptions(y: Argv) {
  return selectionOptions(y)
    .option('target', { type: 'string', describe: 'host[:port] of the FTP server ([::1]:21 for IPv6); default port 21; without it, the embedded reference server' })
    .option('user', { type: 'string', describe: 'user name (default: anonymous)' })
    .option('password', { type: 'string', describe: 'password (default for anonymous: an e-mail address)' })
    .option('account', { type: 'string', describe: 'account for ACCT when the server asks (332)' })
    .option('writable', { type: 'boolean', describe: 'the user may create files (default: yes for a named user, no for anonymous)' })
    .option('work-dir', { type: 'string', describe: 'directory to CWD into after login, where test files are created' })
    .option('data-mode', { type: 'string', default: 'all', describe: 'pasv, epsv, port, eprt, a comma list, or all' })
    .option('timeout', { type: 'string', default: 10000, coerce: positiveInt('timeout'), describe: 'step timeout in ms' })
    .option('case-timeout', { type: 'string', default: 60000, coerce: positiveInt('case-timeout'), describe: 'case timeout in ms' })
    .option('concurrency', { type: 'string', default: 1, coerce: positiveInt('concurrency'), describe: 'cases run at once (devices often take one connection)' })
    .option('out', { type: 'string', describe: 'directory for results.json' })
    .check((a) => {
      for (const m of dataModes(String(a['data-mode']))) if (!DATA_MODES.includes(m)) throw new UsageError(`--data-mode "${m}" is not one of pasv, epsv, port, eprt, all`);
      return true;
    });
}

export async function runCommand(argv: Record<string, unknown>, io: Io): Promise<number> {
  const { cases } = loadSelected(argv as never);
  if (argv.target === undefined) {
    // No target: test the embedded reference server, on loopback, with a throw-away root.
    const server = await createTemporaryServer();
    io.err(`ftp-conform: no --target given; testing the embedded reference server at ${server.host}:${server.port}\n`);
    try {
      return await runCommand({ ...argv, target: `${server.host}:${server.port}`, user: argv.user ?? server.user, password: argv.password ?? server.password }, io);
    } finally {
      await server.close();
    }
  }
  const { host, port } = parseTarget(String(argv.target));
  const user = (argv.user as string | undefined) ?? 'anonymous';
  const anonymous = /^(anonymous|ftp)$/i.test(user);
  const opts: RunOptions = {
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
  };
  const result = await runCases(cases, opts);
  return finishRun(result, argv, io);
}

function finishRun(result: RunResult, argv: Record<string, unknown>, io: Io): number {
  io.out(renderConsole(result, { colour: io.colour }));
  if (argv.out) io.out(`results: ${writeResultsJson(result, String(argv.out))}\n`);
  if (result.target.unreachable) {
    io.err(`ftp-conform: target unreachable: ${result.target.unreachable}\n`);
    return EXIT.unreachable;
  }
  return result.summary.fail + result.summary.error > 0 ? EXIT.failed : EXIT.ok;
}

