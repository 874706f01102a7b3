/**
 * Device profiles against emulated devices: each profile conforms 100% to its own personality of
 * the reference server, and against the strict reference server deviates exactly on the rows where
 * the vendor's documentation differs from RFC-plain behaviour.
 */
import { EMFTP_COMMANDS, PERSONALITIES } from '../../reference-server/personalities';
import { loadProfile, renderProfileTable } from '../../src/profile';
import type { ProfileResult } from '../../src/run/types';
import { rowsWith, runProfile } from './helpers';

jest.setTimeout(120_000);

/** Rows that can never be decided from the network (the profile says why): always not-run. */
const MODULUS_UNTESTABLE = ['user-530', 'user-421', 'stor-426', 'stor-451', 'appe-426', 'appe-451'];
/** emftp-tls rows no black-box FTPS case can decide (the profile says why). */
const EMFTP_TLS_UNTESTABLE = ['ftpes-required', 'ftps-implicit-plain-refused'];

function expectAllConform(result: ProfileResult, notRun: string[] = []): void {
  const off = result.rows.filter((r) => r.status === 'deviates').map((r) => `${r.row}: ${r.reason}`);
  expect(off).toEqual([]);
  expect(rowsWith(result, 'not-run').sort()).toEqual([...notRun].sort());
}

describe('each profile conforms 100% to its own personality', () => {
  it('modulus', async () => {
    const { run, profile } = await runProfile('modulus', { personality: 'modulus' });
    expect(run.cases.filter((c) => c.verdict !== 'pass').map((c) => `${c.id}: ${c.reason}`)).toEqual([]);
    expectAllConform(profile, MODULUS_UNTESTABLE);
  });

  it('emftp, at its default and at a configured connection limit', async () => {
    const { run, profile } = await runProfile('emftp', { personality: 'emftp' });
    expect(run.cases.filter((c) => c.verdict !== 'pass').map((c) => `${c.id}: ${c.reason}`)).toEqual([]);
    expectAllConform(profile);
    const three = await runProfile('emftp', { personality: { ...PERSONALITIES.emftp, maxSessions: 3 } }, { parameters: { connections: 3 } });
    expectAllConform(three.profile);
    // The same device checked against the wrong configured number is caught.
    const wrong = await runProfile('emftp', { personality: 'emftp' }, { parameters: { connections: 3 } });
    expect(rowsWith(wrong.profile, 'deviates')).toEqual(['connection-limit']);
  });

  it('emftp-tls, over explicit FTPES and the implicit FTPS port: every checkable row conforms', async () => {
    const { run, profile } = await runProfile('emftp-tls', { personality: 'emftp-tls', tls: true, implicitTlsPort: 0 });
    expect(run.cases.filter((c) => c.verdict !== 'pass').map((c) => `${c.id}: ${c.reason}`)).toEqual([]);
    expect(run.cases.filter((c) => c.id.startsWith('emftptls/')).length).toBeGreaterThanOrEqual(4);
    expectAllConform(profile, EMFTP_TLS_UNTESTABLE);
    expect(rowsWith(profile, 'conforms')).toEqual(expect.arrayContaining(['ftpes-explicit', 'ftps-implicit', 'ftps-data-protection']));
    for (const r of profile.rows.filter((x) => EMFTP_TLS_UNTESTABLE.includes(x.row))) expect(r.reason).toMatch(/^untestable: /);
  });

  it('emftp-tls on a server without implicit FTPS: the documented port 990 is tried, the implicit rows are not-run, FTPES still conforms', async () => {
    // No --implicit-tls-port: the profile's documented port (990) is used, and nothing listens there.
    const { profile } = await runProfile('emftp-tls', { personality: 'emftp-tls', tls: true });
    expectAllConform(profile, [...EMFTP_TLS_UNTESTABLE, 'ftps-implicit', 'ftps-data-protection']);
    expect(rowsWith(profile, 'conforms')).toContain('ftpes-explicit');
    expect(profile.rows.find((r) => r.row === 'ftps-implicit')!.reason).toMatch(/implicit TLS to 127\.0\.0\.1:990/);
  });

  it('rfc959-minimum', async () => {
    const { run, profile } = await runProfile('rfc959-minimum', { personality: 'rfc959-minimum' });
    expect(run.cases.filter((c) => c.verdict !== 'pass').map((c) => `${c.id}: ${c.reason}`)).toEqual([]);
    expectAllConform(profile);
  });

  it('rfc1123-minimum (the reference server is its own device)', async () => {
    const { run, profile } = await runProfile('rfc1123-minimum', {});
    expect(run.cases.filter((c) => c.verdict !== 'pass').map((c) => `${c.id}: ${c.reason}`)).toEqual([]);
    expectAllConform(profile);
  });
});

