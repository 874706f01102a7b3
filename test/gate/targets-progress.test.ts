/**
 * Several --target values in one run (one RunResult each, a matrix in every report, exit 3 when
 * one is unreachable, reports still written); SIGINT stops the run and the finished cases are
 * reported; the progress line (TTY only, silent under CI).
 */
import * as fs from 'fs';
import * as path from 'path';
import { main } from '../../src/cli';
import { MultiResults } from '../../src/report/results-file';
import { ProgressReporter, progressWanted } from '../../src/report/progress';
import { deadPort, FakeServer, startFakeServer } from '../support/fake-server';
import { captureIo, HELLO, tempDir } from '../support/harness';
import { IDS, runArgs, verdictServer } from '../report/verdicts';
import { validateResults } from './schema';

const servers: FakeServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

test('two targets: a multi-target results.json, the matrix in console, JUnit and HTML', async () => {
  const a = await verdictServer();
  const b = await verdictServer({ breakPwd: false, breakSyst: false, silentHelp: false, breakNoop: true });
  servers.push(a, b);
  const out = tempDir('multi');
  const io = captureIo();
  expect(await main(runArgs([a.port, b.port], '--out', out), io)).toBe(1);
  const file = JSON.parse(fs.readFileSync(path.join(out, 'results.json'), 'utf8')) as MultiResults;
  expect(validateResults(file)).toBe(true);
  expect(file.format).toBe('multi-target');
  expect(file.runs.map((r) => r.target.port)).toEqual([a.port, b.port]);
  expect(file.runs.map((r) => r.cases.find((c) => c.id === IDS.noop)!.verdict)).toEqual(['pass', 'fail']);
  expect(io.stdout()).toMatch(new RegExp(`│ case +│ 127\\.0\\.0\\.1:${a.port} +│ 127\\.0\\.0\\.1:${b.port} +│`));
  expect(io.stdout()).toMatch(/│ rfc959\/4\.1\.3\/noop-ok +│ pass +│ fail +│/);
  const junit = fs.readFileSync(path.join(out, 'junit.xml'), 'utf8');
  expect(junit).toContain(`<testsuite name="fixture/verdicts @ 127.0.0.1:${b.port}"`);
  expect(junit).toContain(`name="${IDS.noop} NOOP after login is answered with an OK reply @ 127.0.0.1:${b.port}"`);
  expect(fs.readFileSync(path.join(out, 'report.html'), 'utf8')).toContain('<section id="matrix" hidden>'); // shown by the script (see test/report/html.test.ts)
  fs.rmSync(out, { recursive: true, force: true });
});

test('one target unreachable: exit 3, the other is still tested and every report written', async () => {
  const a = await verdictServer({ breakPwd: false, silentHelp: false });
  servers.push(a);
  const dead = await deadPort();
  const out = tempDir('multi-dead');
  const io = captureIo();
  expect(await main(runArgs([a.port, dead], '--out', out), io)).toBe(3);
  expect(io.errLines()).toEqual([expect.stringMatching(new RegExp(`^ftp-conform: target unreachable: .*127\\.0\\.0\\.1:${dead}`))]);
  const file = JSON.parse(fs.readFileSync(path.join(out, 'results.json'), 'utf8')) as MultiResults;
  expect(file.runs[0].summary.error).toBe(0);
  expect(file.runs[1].cases.every((c) => c.verdict === 'error' || c.verdict === 'skip')).toBe(true);
  expect(fs.readdirSync(out).sort()).toEqual(['junit.xml', 'report.html', 'results.json']);
  fs.rmSync(out, { recursive: true, force: true });
});

test('SIGINT stops the run: finished cases are reported, the rest are skip, every report is written, exit 1', async () => {
  let started = 0;
  const srv = await startFakeServer({ files: { 'hello.txt': HELLO }, delayMs: { NOOP: 300 } });
  servers.push(srv);
  const out = tempDir('sigint');
  const io = captureIo();
  const before = process.listenerCount('SIGINT');
  const running = main(runArgs(srv.port, '--out', out), io);
  // Interrupt while the first case (NOOP, delayed) runs.
  while (srv.sessions.length < 2 && started++ < 200) await new Promise((r) => setTimeout(r, 10));
  process.emit('SIGINT');
  expect(await running).toBe(1);
  expect(process.listenerCount('SIGINT')).toBe(before);
  const results = JSON.parse(fs.readFileSync(path.join(out, 'results.json'), 'utf8'));
  expect(results.cases[0]).toMatchObject({ id: IDS.noop, verdict: 'pass' });
  expect(results.cases.slice(1).map((c: { verdict: string; reason: string }) => [c.verdict, c.reason])).toEqual(
    results.cases.slice(1).map(() => ['skip', 'run interrupted before this case started']),
  );
  expect(fs.readdirSync(out).sort()).toEqual(['junit.xml', 'report.html', 'results.json']);
  expect(io.stderr()).toContain('interrupted; the reports hold the cases that finished');
  expect(io.stdout()).toContain('gate: FAILED — the run was interrupted');
  fs.rmSync(out, { recursive: true, force: true });
});

describe('progress line', () => {
  test('only on a TTY and never under CI', () => {
    expect(progressWanted(true, {})).toBe(true);
    expect(progressWanted(false, {})).toBe(false);
    expect(progressWanted(undefined, {})).toBe(false);
    expect(progressWanted(true, { CI: 'true' })).toBe(false);
  });

  test('count, case, elapsed, rewritten in place and cleared at the end', async () => {
    let now = 1000;
    let written = '';
    const p = new ProgressReporter((s) => (written += s), 60, () => now);
    await p.onRunStart({ targets: ['h:21'], total: 2, startedAt: '' });
    now += 1500;
    await p.onCaseResult({ id: 'rfc959/4.1.3/noop-ok', verdict: 'pass' } as never, 'h:21');
    expect(written).toBe('\r[1/2] 1.5s pass        rfc959/4.1.3/noop-ok @ h:21');
    now += 500;
    await p.onCaseResult({ id: 'rfc959/4.1.3/a-much-longer-case-id-than-fits', mode: 'pasv', verdict: 'fail' } as never, 'h:21');
    const last = written.split('\r').pop()!;
    expect(last).toHaveLength(59);
    expect(last).toMatch(/^\[2\/2\] 2\.0s fail {8}rfc959\/.*…$/);
    await p.onRunEnd();
    expect(written.endsWith(`\r${' '.repeat(59)}\r`)).toBe(true);
  });
});
