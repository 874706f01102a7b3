/**
 * The command line, in-process through `main(args, io)`: exit codes (0 ok, 1 failed, 2 usage or
 * invalid suite, 3 unreachable), one stderr line per problem, case selection (--level, --case,
 * --data-mode) as results.json shows it, `list` sending nothing; and once, the real launcher.
 */
import { execFile, execFileSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { main } from '../../src/cli';
import { deadPort, FakeScript, FakeServer, startFakeServer } from '../support/fake-server';
import { captureIo, fixtureSuite, HELLO, readResults, ROOT, tempDir } from '../support/harness';

const INVALID = path.join('test', 'fixtures', 'invalid-suites');
const HOSTILE = fixtureSuite('hostile.yaml');
const FAST = ['--timeout', '800', '--case-timeout', '3000'];

const NOOP = 'rfc959/4.1.3/noop-ok';
const RETR = 'rfc959/4.1.3/retr-download';
const SYST = 'rfc959/4.1.3/syst-type';
const PWD = 'rfc959/4.1.3/pwd-name';

/** A `file:line:col message` line. */
const PROBLEM = /^(.+):(\d+):(\d+) (.+)$/;

function problems(lines: string[]) {
  return lines.map((l) => {
    const m = PROBLEM.exec(l);
    if (!m) throw new Error(`not a file:line:col line: ${JSON.stringify(l)}`);
    return { file: m[1], line: Number(m[2]), col: Number(m[3]), message: m[4] };
  });
}

/** The fake server of the current test (the latest one started); every one started is closed after it. */
let server: FakeServer | undefined;
const started: FakeServer[] = [];
async function fake(script: FakeScript = {}): Promise<FakeServer> {
  server = await startFakeServer(script);
  started.push(server);
  return server;
}
afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.close()));
  server = undefined;
});

async function runFake(args: string[]) {
  const srv = await fake({ files: { 'hello.txt': HELLO } });
  const out = tempDir('cli');
  const io = captureIo();
  const code = await main(['run', '--suite', HOSTILE, '--target', `127.0.0.1:${srv.port}`, '--user', 'tester', '--password', 'secret', ...FAST, '--out', out, ...args], io);
  const results = readResults(out);
  fs.rmSync(out, { recursive: true, force: true });
  return { code, io, results, labels: results.cases.map((c) => (c.mode ? `${c.id} [${c.mode}]` : c.id)) };
}

describe('invalid suite files', () => {
  test('a YAML syntax error: exit 2, one file:line:col line at the line of the error', async () => {
    const io = captureIo();
    const file = path.join(INVALID, 'syntax-error.yaml');
    expect(await main(['validate', file], io)).toBe(2);
    const [p, ...rest] = problems(io.errLines());
    expect(rest).toEqual([]);
    expect(p).toMatchObject({ file, line: 6 });
    expect(p.message).toMatch(/^syntax error: .*quote/);
    expect(io.stdout()).toBe('');
  });

  test('a schema error (unknown step key): exit 2, one line pointing at the key', async () => {
    const io = captureIo();
    const file = path.join(INVALID, 'unknown-step-key.yaml');
    expect(await main(['validate', file], io)).toBe(2);
    expect(problems(io.errLines())).toEqual([{ file, line: 12, col: 9, message: '/cases/0/steps/0: unknown property "sned"' }]);
  });

  test('two problems in one file: two lines, each at its own line', async () => {
    const io = captureIo();
    const file = path.join(INVALID, 'two-problems.yaml');
    expect(await main(['validate', file], io)).toBe(2);
    const ps = problems(io.errLines());
    expect(ps.map((p) => [p.file, p.line])).toEqual([
      [file, 8],
      [file, 12],
    ]);
    expect(ps[0].message).toMatch(/level .*MUST, SHOULD, MAY/);
    expect(ps[1].message).toMatch(/unknown property "sned"/);
  });

  test('every invalid file is reported in one go, and run refuses to start (nothing is sent)', async () => {
    const srv = await fake();
    const io = captureIo();
    const files = ['syntax-error.yaml', 'unknown-step-key.yaml'].map((f) => path.join(INVALID, f));
    const code = await main(['run', '--suite', files[0], '--suite', files[1], '--target', `127.0.0.1:${srv.port}`, ...FAST], io);
    expect(code).toBe(2);
    expect(problems(io.errLines()).map((p) => [p.file, p.line])).toEqual([
      [files[0], 6],
      [files[1], 12],
    ]);
    expect(srv.sessions).toHaveLength(0);
  });

  // A YAML mistake cascades in the parser (this file once gave three lines: 9:1, 10:1, 12:1); only
  // the first syntax error of a file is a problem of its own.
  test('one mis-indented line: exactly one problem line, at that line', async () => {
    const io = captureIo();
    const file = path.join(INVALID, 'bad-indent.yaml');
    expect(await main(['validate', file], io)).toBe(2);
    expect(problems(io.errLines()).map((p) => [p.file, p.line])).toEqual([[file, 9]]);
  });
});

