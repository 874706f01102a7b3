/** Runs a profile against a temporary reference server (with a personality) through runCases. */
import * as path from 'node:path';
import { createTemporaryServer, type TemporaryServerOptions } from '../../reference-server';
import { evaluateProfile, prepareProfileRun, runOptionsFromProfile } from '../../src/profile';
import type { LoadOptions } from '../../src/profile';
import { runCases } from '../../src/run/runner';
import type { ProfileResult, RunOptions, RunResult } from '../../src/run/types';
import type { Case } from '../../src/suite/types';

export const ROOT = path.resolve(__dirname, '..', '..');

export function baseOptions(port: number, user: string, password: string): RunOptions {
  return {
    host: '127.0.0.1',
    port,
    user,
    password,
    writable: true,
    dataModes: ['pasv', 'epsv', 'port', 'eprt'],
    levels: ['MUST', 'SHOULD', 'MAY'],
    stepTimeoutMs: 4000,
    caseTimeoutMs: 20_000,
    connectTimeoutMs: 4000,
    concurrency: 1,
    fixturesDir: path.join(ROOT, 'fixtures'),
  };
}

/** Runs any cases against a fresh temporary server (quick failed-login delay). */
export async function runAgainst(cases: Case[], server: TemporaryServerOptions, tweak: (o: RunOptions) => RunOptions = (o) => o): Promise<RunResult> {
  const srv = await createTemporaryServer({ failedLoginDelayMs: 0, maxLoginAttempts: 100, ...server });
  try {
    const base = baseOptions(srv.port, srv.user, srv.password);
    // A server started with an implicit FTPS port: the `given: {tls: implicit}` cases use it.
    if (srv.implicitTlsPort !== undefined) base.implicitTlsPort = srv.implicitTlsPort;
    return await runCases(cases, tweak(base));
  } finally {
    await srv.close();
  }
}

export async function runProfile(name: string, server: TemporaryServerOptions, load: LoadOptions = {}): Promise<{ run: RunResult; profile: ProfileResult }> {
  const { profile, cases } = prepareProfileRun(name, load);
  const run = await runAgainst(cases, server, (o) => runOptionsFromProfile(profile, o));
  return { run, profile: evaluateProfile(profile, run.cases) };
}

export function rowsWith(result: ProfileResult, status: string): string[] {
  return result.rows.filter((r) => r.status === status).map((r) => r.row);
}
