/**
 * The HTML report in a real browser (Debian's chromium through playwright-core, headless, offline):
 * it makes no network request, filters to failures, expands a case and shows its requirement,
 * expected vs actual and wire transcript; HTML and `</script>` in server replies stay text; the
 * command × reply matrix, coverage, the profile table and the cases × targets matrix are there.
 * A screenshot is saved under reports/.
 */
import * as fs from 'fs';
import * as path from 'path';
import { BrowserContext, chromium, Page } from 'playwright-core';
import { main } from '../../src/cli';
import { coverageRows } from '../../src/cli/coverage';
import { evaluateGate } from '../../src/report/gate';
import { htmlData, renderHtml, scriptJson } from '../../src/report/html';
import { readResultsFile } from '../../src/report/results-file';
import { captureIo, ROOT, tempDir } from '../support/harness';
import { IDS, runArgs, verdictServer } from './verdicts';

const XSS = '</script><img src=x onerror="window.__xss=1"><b>bold</b>';
let context: BrowserContext;
let profileDir: string;
const requests: string[] = [];

beforeAll(async () => {
  profileDir = tempDir('chromium-profile');
  context = await chromium.launchPersistentContext(profileDir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  context.on('request', (r) => requests.push(r.url()));
});

afterAll(async () => {
  await context?.close();
  fs.rmSync(profileDir, { recursive: true, force: true });
});

async function open(file: string): Promise<Page> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`file://${file}`);
  await page.waitForSelector('#case-list details');
  expect(errors).toEqual([]);
  return page;
}

const visibleCases = (page: Page) => page.$$eval('#case-list details', (ds) => ds.filter((d) => !(d as unknown as { hidden: boolean }).hidden).map((d) => d.querySelector('.case-id')!.textContent));

test('a live run: filter to failures, expand one, see requirement, expected/actual and the transcript', async () => {
  const srv = await verdictServer({ pwdText: XSS });
  const out = tempDir('html');
  try {
    expect(await main(runArgs(srv.port, '--out', out), captureIo())).toBe(1);
  } finally {
    await srv.close();
  }
  const file = path.join(out, 'report.html');
  requests.length = 0;
  const page = await open(file);

  expect(await visibleCases(page)).toHaveLength(8);
  await page.selectOption('#f-verdict', 'fail');
  expect(await visibleCases(page)).toEqual([IDS.pwd]);
  expect(await page.textContent('#f-count')).toBe('1 of 8 shown');

  const kase = page.locator('#case-list details:not([hidden])').first();
  await kase.locator('summary').click();
  const body = kase.locator('.case-body');
  await body.waitFor();
  expect(await body.locator('blockquote.requirement').textContent()).toBe('This command causes the name of the current working directory to be returned in the reply.');
  expect(await body.locator('pre.expected').textContent()).toBe('257');
  expect(await body.locator('pre.actual').textContent()).toBe(`550 ${XSS}`);
  const rows = await body.locator('table.transcript tr').evaluateAll((trs) => trs.map((tr) => [tr.getAttribute('data-dir'), tr.querySelector('td.text')!.textContent]));
  expect(rows).toContainEqual(['c>s', 'PWD']);
  expect(rows).toContainEqual(['s>c', `550 ${XSS}`]);
  expect(rows.findIndex((r) => r[1] === 'PWD')).toBeLessThan(rows.findIndex((r) => r[1] === `550 ${XSS}`));
  expect(await body.locator('tr[data-dir="c>s"] td').first().textContent()).toMatch(/^\+\d+ms$/);

  // The server's markup stayed text: no image element, no script ran.
  expect(await page.$$eval('img, b', (els) => els.length)).toBe(0);
  expect(await page.evaluate(() => (globalThis as unknown as { __xss?: number }).__xss)).toBeUndefined();

  // The other filters: level, command, text.
  await page.selectOption('#f-verdict', '');
  await page.selectOption('#f-level', 'SHOULD');
  expect((await visibleCases(page)).sort()).toEqual([IDS.help, IDS.syst].sort());
  await page.selectOption('#f-level', '');
  await page.selectOption('#f-command', 'RETR');
  expect(await visibleCases(page)).toEqual([`${IDS.retr} [pasv]`, `${IDS.retr} [epsv]`]);
  await page.selectOption('#f-command', '');
  await page.fill('#f-text', 'operating system');
  expect(await visibleCases(page)).toEqual([IDS.syst]);

  // Command × reply code: PWD was answered 550, RETR 150 then 226.
  const matrix = await page.$$eval('#replies table', ([t]) => {
    const head = [...t.querySelectorAll('th')].map((th) => th.textContent);
    return Object.fromEntries([...t.querySelectorAll('tbody tr')].map((tr) => {
      const cells = [...tr.querySelectorAll('td')].map((td) => td.textContent);
      return [cells[0], Object.fromEntries(head.slice(1).map((h, i) => [h, cells[i + 1]]).filter(([, n]) => n))];
    }));
  });
  expect(matrix.PWD).toEqual({ '550': '1' });
  expect(matrix.RETR).toEqual({ '150': '2', '226': '2' });
  expect(matrix.SYST).toEqual({ '502': '1' });
  // Coverage is embedded when the requirement index can be computed here (RFC texts and valid suites present).
  let coverage = true;
  try {
    coverageRows();
  } catch {
    coverage = false;
  }
  expect(await page.isVisible('#coverage table')).toBe(coverage);

  await page.selectOption('#f-verdict', 'fail');
  await page.fill('#f-text', '');
  await page.screenshot({ path: path.join(ROOT, 'reports', 'html-report.png'), fullPage: true });
  expect(requests.filter((u) => !u.startsWith('file://'))).toEqual([]);
  await page.close();
  fs.rmSync(out, { recursive: true, force: true });
});

