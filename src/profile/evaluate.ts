import { CaseResult, ProfileResult, ProfileRowResult } from '../run/types';
import { matchesAny } from '../suite/select';
import { allRows } from './select';
import { HarnessCapabilities, Profile, ProfileRow } from './types';

/**
 * What profile rows may rely on. TLS is on: the harness speaks FTPS (AUTH TLS, PROT P data
 * connections, implicit TLS; src/wire/tls.ts) and the emftp-tls rows have their FTPS cases
 * (suites/profiles/cases/emftp-tls.yaml).
 */
export const HARNESS_CAPABILITIES: HarnessCapabilities = { tls: true };

const NEEDS_REASON: Record<keyof HarnessCapabilities, string> = {
  tls: 'needs FTPS (AUTH TLS / implicit TLS) cases, which this profile does not have yet',
};

function label(r: CaseResult): string {
  return r.mode === undefined ? r.id : `${r.id} [${r.mode}]`;
}

/**
 * One row's status from the results of its cases:
 *   no result, a skip, an error → not-run (the row was not decided);
 *   a fail or warn, or an unsupported (unless the row says unsupported means not-run) → deviates;
 *   every case pass → conforms.
 * A deviation outranks a not-run: one wrong answer is enough to say the device differs.
 */
export function evaluateRow(row: ProfileRow, results: CaseResult[], caps: HarnessCapabilities = HARNESS_CAPABILITIES): ProfileRowResult {
  const base = { row: row.row, documented: row.documented };
  const missing = row.needs.filter((n) => !caps[n]);
  if (missing.length > 0) return { ...base, status: 'not-run', cases: [], reason: missing.map((n) => NEEDS_REASON[n]).join('; ') };
  if (row.untestable !== undefined) return { ...base, status: 'not-run', cases: [], reason: `untestable: ${row.untestable}` };
  const mine = results.filter((r) => matchesAny(row.cases, r.id));
  const cases = mine.map(label);
  if (mine.length === 0) return { ...base, status: 'not-run', cases, reason: 'none of its cases ran (check the selection)' };
  const deviating = mine.find((r) => r.verdict === 'fail' || r.verdict === 'warn' || (r.verdict === 'unsupported' && row.unsupported === 'deviates'));
  if (deviating) return { ...base, status: 'deviates', cases, reason: `${label(deviating)}: ${deviating.reason}` };
  const undecided = mine.find((r) => r.verdict !== 'pass');
  if (undecided) return { ...base, status: 'not-run', cases, reason: `${label(undecided)} ${undecided.verdict}: ${undecided.reason}` };
  return { ...base, status: 'conforms', cases };
}

/** Per documented row of the profile: conforms / deviates / not-run, with the cases that decided it. */
export function evaluateProfile(profile: Profile, results: CaseResult[], caps: HarnessCapabilities = HARNESS_CAPABILITIES): ProfileResult {
  return {
    name: profile.name,
    title: profile.title,
    source: profile.source,
    rows: allRows(profile).map((row) => evaluateRow(row, results, caps)),
  };
}