describe('usage errors', () => {
  test('an unknown flag: exit 2 and one clear line', async () => {
    const io = captureIo();
    expect(await main(['run', '--bogus', '--target', '127.0.0.1:21'], io)).toBe(2);
    expect(io.errLines()).toEqual(['ftp-conform: Unknown argument: bogus']);
    expect(io.stdout()).toBe('');
  });

  test('an unknown flag on list: exit 2 and one clear line', async () => {
    const io = captureIo();
    expect(await main(['list', '--frobnicate'], io)).toBe(2);
    expect(io.errLines()).toEqual(['ftp-conform: Unknown argument: frobnicate']);
  });

  test('a bad --data-mode: exit 2 and one line naming it', async () => {
    const io = captureIo();
    expect(await main(['run', '--data-mode', 'pasv,foo', '--target', '127.0.0.1:21'], io)).toBe(2);
    expect(io.errLines()).toEqual(['ftp-conform: --data-mode "foo" is not one of pasv, epsv, port, eprt, all']);
  });

  // yargs used to turn "abc" into NaN before the check saw it, and the message said `got "NaN"`.
  test('a non-numeric --timeout: exit 2, the message quotes the value given', async () => {
    const io = captureIo();
    expect(await main(['run', '--timeout', 'abc', '--target', '127.0.0.1:21'], io)).toBe(2);
    expect(io.errLines()).toEqual(['ftp-conform: --timeout must be a positive integer, got "abc"']);
  });
});

describe('unreachable target', () => {
  test('a closed port: exit 3, one line naming host:port, results.json with error verdicts', async () => {
    const port = await deadPort();
    const out = tempDir('closed');
    const io = captureIo();
    const code = await main(['run', '--suite', HOSTILE, '--target', `127.0.0.1:${port}`, ...FAST, '--out', out], io);
    expect(code).toBe(3);
    const lines = io.errLines();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`127.0.0.1:${port}`);
    expect(lines[0]).toMatch(/^ftp-conform: target unreachable: .*ECONNREFUSED/);
    const results = readResults(out);
    fs.rmSync(out, { recursive: true, force: true });
    expect(results.target.unreachable).toContain(`127.0.0.1:${port}`);
    expect(results.cases.map((c) => c.id).sort()).toEqual([NOOP, PWD, RETR, SYST].sort().flatMap((id) => (id === RETR ? [id, id, id, id] : [id])));
    expect(results.cases.every((c) => c.verdict === 'error')).toBe(true);
    expect(results.summary.error).toBe(results.cases.length);
  });
});

describe('list and validate', () => {
  test('list prints id, level and title of each selected case and connects nowhere', async () => {
    const connect = jest.spyOn(net.Socket.prototype, 'connect');
    const io = captureIo();
    try {
      expect(await main(['list', '--suite', HOSTILE], io)).toBe(0);
      expect(connect).not.toHaveBeenCalled();
    } finally {
      connect.mockRestore();
    }
    expect(io.stdout().split('\n')).toEqual([
      `${NOOP}\tMUST\tNOOP after login is answered with an OK reply`,
      `${RETR}\tMUST\tRETR sends a copy of the file over the data connection`,
      `${SYST}\tSHOULD\tSYST names the operating system`,
      `${PWD}\tMAY\tPWD answers 257 with the directory name`,
      '4 cases',
      '',
    ]);
    expect(io.stderr()).toBe('');
  });

  test('list --level must lists only MUST cases', async () => {
    const io = captureIo();
    expect(await main(['list', '--suite', HOSTILE, '--level', 'must'], io)).toBe(0);
    expect(io.stdout()).toBe(`${NOOP}\tMUST\tNOOP after login is answered with an OK reply\n${RETR}\tMUST\tRETR sends a copy of the file over the data connection\n2 cases\n`);
  });

  test('validate with no files checks every bundled suite: exit 0', async () => {
    const io = captureIo();
    expect(await main(['validate'], io)).toBe(0);
    expect(io.stdout()).toMatch(/^\d+ suites, \d+ cases: valid\n$/);
    expect(io.stderr()).toBe('');
  });

  test('validate of the fixture suites: exit 0', async () => {
    const io = captureIo();
    expect(await main(['validate', HOSTILE, fixtureSuite('wire-deviations.yaml')], io)).toBe(0);
    expect(io.stdout()).toBe('2 suites, 7 cases: valid\n');
  });
});

