/**
 * --shard i/n and `merge`: the bundled suites against the reference server, run whole and in three
 * shards, give the same case set and verdicts once the shards are merged; shards are disjoint and
 * deterministic; `merge` and `report` re-render and judge like `run`.
 */
import * as fs from 'fs';
import * as path from 'path';
import { createTemporaryServer, TemporaryServer } from '../../reference-server';
import { main } from '../../src/cli';
import { shardCases } from '../../src/run/runner';
import { RunResult } from '../../src/run/types';
import { loadSuites } from '../../src/suite/loader';
import { captureIo, readResults, ROOT, tempDir } from '../support/harness';
import { VERDICT_SUITE } from '../report/verdicts';
import { validateResults } from './schema';

let server: TemporaryServer;
let root: string;
beforeAll(async () => {
  server = await createTemporaryServer();
  root = tempDir('shard');
});
afterAll(async () => {
  await server.close();
  fs.rmSync(root, { recursive: true, force: true });
});

/** The RFC 959 suite files, named as files (so a work-in-progress suite elsewhere cannot stop this test). */
const RFC959 = fs.readdirSync(path.join(ROOT, 'suites', 'rfc959')).filter((f) => f.endsWith('.yaml')).flatMap((f) => ['--suite', path.join(ROOT, 'suites', 'rfc959', f)]);

const verdicts = (r: RunResult) => r.cases.map((c) => `${c.id} ${c.mode ?? '-'} ${c.verdict}`).sort();

async function run(name: string, ...extra: string[]): Promise<RunResult> {
  const out = path.join(root, name);
  const io = captureIo();
  const args = ['run', ...RFC959, '--target', `${server.host}:${server.port}`, '--user', server.user, '--password', server.password, '--data-mode', 'pasv,eprt', '--concurrency', '4', '--out', out, '--report', 'json', ...extra];
  expect(await main(args, io)).toBe(0);
  return readResults(out);
}

test('three shards merged = the unsharded run (case set and verdicts)', async () => {
  const whole = await run('whole');
  const shards = [await run('s1', '--shard', '1/3'), await run('s2', '--shard', '2/3'), await run('s3', '--shard', '3/3')];
  const ids = shards.map((s) => new Set(s.cases.map((c) => c.id)));
  for (let i = 0; i < 3; i++) {
    expect(ids[i].size).toBeGreaterThan(whole.cases.length / 3 / 2 / 2); // roughly balanced, never empty
    for (let j = i + 1; j < 3; j++) expect([...ids[i]].filter((x) => ids[j].has(x))).toEqual([]);
  }
  const merged = path.join(root, 'merged');
  const io = captureIo();
  const code = await main(['merge', ...['s1', 's2', 's3'].map((s) => path.join(root, s, 'results.json')), '--out', merged], io);
  expect(code).toBe(0);
  const m = readResults(merged);
  expect(validateResults(m)).toBe(true);
  expect(verdicts(m)).toEqual(verdicts(whole));
  expect(m.summary).toEqual(whole.summary);
  for (const f of ['results.json', 'junit.xml', 'report.html']) expect(fs.existsSync(path.join(merged, f))).toBe(true);
  expect(io.stdout()).toContain(`${whole.cases.length} cases in`);

  // `report` re-renders a results file (here: only the HTML and JUnit).
  const again = path.join(root, 'again');
  expect(await main(['report', path.join(merged, 'results.json'), '--report', 'html,junit', '--out', again], captureIo())).toBe(0);
  expect(fs.readdirSync(again).sort()).toEqual(['junit.xml', 'report.html']);
}, 120000);

test('shards split by case id: disjoint, complete, deterministic, every data mode of a case together', () => {
  const cases = loadSuites([VERDICT_SUITE], process.cwd()).flatMap((s) => s.cases);
  const parts = [1, 2, 3].map((i) => shardCases(cases, i, 3).map((c) => c.id));
  expect(parts.flat().sort()).toEqual(cases.map((c) => c.id).sort());
  expect([1, 2, 3].map((i) => shardCases([...cases].reverse(), i, 3).map((c) => c.id).sort())).toEqual(parts.map((p) => [...p].sort()));
});

test('bad --shard values and a merge of non-results: exit 2', async () => {
  for (const v of ['0/3', '4/3', 'x', '1/0']) {
    const io = captureIo();
    expect(await main(['run', '--suite', VERDICT_SUITE, '--target', '127.0.0.1:1', '--shard', v], io)).toBe(2);
    expect(io.errLines()).toEqual([`ftp-conform: --shard "${v}" is not i/n with 1 <= i <= n`]);
  }
  const io = captureIo();
  expect(await main(['merge', VERDICT_SUITE, '--out', root], io)).toBe(2);
  expect(io.errLines()[0]).toMatch(/^ftp-conform: .*verdicts\.yaml: cannot read results/);
});
