import * as path from 'path';
import { createTemporaryServer, TemporaryServer } from '../../reference-server';
import { runCases } from '../../src/run/runner';
import { RunOptions } from '../../src/run/types';
import { loadSuites } from '../../src/suite/loader';
import { DATA_MODES } from '../../src/suite/types';

const root = path.resolve(__dirname, '..', '..');
const cases = loadSuites([path.join(root, 'test', 'fixtures', 'suites', 'tls.yaml')], root).flatMap((s) => s.cases);

describe('harness TLS against the reference server', () => {
  let server: TemporaryServer;
  beforeAll(async () => {
    server = await createTemporaryServer({ tls: { requireSessionReuse: true }, implicitTlsPort: 0 });
  });
  afterAll(async () => server?.close());

  test('AUTH TLS upgrade, PROT P data in every mode resuming the session, and implicit FTPS', async () => {
    const opts: RunOptions = {
      host: '127.0.0.1', port: server.port, user: server.user, password: server.password, writable: true,
      dataModes: [...DATA_MODES], levels: ['MUST', 'SHOULD', 'MAY'], stepTimeoutMs: 5000, caseTimeoutMs: 20000,
      connectTimeoutMs: 5000, concurrency: 2, fixturesDir: path.join(root, 'fixtures'), implicitTlsPort: server.implicitTlsPort,
    };
    const result = await runCases(cases, opts);
    const summary = result.cases.map((c) => `${c.id}${c.mode ? ` [${c.mode}]` : ''}: ${c.verdict} ${c.reason}`);
    expect(summary).toEqual(result.cases.map((c) => `${c.id}${c.mode ? ` [${c.mode}]` : ''}: pass `));
    const transfer = result.cases.find((c) => c.mode === 'epsv')!;
    expect(transfer.transcript.some((e) => /TLS on the data connection: .*resumed from the control connection/.test(e.text))).toBe(true);
    expect(result.cases.find((c) => c.id.endsWith('implicit-login'))!.transcript[0].text).toMatch(/implicit TLS/);
  });
});