describe('case selection in a run (results.json)', () => {
  test('by default every case runs and the transfer case runs once per data mode', async () => {
    const r = await runFake([]);
    expect(r.code).toBe(0);
    expect(r.labels).toEqual([NOOP, `${RETR} [pasv]`, `${RETR} [epsv]`, `${RETR} [port]`, `${RETR} [eprt]`, SYST, PWD]);
    expect(r.results.cases.every((c) => c.verdict === 'pass')).toBe(true);
  });

  test('--level must runs only the MUST cases', async () => {
    const r = await runFake(['--level', 'must', '--data-mode', 'pasv']);
    expect(r.code).toBe(0);
    expect(r.results.cases.map((c) => c.level)).toEqual(['MUST', 'MUST']);
    expect(r.labels).toEqual([NOOP, `${RETR} [pasv]`]);
    expect(r.results.options.levels).toEqual(['MUST']);
    // Nothing but the selected cases reached the server: preflight + one session per case.
    expect(server!.sessions).toHaveLength(3);
  });

  test('--case globs select by id (* within a segment, ** across, repeatable)', async () => {
    const r = await runFake(['--case', 'rfc959/**/noop-*', '--case', 'rfc959/4.1.3/?wd-name']);
    expect(r.labels).toEqual([NOOP, PWD]);
    const one = await runFake(['--case', 'rfc959/*/s*']);
    expect(one.labels).toEqual([SYST]);
  });

  test('--case matching nothing: exit 2, one line', async () => {
    const io = captureIo();
    expect(await main(['run', '--suite', HOSTILE, '--case', 'nothing/*', '--target', '127.0.0.1:21'], io)).toBe(2);
    expect(io.errLines()).toEqual(['ftp-conform: no case matches the given --suite/--case/--level']);
  });

  test('--data-mode pasv runs the transfer case only in pasv; other cases carry no mode', async () => {
    const r = await runFake(['--data-mode', 'pasv']);
    expect(r.code).toBe(0);
    expect(r.results.cases.map((c) => [c.id, c.mode])).toEqual([
      [NOOP, undefined],
      [RETR, 'pasv'],
      [SYST, undefined],
      [PWD, undefined],
    ]);
    expect(r.results.options.dataModes).toEqual(['pasv']);
    // The server saw PASV and never EPSV, PORT or EPRT.
    const verbs = server!.sessions.flatMap((s) => s.commands.map((c) => c.split(' ')[0]));
    expect(verbs).toContain('PASV');
    expect(verbs.filter((v) => ['EPSV', 'PORT', 'EPRT'].includes(v))).toEqual([]);
  });

  test('--data-mode port,eprt runs the transfer case in those two modes, in that order', async () => {
    const r = await runFake(['--data-mode', 'port,eprt', '--case', RETR]);
    expect(r.results.cases.map((c) => [c.id, c.mode, c.verdict])).toEqual([
      [RETR, 'port', 'pass'],
      [RETR, 'eprt', 'pass'],
    ]);
  });
});

describe('the installed launcher', () => {
  const cli = path.join(ROOT, 'dist', 'src', 'cli.js');
  beforeAll(() => {
    // `npm test` builds before jest; a bare `npx jest` may find no dist/ yet.
    if (!fs.existsSync(cli)) {
      try {
        execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'pipe', timeout: 120000 });
      } catch {
        // tsc emits even with type errors elsewhere in the tree; the test below says whether the CLI is there.
      }
    }
  }, 150000);

  test('node bin/ftp-conform.js --help prints the commands and exits 0', async () => {
    expect(fs.existsSync(cli)).toBe(true);
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = execFile(process.execPath, [path.join(ROOT, 'bin', 'ftp-conform.js'), '--help'], { cwd: ROOT, timeout: 20000 }, (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr }),
      );
      child.stdin?.end();
    });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/ftp-conform/);
    for (const command of ['run', 'list', 'validate']) expect(stdout).toMatch(new RegExp(`^\\s*ftp-conform ${command}\\b`, 'm'));
  }, 30000);
});
