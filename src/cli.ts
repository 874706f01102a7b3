import * as fs from 'fs';
import * as path from 'path';
import yargs, { Argv } from 'yargs';
import { renderConsole } from './report/console';
import { writeResultsJson } from './report/json';
import { runCases } from './run/runner';
import { RunOptions, RunResult } from './run/types';
import { formatProblem, listSuiteFiles, loadSuites, SuiteError } from './suite/loader';
import { levelsUpTo, selectCases } from './suite/select';
import { Case, DATA_MODES, DataMode, Suite } from './suite/types';
import { VERSION } from './version';
import { createTemporaryServer, serveFromArgs } from '../reference-server';

export const EXIT = { ok: 0, failed: 1, usage: 2, unreachable: 3 } as const;

export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
  colour: boolean;
}

const defaultIo: Io = {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
  colour: !!process.stdout.isTTY && !process.env.NO_COLOR,
};

class UsageError extends Error {}

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

function loadSelected(argv: { suite?: string[]; case?: string[]; level?: string }): { suites: Suite[]; cases: Case[] } {
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

function dataModes(value: string): DataMode[] {
  return value === 'all' ? [...DATA_MODES] : (value.split(',') as DataMode[]);
}

function selectionOptions(y: Argv) {
  return y
    .option('suite', { type: 'string', array: true, describe: 'suite id or file glob (e.g. "rfc959/**"), or a suite file path; repeatable' })
    .option('case', { type: 'string', array: true, describe: 'case id glob (e.g. "rfc959/5.4/*"); repeatable' })
    .option('level', { choices: ['must', 'should', 'may'] as const, default: 'may', describe: 'run MUST cases only, MUST+SHOULD, or all' });
}

async function runCommand(argv: Record<string, unknown>, io: Io): Promise<number> {
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

function positiveInt(name: string) {
  return (v: unknown) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} must be a positive integer, got "${v}"`);
    return n;
  };
}

function build(args: string[], io: Io, done: (p: Promise<number>) => void): Argv {
  return yargs(args)
    .scriptName('ftp-conform')
    .version(VERSION)
    .strict()
    .exitProcess(false)
    .wrap(Math.min(110, process.stdout.columns ?? 110))
    .fail((msg, err) => {
      throw err instanceof UsageError || err instanceof SuiteError ? err : new UsageError(msg || err?.message || 'bad usage');
    })
    .command(
      'run',
      'run the selected cases against a target and report',
      (y) =>
        selectionOptions(y)
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
          }),
      (argv) => done(runCommand(argv, io)),
    )
    .command(
      'list',
      'list the selected cases (id, level, title); nothing is sent',
      (y) => selectionOptions(y),
      (argv) =>
        done(
          Promise.resolve().then(() => {
            const { cases } = loadSelected(argv);
            for (const c of cases) io.out(`${c.id}\t${c.level}\t${c.title}\n`);
            io.out(`${cases.length} cases\n`);
            return EXIT.ok;
          }),
        ),
    )
    .command(
      'validate [files..]',
      'check suite files against the schema (default: every bundled suite)',
      (y) => y.positional('files', { type: 'string', array: true }),
      (argv) =>
        done(
          Promise.resolve().then(() => {
            const files = (argv.files as string[] | undefined)?.length ? (argv.files as string[]) : listSuiteFiles(path.join(packageRoot(), 'suites'));
            const suites = loadSuites(files, process.cwd());
            io.out(`${suites.length} suites, ${suites.reduce((n, s) => n + s.cases.length, 0)} cases: valid\n`);
            return EXIT.ok;
          }),
        ),
    )
    .command(
      'serve',
      'run the reference FTP server until SIGINT/SIGTERM, logging every session to stderr',
      (y) =>
        y
          .option('port', { type: 'number', default: 2121, describe: 'control port (0: any free port)' })
          .option('host', { type: 'string', default: '127.0.0.1', describe: 'address to listen on' })
          .option('root', { type: 'string', demandOption: true, describe: 'directory served as /' })
          .option('users', { type: 'string', describe: 'users JSON file (name, password hash, home, permissions)' })
          .option('anonymous', { type: 'boolean', default: false, describe: 'allow anonymous login (read-only)' })
          .option('tls-cert', { type: 'string', describe: 'PEM certificate for FTPS' })
          .option('tls-key', { type: 'string', describe: 'PEM private key for FTPS' })
          .option('implicit-tls-port', { type: 'number', describe: 'also serve implicit FTPS on this port' })
          .option('pasv-ports', { type: 'string', describe: 'passive port range A-B' }),
      (argv) => done(serveCommand(argv, io)),
    )
    .demandCommand(1, 'name a command: run, list, validate or serve')
    .help();
}

async function serveCommand(argv: Record<string, unknown>, io: Io): Promise<number> {
  if (!fs.existsSync(String(argv.root)) || !fs.statSync(String(argv.root)).isDirectory()) throw new UsageError(`--root ${argv.root} is not a directory`);
  let server;
  try {
    server = await serveFromArgs({
      port: Number(argv.port),
      host: String(argv.host),
      root: path.resolve(String(argv.root)),
      users: argv.users as string | undefined,
      anonymous: argv.anonymous as boolean,
      pasvPorts: argv['pasv-ports'] as string | undefined,
      implicitTlsPort: argv['implicit-tls-port'] as number | undefined,
      tlsCert: argv['tls-cert'] as string | undefined,
      tlsKey: argv['tls-key'] as string | undefined,
    });
  } catch (e) {
    throw new UsageError(`cannot start the server: ${(e as Error).message}`);
  }
  const running = server;
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      io.err('ftp-conform: stopping the reference server\n');
      void running.close().then(resolve, resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  return EXIT.ok;
}

/** Runs the CLI; resolves to the exit code. Never exits the process itself. */
export async function main(args: string[], io: Io = defaultIo): Promise<number> {
  let pending: Promise<number> | undefined;
  try {
    await build(args, io, (p) => (pending = p)).parseAsync();
    return pending ? await pending : EXIT.ok;
  } catch (e) {
    if (e instanceof SuiteError) {
      for (const p of e.problems) io.err(`${formatProblem(p)}\n`);
      return EXIT.usage;
    }
    if (e instanceof UsageError) {
      io.err(`ftp-conform: ${e.message}\n`);
      return EXIT.usage;
    }
    io.err(`ftp-conform: internal error: ${(e as Error).message}\n`);
    return EXIT.failed;
  }
}