describe('against the strict reference server, the rows where the documentation differs', () => {
  it('modulus: every documented text and the limits, but not the overwrite or the CWP probe', async () => {
    const { profile } = await runProfile('modulus', {});
    expect(rowsWith(profile, 'deviates')).toEqual([
      // Reply texts: the notes give Modulus' own words for every reply; the reference server words them its way.
      'greeting-220', 'user-anonymous', 'user-331-named', 'pass-230', 'pass-530',
      // CWD: the device answers 200 and does nothing; the reference server changes directory (250).
      'cwd-200',
      'pwd-257', 'quit-221', 'port-200', 'port-501', 'port-530', 'pasv-227', 'pasv-501', 'pasv-530',
      // TYPE: "200 Command Successful" for I, A, L 7, L 8; the reference server says "Type set to …", takes E and refuses L 7.
      'type-200', 'type-504', 'type-530',
      'stor-125-226', 'stor-425', 'stor-553', 'stor-501', 'stor-530',
      'retr-125-226', 'retr-425', 'retr-550', 'retr-501', 'retr-530',
      // 125 (not 150) before the data, and its text.
      'list-125', 'list-226', 'list-425', 'list-530',
      'appe-125-226', 'appe-425', 'appe-553', 'appe-501', 'appe-530',
      'dele-250', 'dele-550', 'dele-501', 'dele-530',
      'syst-215', 'noop-200',
      // One connection at a time; the reference server takes 100.
      'connection-limit',
      // Commands outside the Modulus table, all implemented by the reference server.
      'unlisted-mkd', 'unlisted-rmd', 'unlisted-nlst', 'unlisted-size', 'unlisted-feat', 'unlisted-mlsd',
    ]);
    expect(rowsWith(profile, 'conforms')).toEqual(['cwp-spelling', 'stor-overwrite']);
  });

  it('emftp: the connection limit and every probed command outside the 22', async () => {
    const { profile } = await runProfile('emftp', {});
    const probes = loadProfile('emftp').commands.other!.probe.map((v) => `unlisted-${v.toLowerCase()}`);
    expect(rowsWith(profile, 'deviates')).toEqual(['connection-limit', ...probes]);
  });

  it('rfc959-minimum and rfc1123-minimum: none (the reference server is a superset)', async () => {
    expect(rowsWith((await runProfile('rfc959-minimum', {})).profile, 'deviates')).toEqual([]);
  });
});

describe('a device that differs in one documented row is caught on that row', () => {
  it('modulus against a server that accepts two connections: the one-connection row deviates', async () => {
    const { profile } = await runProfile('modulus', { personality: 'modulus', maxSessions: 2 });
    expect(rowsWith(profile, 'deviates')).toEqual(['connection-limit']);
    expect(profile.rows.find((r) => r.row === 'connection-limit')!.reason).toMatch(/beyond.*220/s);
  });

  it('emftp-tls against the plain emftp personality (no AUTH, PBSZ, PROT) with TLS on: the FTPS rows deviate', async () => {
    const { profile } = await runProfile('emftp-tls', { personality: 'emftp', tls: true, implicitTlsPort: 0 });
    // AUTH TLS is 502 (filtered out like any unlisted verb); on the implicit port PBSZ is 502 too.
    expect(rowsWith(profile, 'deviates').sort()).toEqual(['ftpes-explicit', 'ftps-data-protection', 'ftps-implicit']);
  });

  it('emftp against a server that also implements MLSD: the MLSD row deviates', async () => {
    const withMlsd = { ...PERSONALITIES.emftp, commands: [...EMFTP_COMMANDS, 'QUIT', 'MLSD'] };
    const { profile } = await runProfile('emftp', { personality: withMlsd });
    expect(rowsWith(profile, 'deviates')).toEqual(['unlisted-mlsd']);
  });
});

describe('console rendering', () => {
  it('shows every documented row with conforms / deviates / not-run', async () => {
    const { profile } = await runProfile('modulus', { personality: 'modulus', maxSessions: 2 });
    const text = renderProfileTable(profile, false);
    expect(text).toMatch(/^profile modulus: Modulus FTP Server/);
    expect(text).toMatch(/│ greeting-220 +│ 220 Modulus FTP Server Ready\. +│ conforms │/);
    expect(text).toMatch(/│ connection-limit +│ This is a limited server .*│ deviates │ modulus\/connections\/limit/);
    expect(text).toMatch(/│ stor-426 .*│ not-run +│ untestable:/);
    expect(text).toMatch(/57 documented rows: 50 conforms, 1 deviates, 6 not-run/);
    expect(renderProfileTable(profile, true)).toContain('\x1b[31mdeviates\x1b[0m');
  });
});
