/**
 * Device profiles: a vendor's documented FTP behaviour as data (suites/profiles/*.yaml), the cases
 * that check it, and the per-row verdict conforms / deviates / not-run.
 *
 *   const { profile, cases } = prepareProfileRun('modulus');
 *   const result = await runCases(cases, runOptionsFromProfile(profile, opts));
 *   result.profile = evaluateProfile(profile, result.cases);
 *   io.out(renderProfileTable(result.profile, io.colour));
 */
import { Argv } from 'yargs';
import { RunOptions } from '../run/types';
import { Case, DataMode } from '../suite/types';
import { loadProfile, LoadOptions } from './loader';
import { loadProfileSuites, selectProfileCases } from './select';
import { Profile } from './types';

export type { Profile, ProfileRow, ProfileReply, HarnessCapabilities } from './types';
export { loadProfile, listProfiles, profilesDir, type LoadOptions } from './loader';
export { loadProfileSuites, selectProfileCases, profileCases, profileRows, allRows } from './select';
export { evaluateProfile, evaluateRow, HARNESS_CAPABILITIES } from './evaluate';
export { renderProfileTable, describeProfile } from './render';

/** Thrown for a malformed `--profile-param`; the CLI turns it into a usage error (exit 2). */
export class ProfileUsageError extends Error {}

/** `--profile NAME` and `--profile-param name=value` (repeatable), for `run` and `list`. */
export function profileOption<T>(y: Argv<T>) {
  return y
    .option('profile', { type: 'string', describe: 'a device profile from suites/profiles/ (modulus, emftp, emftp-tls, rfc959-minimum, rfc1123-minimum)' })
    .option('profile-param', { type: 'string', array: true, describe: 'a profile parameter, name=value (e.g. connections=3 for emftp); repeatable' });
}

export function profileParameters(values: readonly string[] | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values ?? []) {
    const m = /^([a-zA-Z][a-zA-Z0-9]*)=(\d+)$/.exec(v.trim());
    if (!m) throw new ProfileUsageError(`--profile-param "${v}" is not name=<positive integer>`);
    out[m[1]] = Number(m[2]);
  }
  return out;
}

/** The profile and the cases it runs (bundled suites, its own suites, its synthetic cases). */
export function prepareProfileRun(name: string, opts: LoadOptions = {}): { profile: Profile; cases: Case[] } {
  const profile = loadProfile(name, opts);
  return { profile, cases: selectProfileCases(profile, loadProfileSuites(profile)) };
}

/**
 * The run options a profile implies: its data modes (narrowed by an explicit --data-mode, never
 * widened) and one case at a time — the connection-limit case counts connections, and many devices
 * take one session at a time.
 */
export function runOptionsFromProfile(profile: Profile, opts: RunOptions, requestedModes?: DataMode[]): RunOptions {
  const modes = requestedModes ? profile.dataModes.filter((m) => requestedModes.includes(m)) : profile.dataModes;
  // The documented implicit FTPS port (990 for emftp-tls) unless the command line names another.
  const implicitTlsPort = opts.implicitTlsPort ?? profile.tls?.implicitPort;
  return { ...opts, dataModes: modes.length > 0 ? modes : profile.dataModes, concurrency: 1, ...(implicitTlsPort !== undefined ? { implicitTlsPort } : {}) };
}