test('two targets: the cases × targets matrix opens a case; the profile table is shown', async () => {
  const single = readResultsFile(path.join(ROOT, 'fixtures', 'golden', 'input-single.json'));
  const multi = readResultsFile(path.join(ROOT, 'fixtures', 'golden', 'input-multi.json'));
  const runs = [{ ...multi[0], profile: single[0].profile }, multi[1]];
  const out = tempDir('html-multi');
  const file = path.join(out, 'report.html');
  fs.writeFileSync(file, renderHtml({ runs, gate: evaluateGate(runs, { level: 'must', regressionOnly: false, allowXpass: false }) }));
  requests.length = 0;
  const page = await open(file);
  const head = await page.$$eval('#matrix th', (ths) => ths.map((t) => t.textContent));
  expect(head).toEqual(['case', '127.0.0.1:2121', '127.0.0.1:2122']);
  const noop = await page.$$eval('#matrix tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)).find((r) => r[0] === 'rfc959/4.1.3/noop-ok'));
  expect(noop).toEqual(['rfc959/4.1.3/noop-ok', 'pass', 'fail']);
  await page.locator('#matrix tbody tr', { hasText: 'rfc959/4.1.3/noop-ok' }).locator('td').nth(2).locator('a').click();
  const opened = page.locator('#case-list details[open]');
  expect(await opened.count()).toBe(1);
  expect(await opened.locator('summary').textContent()).toContain('127.0.0.1:2122');
  expect(await opened.locator('pre.actual').textContent()).toBe('500 NOOP broken');
  const profile = await page.$$eval('#profile tbody tr', (trs) => trs.map((tr) => tr.getAttribute('data-status')));
  expect(profile).toEqual(['deviates', 'conforms', 'not-run']);
  expect(requests.filter((u) => !u.startsWith('file://'))).toEqual([]);
  await page.screenshot({ path: path.join(ROOT, 'reports', 'html-report-matrix.png'), fullPage: true });
  await page.close();
  fs.rmSync(out, { recursive: true, force: true });
});

describe('embedding (no browser)', () => {
  test('the data script holds no raw <, >, & or line separators', () => {
    expect(scriptJson({ a: '</script><!-- & \u2028\u2029' })).toBe('{"a":"\\u003c/script\\u003e\\u003c!-- \\u0026 \\u2028\\u2029"}');
    const html = renderHtml({ runs: readResultsFile(path.join(ROOT, 'fixtures', 'golden', 'input-single.json')) });
    const start = html.indexOf('id="ftpc-data">') + 'id="ftpc-data">'.length;
    const data = html.slice(start, html.indexOf('</script>', start));
    expect(data.length).toBeGreaterThan(1000);
    expect(data).not.toMatch(/[<>&]/);
    expect(html).not.toMatch(/https?:\/\//);
  });

  test('a deviation marks the server line it was seen on', () => {
    const [run] = readResultsFile(path.join(ROOT, 'fixtures', 'golden', 'input-single.json'));
    const c = { ...run.cases[0], deviations: [{ kind: 'bare-lf' as const, severity: 'fail' as const, message: 'bare LF', raw: '200 NOOP ok\\n', ref: 'RFC 959 §2.2', requirement: 'CRLF' }] };
    const data = htmlData({ runs: [{ ...run, cases: [c] }] });
    expect(data.cases[0].transcript.filter((e) => e.dev)).toEqual([expect.objectContaining({ dir: 's>c', text: '200 NOOP ok', dev: ['bare-lf'] })]);
  });
});
