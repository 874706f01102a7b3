/**
 * JUnit XML: every verdict kind maps to the element CI systems expect, the file validates against
 * the JUnit schema (xmllint), and control or XML-invalid characters are shown, never dropped.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { main } from '../../src/cli';
import { evaluateGate, GateOptions } from '../../src/report/gate';
import { renderJunit } from '../../src/report/junit';
import { readResultsFile } from '../../src/report/results-file';
import { captureIo, ROOT, tempDir } from '../support/harness';
import { IDS, runArgs, verdictServer } from './verdicts';

/** The JUnit schema, found like the RFC texts: env, then ../shared next to the checkout. */
function junitSchema(): string {
  const candidates = [process.env.FTP_CONFORM_JUNIT_XSD, path.resolve(ROOT, '..', 'shared', 'schemas', 'junit-10.xsd'), path.resolve(ROOT, '..', '..', 'shared', 'schemas', 'junit-10.xsd')];
  const found = candidates.find((c): c is string => !!c && fs.existsSync(c));
  if (!found) throw new Error(`junit-10.xsd not found (tried ${candidates.filter(Boolean).join(', ')})`);
  return found;
}

function xmllint(xml: string): void {
  const dir = tempDir('junit');
  const file = path.join(dir, 'junit.xml');
  fs.writeFileSync(file, xml);
  try {
    execFileSync('xmllint', ['--noout', '--schema', junitSchema(), file], { stdio: 'pipe' });
  } catch (e) {
    throw new Error(`xmllint rejected the JUnit XML:\n${(e as { stderr?: Buffer }).stderr?.toString()}`);
  }
  fs.rmSync(dir, { recursive: true, force: true });
}

const single = readResultsFile(path.join(ROOT, 'fixtures', 'golden', 'input-single.json'));
const multi = readResultsFile(path.join(ROOT, 'fixtures', 'golden', 'input-multi.json'));
const plain: GateOptions = { level: 'must', regressionOnly: false, allowXpass: false };

function testcase(xml: string, id: string): string {
  const start = xml.indexOf(`name="${id}`);
  expect(start).toBeGreaterThan(0);
  return xml.slice(start, xml.indexOf('</testcase>', start));
}

describe('verdicts map to JUnit elements', () => {
  const xml = renderJunit({ runs: single, gate: evaluateGate(single, plain) });
  test.each([
    [IDS.noop, null],
    [IDS.pwd, '<failure type="fail"'],
    [IDS.help, '<error type="error"'],
    [IDS.stat, '<skipped type="unsupported" message="unsupported: STAT: MLST not in FEAT'],
    [IDS.dele, '<skipped type="skip" message="skip: needs a writable area'],
    [IDS.syst, null],
  ])('%s → %s', (id, element) => {
    const tc = testcase(xml, id);
    if (element) expect(tc).toContain(element);
    else expect(tc).not.toMatch(/<(failure|error|skipped)/);
    expect(tc).toContain('<system-out>');
  });

  test('classname is the suite, name is id [mode] and title; the transcript is in system-out', () => {
    expect(xml).toContain('<testcase classname="fixture/verdicts" name="rfc959/4.1.3/retr-download [epsv] RETR sends a copy of the file over the data connection"');
    expect(testcase(xml, `${IDS.retr} [pasv]`)).toMatch(/c&gt;s RETR hello\.txt\n.*s&gt;c 150 /);
    expect(xml).toMatch(/<testsuites name="ftp-conform" tests="8" failures="1" errors="1"/);
  });

  test('a warning is a pass with the warning in system-out; under --strict it is a failure', () => {
    expect(testcase(xml, IDS.syst)).toContain('warn — SYST: expected 215, got 502');
    const strict = renderJunit({ runs: single, gate: evaluateGate(single, { ...plain, level: 'should' }) });
    expect(testcase(strict, IDS.syst)).toContain('<failure type="warn" message="SYST: expected 215, got 502"');
    xmllint(strict);
  });

  test('control and XML-invalid characters are made visible, never dropped; markup in replies is escaped', () => {
    const tc = testcase(xml, IDS.pwd);
    expect(tc).toContain('550 \\x00 \\x1b[31m \\ufffe \\ud800 \\x0d end');
    expect(xml).not.toMatch(/[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]/);
    expect(tc).toContain('No &lt;/script&gt;&lt;b&gt;dir&lt;/b&gt; &amp; "quotes"');
  });

  test('an expected failure is skipped with the expectation; an unexpected pass is a failure', () => {
    const gate = evaluateGate(single, {
      ...plain,
      expectations: [
        { case: IDS.pwd, verdicts: ['fail'], reason: 'no PWD on 2.1', source: 'e:1' },
        { case: IDS.noop, verdicts: ['fail'], reason: 'was broken', source: 'e:2' },
      ],
    });
    const x = renderJunit({ runs: single, gate });
    expect(testcase(x, IDS.pwd)).toContain('<skipped type="expected-fail" message="expected fail: no PWD on 2.1');
    expect(testcase(x, IDS.noop)).toContain('<failure type="xpass" message="unexpected pass (expected fail: was broken)"');
    xmllint(x);
  });
});

describe('schema validation (xmllint --schema junit-10.xsd)', () => {
  test('the every-verdict run, plain', () => xmllint(renderJunit({ runs: single, gate: evaluateGate(single, plain) })));
  test('two targets', () => xmllint(renderJunit({ runs: multi, gate: evaluateGate(multi, plain) })));
  test('no cases at all', () => xmllint(renderJunit({ runs: [] })));

  test('junit.xml written by a live run (every verdict, against the fake server)', async () => {
    const srv = await verdictServer();
    const out = tempDir('junit-live');
    try {
      const io = captureIo();
      expect(await main(runArgs(srv.port, '--out', out, '--report', 'junit,json'), io)).toBe(1);
      const xml = fs.readFileSync(path.join(out, 'junit.xml'), 'utf8');
      for (const el of ['<failure', '<error', '<skipped type="skip"', '<skipped type="unsupported"']) expect(xml).toContain(el);
      xmllint(xml);
      expect(fs.existsSync(path.join(out, 'report.html'))).toBe(false);
    } finally {
      await srv.close();
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});
