/**
 * Every reporter end to end against golden output: the inputs are results files recorded from the
 * fake server (fixtures/golden/input-*.json: one target earning every verdict, with a device
 * profile and a reply holding `</script>`, HTML, quotes and control characters; and two targets),
 * judged by the gate, rendered, normalised (timestamps, durations) and compared byte for byte.
 * `UPDATE_GOLDEN=1 npx jest test/report/golden` rewrites the golden files after a deliberate change.
 */
import * as fs from 'fs';
import * as path from 'path';
import { renderConsoleReport } from '../../src/report/console';
import { evaluateGate, Expectation } from '../../src/report/gate';
import { renderHtml } from '../../src/report/html';
import { renderJunit } from '../../src/report/junit';
import { Report } from '../../src/report/model';
import { readResultsFile, toResultsFile } from '../../src/report/results-file';
import { ROOT } from '../support/harness';

const GOLDEN = path.join(ROOT, 'fixtures', 'golden');
const single = readResultsFile(path.join(GOLDEN, 'input-single.json'));
const multi = readResultsFile(path.join(GOLDEN, 'input-multi.json'));
const COVERAGE = [{ rfc: 'rfc959', statements: 120, tested: 80, untestable: 30, missing: 10 }];

/** Timestamps and durations vary from run to run: the golden files hold placeholders. */
export function normalise(s: string): string {
  return s
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z?/g, '<timestamp>')
    .replace(/\b(time)="[\d.]+"/g, '$1="<s>"')
    .replace(/"durationMs":\s*\d+/g, '"durationMs": 0')
    .replace(/\d+(\.\d+)? s\b/g, '<s> s')
    .replace(/\d+ ms\b/g, '<n> ms');
}

const expectations: Expectation[] = [
  { case: 'rfc959/4.1.3/pwd-*', verdicts: ['fail'], reason: 'firmware 2.1 has no PWD (FW-17)', targets: ['127.0.0.1:2121'], source: 'x:1' },
  { case: 'rfc959/4.1.3/noop-ok', verdicts: ['fail'], reason: 'NOOP broken on 2.1', targets: ['127.0.0.1:2121'], source: 'x:2' },
];

const reports: Record<string, Report> = {
  single: { runs: single, gate: evaluateGate(single, { level: 'must', regressionOnly: false, allowXpass: false, requested: false }), coverage: COVERAGE },
  multi: {
    runs: multi,
    // The baseline: the single-target run, as if both targets had answered like it.
    gate: evaluateGate(multi, { level: 'should', regressionOnly: false, allowXpass: false, expectations, baseline: [single[0], { ...single[0], target: { ...single[0].target, port: 2122 } }], requested: true }),
  },
};

const renderers: Record<string, [string, (r: Report) => string]> = {
  console: ['console.txt', (r) => renderConsoleReport(r, { colour: false })],
  json: ['results.json', (r) => JSON.stringify(toResultsFile(r.runs), null, 2) + '\n'],
  junit: ['junit.xml', (r) => renderJunit(r)],
  html: ['report.html', (r) => renderHtml(r)],
};

describe.each(Object.keys(reports))('%s run', (name) => {
  test.each(Object.keys(renderers))('%s reporter matches its golden file', (kind) => {
    const [ext, render] = renderers[kind];
    const file = path.join(GOLDEN, `${name}.${ext}`);
    const actual = normalise(render(reports[name]));
    if (process.env.UPDATE_GOLDEN) fs.writeFileSync(file, actual);
    expect(actual).toBe(fs.readFileSync(file, 'utf8'));
  });
});

test('the golden gate of the multi-target run: expected, unexpected pass, regression, improvement', () => {
  const g = reports.multi.gate!;
  const by = (target: string, label: string) => g.cases[`${target} ${label}`];
  expect(by('127.0.0.1:2121', 'rfc959/4.1.3/pwd-name').status).toBe('expected');
  expect(by('127.0.0.1:2121', 'rfc959/4.1.3/noop-ok').status).toBe('xpass');
  expect(by('127.0.0.1:2122', 'rfc959/4.1.3/noop-ok')).toMatchObject({ status: 'failed', change: 'regression', baseline: 'pass' });
  expect(by('127.0.0.1:2122', 'rfc959/4.1.3/pwd-name')).toMatchObject({ status: 'ok', change: 'improvement', baseline: 'fail' });
  expect(g.failing).toBe(true);
});
