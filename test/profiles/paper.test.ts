/**
 * The RFC 959 suite against the `paper` fault personality (the minimal Python server of
 * shared/seeds/minimal-python-ftp-paper.txt). Every deviation the paper shows is reported as fail or
 * warn with its RFC sentence, and every non-pass result is tied to one of those deviations: nothing
 * the server does right is reported.
 */
import * as path from 'node:path';
import type { CaseResult, RunResult } from '../../src/run/types';
import { listSuiteFiles, loadSuites } from '../../src/suite/loader';
import { ROOT, runAgainst } from './helpers';

jest.setTimeout(240_000);

/** Table I: the commands the paper's server implements. Anything else: "Invalid/Not Implemented 502". */
const TABLE_I = new Set(['USER', 'PASS', 'QUIT', 'PORT', 'PASV', 'NOOP', 'TYPE', 'STOR', 'RETR', 'SYST', 'PWD', 'LIST', 'CWD', 'STRU', 'MODE', 'MKD']);

/** The deviations named in the paper, each with the case ids that must report it (fail or warn) and its figure. */
const NAMED: Record<string, { cases: string[]; verdicts: string[] }> = {
  // Fig. B.5: PASS → "200 Success" (RFC 959 §5.4: PASS → 230 / 202).
  'PASS → 200': { cases: ['rfc959/5.4/user-then-pass-230', 'rfc959/5.3/user-pass-lower-case', 'rfc959/4.1.1/user-after-login-new-login'], verdicts: ['fail', 'warn'] },
  // Fig. B.6: a bad login → "430 Invalid login" (§5.4: 530).
  'PASS → 430': { cases: ['rfc959/5.4/pass-wrong-password-530', 'rfc959/4.1.1/user-unknown-user-331', 'rfc959/4.1.1/user-after-login-flushes-credentials', 'rfc959/6/pass-again-after-failed-pass', 'rfc959/6/user-pass-again-after-failure'], verdicts: ['fail', 'warn'] },
  // Fig. B.55: SYST → "200 Windows" (§5.4: 215).
  'SYST → 200': { cases: ['rfc959/4.1.3/syst-215-system-name', 'rfc959/5.4/syst-before-login-215'], verdicts: ['fail'] },
  // Fig. B.10: PWD → "257 C:\…" unquoted (Appendix II); Fig. B.15: MKD likewise.
  'PWD/MKD unquoted': {
    cases: ['rfc959/AppendixII/pwd-257-quoted', 'rfc959/AppendixII/pwd-quote-doubling', 'rfc959/AppendixII/mkd-257-absolute-path', 'rfc959/AppendixII/mkd-quote-doubling', 'rfc959/AppendixII/mkd-name-usable-by-cwd', 'rfc959/4.1.3/pwd-names-working-directory', 'rfc959/4.2/failed-cwd-leaves-directory'],
    verdicts: ['warn', 'unsupported', 'fail'],
  },
  // Fig. B.12: CWD → 200 (§5.4: 250).
  'CWD → 200': { cases: ['rfc959/5.4/cwd-250'], verdicts: ['warn'] },
  // Fig. B.21: "227 Entering Passive Mode 192,168,101,130,5,17" without parentheses.
  'PASV without parentheses': { cases: ['rfc959/4.1.2/pasv-227-host-port'], verdicts: ['warn'] },
  // Fig. B.52: LIST of a missing directory → 501 (§5.4: 450 / 550).
  'LIST missing → 501': { cases: ['rfc959/5.4/list-missing-path'], verdicts: ['fail'] },
  // Figs. B.23, B.30: STOR and RETR answered "250 Accepted" with no 1yz (§5.4: 125/150 first).
  'STOR/RETR without 1yz': { cases: ['rfc959/5.4/stor-preliminary-then-completion', 'rfc959/5.4/retr-preliminary-then-completion'], verdicts: ['fail'] },
  // Table I: TYPE only A and I (§5.1 requires A N, the same as A, by name too), STRU only F (§5.1: F and R).
  'TYPE A N / STRU R refused': { cases: ['rfc959/5.1/type-ascii-nonprint-200', 'rfc959/5.1/stru-record'], verdicts: ['fail', 'unsupported'] },
  // Table I / Fig. B.56: NLST and the other unlisted commands → 502, so the NLST-based data cases fail.
  'NLST → 502': { cases: ['rfc959/5.4/pasv-then-nlst', 'rfc959/5.4/port-then-nlst'], verdicts: ['fail'] },
};

