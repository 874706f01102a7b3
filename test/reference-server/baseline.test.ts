/**
 * The baseline: every case of every bundled suite passes against the reference server, in every
 * data mode. A new case that fails against the reference server is caught the day it lands — either
 * the case is wrong or the server is, and either way someone has to look.
 */
import * as path from 'node:path';
import { createTemporaryServer, type TemporaryServer } from '../../reference-server';
import { runCases } from '../../src/run/runner';
import type { CaseResult, RunResult } from '../../src/run/types';
import { listSuiteFiles, loadSuites } from '../../src/suite/loader';
import { DATA_MODES, type Case } from '../../src/suite/types';

const ROOT = path.resolve(__dirname, '..', '..');

/**
 * The only cases allowed to be `unsupported`: the RFC lets a server refuse these parameters with
 * 504, and the reference server does. Keyed by case id (a mode suffix is added for transfer cases).
 */
const ALLOWED_UNSUPPORTED: ReadonlyMap<string, string> = new Map([
  // RFC 959 §5.4 lists 504 ("Command not implemented for that parameter") among the replies to
  // STRU, and §5.1 makes only STRU F and R the minimum; page structure is optional. The reference
  // server implements F and R and answers 504 for P.
  ['rfc959/5.4/stru-page', 'STRU P is optional (§5.1 minimum is F and R); the reference server answers 504'],
  // Same for TYPE: §5.1 requires only the default form code N (and TYPE I in practice); the ASA
  // Carriage Control form (§3.1.1.5) is optional, and 504 is a listed reply to TYPE.
  ['rfc959/5.4/type-ascii-carriage-control', 'TYPE A C (ASA carriage control) is optional; the reference server answers 504'],
]);

function label(r: CaseResult): string {
  return r.mode === undefined ? r.id : `${r.id} [${r.mode}]`;
}

function offender(r: CaseResult): string {
  return `${label(r)}: ${r.verdict} — ${r.reason}`;
}

let server: TemporaryServer;
let result: RunResult;
let cases: Case[];

beforeAll(async () => {
  // FTPS on (explicit, and implicit on a second port) so the RFC 4217 cases meet a server that offers it.
  server = await createTemporaryServer({ tls: true, implicitTlsPort: 0 });
  // Device profiles are held to their vendors' tables (and to personalities), not to the full RFCs.
  const files = listSuiteFiles(path.join(ROOT, 'suites')).filter((f) => !f.includes(`${path.sep}profiles${path.sep}`));
  const suites = loadSuites(files, ROOT);
  cases = suites.flatMap((s) => s.cases);
  result = await runCases(cases, {
    host: '127.0.0.1',
    port: server.port,
    user: server.user,
    password: server.password,
    writable: true,
    dataModes: ['pasv', 'epsv', 'port', 'eprt'],
    levels: ['MUST', 'SHOULD', 'MAY'],
    stepTimeoutMs: 5000,
    caseTimeoutMs: 30_000,
    connectTimeoutMs: 5000,
    concurrency: 4,
    fixturesDir: path.join(ROOT, 'fixtures'),
    implicitTlsPort: server.implicitTlsPort,
  });
}, 240_000);

afterAll(async () => {
  await server?.close();
});

describe('every bundled suite against the reference server', () => {
  it('reaches the server and runs cases', () => {
    expect(result.target.unreachable).toBeUndefined();
    expect(result.target.silent).toBeUndefined();
    expect(result.cases.length).toBeGreaterThan(0);
    // Transfer cases ran once per data mode they allow (RFC 959 cases: PASV and PORT).
    const missing = cases.flatMap((c) => {
      const ran = result.cases.filter((r) => r.id === c.id && r.mode !== undefined).map((r) => r.mode);
      if (ran.length === 0) return [];
      return (c.dataModes ?? DATA_MODES).filter((m) => !ran.includes(m)).map((m) => `${c.id} [${m}]`);
    });
    expect(missing).toEqual([]);
    expect(result.cases.some((r) => r.mode !== undefined)).toBe(true);
  });

  it('has no fail, warn or error', () => {
    const offenders = result.cases.filter((r) => r.verdict === 'fail' || r.verdict === 'warn' || r.verdict === 'error').map(offender);
    expect(offenders).toEqual([]);
  });

  it('skips nothing', () => {
    expect(result.cases.filter((r) => r.verdict === 'skip').map(offender)).toEqual([]);
  });

  it('is unsupported only where the RFC lets a server refuse', () => {
    const unsupported = result.cases.filter((r) => r.verdict === 'unsupported');
    const unexpected = unsupported.filter((r) => !ALLOWED_UNSUPPORTED.has(r.id)).map(offender);
    expect(unexpected).toEqual([]);
    // Every allowed entry still names a real unsupported case, so the list cannot go stale.
    expect([...new Set(unsupported.map((r) => r.id))].sort()).toEqual([...ALLOWED_UNSUPPORTED.keys()].sort());
    // And they are unsupported because of the 504 the RFC provides, not a 500/501.
    const notBy504 = unsupported.filter((r) => !/\b504\b/.test(r.actual)).map((r) => `${offender(r)} (actual: ${r.actual})`);
    expect(notBy504).toEqual([]);
  });
});
