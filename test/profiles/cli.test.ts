import { main } from '../../src/cli';
it('list --profile', async () => {
  let out = ''; let err = '';
  const io = { out: (s: string) => (out += s), err: (s: string) => (err += s), colour: false };
  expect(await main(['list', '--profile', 'emftp', '--profile-param', 'connections=3'], io)).toBe(0);
  expect(out).toMatch(/parameter connections = 3/);
  expect(out).toMatch(/emftp\/connections\/limit/);
  expect(await main(['list', '--profile', 'nope'], io)).toBe(2);
  expect(err).toMatch(/no profile "nope"/);
  expect(await main(['list', '--profile', 'emftp', '--profile-param', 'x'], io)).toBe(2);
});

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadProfile, prepareProfileRun } from '../../src/profile';
import { selectProfileCases } from '../../src/profile';
import { formatProblem, SuiteError } from '../../src/suite/loader';

it('profile problems are reported as file:line:col', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftpc-profile-'));
  const file = path.join(dir, 'bad.yaml');
  fs.writeFileSync(file, 'profile: bad\ntitle: t\nsource: s\nselect: [modulus/**]\ndataModes: [pasv]\ncommands: {supported: [NOOP]}\nrows:\n  - {row: a, documented: x, cases: [modulus/nothing/here]}\n  - {row: b, documented: y, bogus: 1}\n');
  let err: unknown;
  try {
    loadProfile('bad', { dir });
  } catch (e) {
    err = e;
  }
  const lines = (err as SuiteError).problems.map(formatProblem);
  expect(lines.some((l) => /bad\.yaml:9:\d+ \/rows\/1: unknown property "bogus"/.test(l))).toBe(true);
  fs.writeFileSync(file, 'profile: bad\ntitle: t\nsource: s\nselect: [modulus/**]\ndataModes: [pasv]\ncommands: {supported: [NOOP]}\nrows:\n  - {row: a, documented: x, cases: [modulus/nothing/here]}\n');
  const profile = loadProfile('bad', { dir });
  expect(() => selectProfileCases(profile, [])).toThrow(/bad\.yaml:8:5 row "a": "modulus\/nothing\/here" names no case/);
  expect(prepareProfileRun('modulus').cases.length).toBeGreaterThan(40);
});