/** Why a non-pass result is the paper's doing: the rule that explains it, or undefined. */
function explain(r: CaseResult): string | undefined {
  for (const [name, d] of Object.entries(NAMED)) if (d.cases.includes(r.id)) return name;
  // Figs. B.23, B.30: any case that stores or retrieves a file meets the missing 1yz (the case's
  // own subject is then never reached): the §5.4 wire deviation, or a RETR/STOR step expecting 1yz.
  if (/no 1yz before it|expected 125\|150, got 250/.test(r.reason)) return 'STOR/RETR without 1yz';
  if (r.verdict === 'error' && r.transcript.some((t) => t.dir === 's>c' && /^250 Accepted/.test(t.text))) return 'STOR/RETR without 1yz';
  // Table I: a command outside the table gets 502 ("the server does not implement X").
  const refused = /(?:^|: )([A-Z]{3,4})\b[^:]*: the server does not implement|got 502/.exec(r.reason);
  const verb = /^([A-Za-z]{3,4})\b/.exec(r.reason)?.[1]?.toUpperCase();
  if (refused && verb && !TABLE_I.has(verb)) return 'Table I: command not implemented (502)';
  if (/the server does not implement (?:type|ASCII|Block|Compressed|Page|EBCDIC)|TYPE A N/.test(r.reason)) return 'Table I: TYPE A/I, STRU F, MODE S only (504)';
  if (/TYPE L 8|TYPE E|TYPE A [TC]|MODE [BC]|STRU [PR]/.test(r.reason)) return 'Table I: TYPE A/I, STRU F, MODE S only (504)';
  return undefined;
}

let run: RunResult;

beforeAll(async () => {
  const cases = loadSuites(listSuiteFiles(path.join(ROOT, 'suites', 'rfc959')), ROOT).flatMap((s) => s.cases);
  // Table I has PASV and PORT only: the run uses those data modes.
  run = await runAgainst(cases, { personality: 'paper' }, (o) => ({ ...o, dataModes: ['pasv', 'port'], concurrency: 6 }));
});

describe('RFC 959 suite against the paper personality', () => {
  it('reports every deviation the paper shows, as fail or warn (or unsupported for a refused parameter), with the RFC sentence', () => {
    for (const [name, d] of Object.entries(NAMED)) {
      for (const id of d.cases) {
        const results = run.cases.filter((r) => r.id === id);
        expect({ name, id, ran: results.length > 0 }).toEqual({ name, id, ran: true });
        for (const r of results) {
          expect({ name, id, verdict: d.verdicts.includes(r.verdict) }).toEqual({ name, id, verdict: true });
          expect(r.requirement.length).toBeGreaterThan(10);
        }
      }
    }
    const missing1yz = run.cases.find((r) => r.id === 'rfc959/5.4/stor-preliminary-then-completion')!;
    expect(missing1yz.deviations.map((d) => `${d.kind} ${d.ref}`)).toContain('missing-preliminary RFC 959 §5.4');
    expect(missing1yz.deviations[0].requirement).toMatch(/must be strictly adhered to/);
  });

  it('reports nothing else: every non-pass result is tied to a paper deviation', () => {
    const unexplained = run.cases.filter((r) => r.verdict !== 'pass' && explain(r) === undefined).map((r) => `${r.id}${r.mode ? ` [${r.mode}]` : ''}: ${r.verdict} — ${r.reason}`);
    expect(unexplained).toEqual([]);
  });

  it('passes what the paper server does right (greeting, USER 331, NOOP, QUIT, TYPE I/A, MODE S, STRU F, PORT syntax, unknown → 5xx)', () => {
    const ok = ['rfc959/5.4/greeting-220', 'rfc959/4.1.3/noop-200', 'rfc959/4.1.1/quit-221-closes', 'rfc959/5.4/type-image', 'rfc959/3.1.1.1/type-ascii-200', 'rfc959/5.1/mode-stream-200', 'rfc959/5.1/stru-file-200', 'rfc959/4.1.2/port-too-few-fields', 'rfc959/4.2/unimplemented-command-502'];
    expect(ok.map((id) => [id, run.cases.find((r) => r.id === id)?.verdict])).toEqual(ok.map((id) => [id, 'pass']));
  });
});
