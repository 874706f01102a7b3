import * as fs from 'fs';
import * as path from 'path';
import { createTemporaryServer, TemporaryServer } from '../../reference-server';
import { runCases } from '../../src/run/runner';
import { CaseResult, RunOptions } from '../../src/run/types';
import { loadSuites } from '../../src/suite/loader';
import { DATA_MODES } from '../../src/suite/types';

/**
 * The RFC 4217 suite against the reference server. The CLI's default run does not start the
 * reference server with TLS, so this test does: with TLS (explicit and implicit), with the strict
 * §10.2 policy (data connections must resume the control connection's TLS session), and without
 * TLS at all — a server that does not offer FTPS is not broken, so there every case must be
 * `unsupported` or `skip`.
 */
const root = path.resolve(__dirname, '..', '..');
const suiteDir = path.join(root, 'suites', 'rfc4217');
const files = fs
  .readdirSync(suiteDir)
  .filter((f) => /\.ya?ml$/.test(f))
  .map((f) => path.join(suiteDir, f));
const cases = loadSuites(files, root).flatMap((s) => s.cases);

/**
 * Where the reference server departs from the RFC and the suite says so, with the source that
 * documents it. Kept here so that a fix (or a new departure) shows up as a test failure.
 */
const REFERENCE_DEVIATIONS: Record<string, string> = {};

function options(server: TemporaryServer): RunOptions {
  return {
    host: '127.0.0.1', port: server.port, user: server.user, password: server.password, writable: true,
    dataModes: [...DATA_MODES], levels: ['MUST', 'SHOULD', 'MAY'], stepTimeoutMs: 5000, caseTimeoutMs: 30000,
    connectTimeoutMs: 5000, concurrency: 4, fixturesDir: path.join(root, 'fixtures'), implicitTlsPort: server.implicitTlsPort,
  };
}

const label = (c: CaseResult) => `${c.id}${c.mode ? ` [${c.mode}]` : ''}`;
const line = (c: CaseResult) => `${label(c)}: ${c.verdict} ${c.reason}`.trim();

function offenders(results: CaseResult[], allowed: (c: CaseResult) => boolean): string[] {
  return results.filter((c) => !allowed(c)).map(line);
}

describe('RFC 4217 suite against the reference server', () => {
  test('the suite has cases that move data (the transfer matrix) and implicit-FTPS cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
    expect(cases.some((c) => c.steps.some((s) => 'transfer' in s) && c.dataModes === undefined)).toBe(true);
    expect(cases.some((c) => c.given.tls === 'implicit')).toBe(true);
  });

  describe('with TLS (explicit and implicit)', () => {
    let server: TemporaryServer;
    beforeAll(async () => {
      server = await createTemporaryServer({ tls: true, implicitTlsPort: 0 });
    });
    afterAll(async () => server?.close());

    test('every case passes in every data mode', async () => {
      const result = await runCases(cases, options(server));
      const expected = (c: CaseResult) => (REFERENCE_DEVIATIONS[c.id] ?? 'pass') === c.verdict;
      expect(offenders(result.cases, expected)).toEqual([]);
      // Every listed deviation still happens (a fixed one must leave the list).
      for (const id of Object.keys(REFERENCE_DEVIATIONS)) expect(result.cases.some((c) => c.id === id)).toBe(true);
      // The transfer matrix ran: each data-moving case in all four modes.
      const modes = new Set(result.cases.filter((c) => c.id === 'rfc4217/9/prot-p-round-trip-protected').map((c) => c.mode));
      expect([...modes].sort()).toEqual([...DATA_MODES].sort());
    });
  });

  describe('with TLS, insisting on TLS session reuse for data connections (RFC 4217 §10.2)', () => {
    let server: TemporaryServer;
    beforeAll(async () => {
      server = await createTemporaryServer({ tls: { requireSessionReuse: true }, implicitTlsPort: 0 });
    });
    afterAll(async () => server?.close());

    test('every case passes in every data mode (the harness resumes the control session)', async () => {
      const result = await runCases(cases, options(server));
      const expected = (c: CaseResult) => (REFERENCE_DEVIATIONS[c.id] ?? 'pass') === c.verdict;
      expect(offenders(result.cases, expected)).toEqual([]);
    });
  });

  describe('without TLS', () => {
    let server: TemporaryServer;
    beforeAll(async () => {
      server = await createTemporaryServer();
    });
    afterAll(async () => server?.close());

    test('a server that does not offer FTPS is unsupported or skip, never failed', async () => {
      const result = await runCases(cases, options(server));
      expect(offenders(result.cases, (c) => c.verdict === 'unsupported' || c.verdict === 'skip')).toEqual([]);
      // The implicit cases have no implicit port to go to.
      for (const c of result.cases.filter((r) => cases.find((k) => k.id === r.id)!.given.tls === 'implicit')) expect(c.verdict).toBe('skip');
    });
  });
});
