/**
 * The CI gate end to end (CLI against the fake server, whose knobs break one case at a time):
 * an expectations file turns a red run green, a newly broken case turns it red again, a case that
 * now passes is an unexpected pass; --strict, --baseline and --fail-on regression; bad input is
 * exit 2 with file:line:col. Every results.json written validates against results.schema.json.
 */
import * as fs from 'fs';
import * as path from 'path';
import { main } from '../../src/cli';
import { FakeServer } from '../support/fake-server';
import { captureIo, readResults, ROOT, tempDir } from '../support/harness';
import { IDS, Knobs, runArgs, VERDICT_SUITE, verdictServer } from '../report/verdicts';
import { validateResults } from './schema';


const servers: FakeServer[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function dir(): string {
  const d = tempDir('gate');
  dirs.push(d);
  return d;
}

async function run(knobs: Knobs, ...extra: string[]) {
  const srv = await verdictServer(knobs);
  servers.push(srv);
  const out = dir();
  const io = captureIo();
  const code = await main(runArgs(srv.port, '--out', out, ...extra), io);
  const results = readResults(out);
  expect(validateResults(results)).toBe(true);
  return { code, io, out, results, target: `127.0.0.1:${srv.port}` };
}

function expectations(yaml: string): string {
  const file = path.join(dir(), 'expect.yaml');
  fs.writeFileSync(file, yaml);
  return file;
}

/** The known failures of the default verdict server: PWD fails, HELP times out. */
const KNOWN = `expectations:
  - case: rfc959/4.1.3/pwd-*
    verdict: fail
    reason: firmware 2.1 answers PWD with 550 (FW-17)
  - case: rfc959/4.1.3/help-text
    verdict: [error, warn]
    reason: HELP hangs on 2.1
`;

describe('expectations (--expect)', () => {
  test('without expectations the run is red: exit 1', async () => {
    const r = await run({});
    expect(r.code).toBe(1);
    expect(r.results.summary).toEqual({ pass: 3, warn: 1, fail: 1, unsupported: 1, skip: 1, error: 1 });
  });

  test('listing the known failures turns it green; the console names them as expected', async () => {
    const r = await run({}, '--expect', expectations(KNOWN));
    expect(r.code).toBe(0);
    expect(r.io.stdout()).toContain(`FAIL        ${IDS.pwd}  MUST RFC 959 §4.1.3  (expected: firmware 2.1 answers PWD with 550 (FW-17))`);
    expect(r.io.stdout()).toContain('gate: 0 unexpected, 2 expected, 0 unexpected pass');
    expect(r.io.stdout()).toContain('gate: passed');
    expect(fs.readFileSync(path.join(r.out, 'junit.xml'), 'utf8')).not.toMatch(/<(failure|error)\b/);
  });

  test('a newly broken case turns it red again, naming only that case', async () => {
    const r = await run({ breakNoop: true }, '--expect', expectations(KNOWN));
    expect(r.code).toBe(1);
    expect(r.io.stdout()).toContain('gate: 1 unexpected, 2 expected');
    expect(r.io.stdout()).toMatch(/gate: FAILED — 1 case\(s\) fail or error unexpectedly/);
    expect(fs.readFileSync(path.join(r.out, 'junit.xml'), 'utf8').match(/<failure type="fail"/g)).toHaveLength(1);
  });

  test('a known failure that now passes is an unexpected pass: exit 1, or 0 with --allow-xpass', async () => {
    const r = await run({ breakPwd: false }, '--expect', expectations(KNOWN));
    expect(r.code).toBe(1);
    expect(r.io.stdout()).toContain(`PASS        ${IDS.pwd}  MUST RFC 959 §4.1.3  UNEXPECTED PASS (expected fail: firmware 2.1 answers PWD with 550 (FW-17))`);
    expect(fs.readFileSync(path.join(r.out, 'junit.xml'), 'utf8')).toContain('<failure type="xpass"');
    expect((await run({ breakPwd: false }, '--expect', expectations(KNOWN), '--allow-xpass')).code).toBe(0);
  });

  test('an entry for another target does not apply; one for this target does', async () => {
    const other = KNOWN.replace(/reason: (.*)\n/g, 'reason: $1\n    targets: ["192.0.2.10:21"]\n');
    expect((await run({}, '--expect', expectations(other))).code).toBe(1);
    const srv = await verdictServer();
    servers.push(srv);
    const mine = KNOWN.replace(/reason: (.*)\n/g, `reason: $1\n    target: "127.0.0.1:${srv.port}"\n`);
    const io = captureIo();
    expect(await main(runArgs(srv.port, '--expect', expectations(mine)), io)).toBe(0);
    expect(io.stdout()).toContain('2 expected');
  });

  test('a bad expectations file: exit 2, one file:line:col line, nothing sent', async () => {
    const file = expectations('expectations:\n  - case: "x/*"\n    verdict: broken\n    reason: r\n');
    const srv = await verdictServer();
    servers.push(srv);
    const io = captureIo();
    expect(await main(runArgs(srv.port, '--expect', file), io)).toBe(2);
    expect(io.errLines()).toEqual([expect.stringMatching(new RegExp(`^ftp-conform: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3:14 /expectations/0/verdict: `))]);
    expect(srv.sessions).toHaveLength(0);
  });
});

describe('--fail-on and --strict', () => {
  test('--strict (= --fail-on should) makes a warning fail the run unless it is expected', async () => {
    const known = expectations(KNOWN);
    expect((await run({}, '--expect', known)).code).toBe(0);
    const strict = await run({}, '--expect', known, '--strict');
    expect(strict.code).toBe(1);
    expect(strict.io.stdout()).toContain('1 case(s) fail, error or warn unexpectedly');
    expect(fs.readFileSync(path.join(strict.out, 'junit.xml'), 'utf8')).toContain('<failure type="warn"');
    expect((await run({}, '--expect', known, '--fail-on', 'should')).code).toBe(1);
    expect((await run({ breakSyst: false }, '--expect', known, '--strict')).code).toBe(0);
  });

  test('bad values: exit 2', async () => {
    const io = captureIo();
    expect(await main(['run', '--suite', VERDICT_SUITE, '--target', '127.0.0.1:1', '--fail-on', 'maybe'], io)).toBe(2);
    expect(io.errLines()).toEqual(['ftp-conform: --fail-on "maybe" is not one of must, should, regression']);
    const io2 = captureIo();
    expect(await main(['run', '--suite', VERDICT_SUITE, '--target', '127.0.0.1:1', '--fail-on', 'regression'], io2)).toBe(2);
    expect(io2.errLines()).toEqual(['ftp-conform: --fail-on regression needs --baseline FILE']);
  });
});

describe('--baseline', () => {
  test('regressions and improvements are listed; --fail-on regression fails only on regressions', async () => {
    const before = await run({});
    const baseline = path.join(before.out, 'results.json');
    // Same behaviour as the baseline: its failures are old, so --fail-on regression passes.
    const same = await run({}, '--baseline', baseline, '--fail-on', 'regression');
    expect(same.code).toBe(0);
    expect(same.io.stdout()).toContain('gate: 2 unexpected, 0 expected, 0 unexpected pass, 0 regressions, 0 improvements');
    // NOOP breaks, PWD is fixed.
    const after = await run({ breakNoop: true, breakPwd: false }, '--baseline', baseline, '--fail-on', 'regression');
    expect(after.code).toBe(1);
    expect(after.io.stdout()).toContain(`regression   ${after.target} ${IDS.noop}: pass → fail`);
    expect(after.io.stdout()).toContain(`improvement  ${after.target} ${IDS.pwd}: fail → pass`);
    expect(after.io.stdout()).toContain('gate: FAILED — 1 regression(s) against the baseline');
    // Only an improvement: green under --fail-on regression, red without it (HELP still errors).
    const better = await run({ breakPwd: false }, '--baseline', baseline, '--fail-on', 'regression');
    expect(better.code).toBe(0);
    expect((await run({ breakPwd: false }, '--baseline', baseline)).code).toBe(1);
  });

  test('a baseline that is not a results file: exit 2', async () => {
    const bad = expectations('not: results\n');
    const io = captureIo();
    expect(await main(['run', '--suite', VERDICT_SUITE, '--target', '127.0.0.1:1', '--baseline', bad], io)).toBe(2);
    expect(io.errLines()[0]).toMatch(/cannot read results|not an ftp-conform results\.json/);
  });
});

test('the golden inputs (single and multi-target) validate against results.schema.json', () => {
  for (const f of ['input-single.json', 'input-multi.json']) {
    const data = JSON.parse(fs.readFileSync(path.join(ROOT, 'fixtures', 'golden', f), 'utf8'));
    expect(validateResults(data) ? [] : validateResults.errors).toEqual([]);
  }
  expect(validateResults({ tool: 'ftp-conform', cases: [] })).toBe(false);
});
