/**
 * The fake server's fault knobs (after ftpserver.pl: custom reply, delay, no data connection, bad
 * PASV port) each make the harness reach the verdict the fault deserves, and the well-behaved
 * defaults pass in every data mode: the fake server is a fair baseline for the other tests.
 */
import { runCases } from '../../src/run/runner';
import { DataMode } from '../../src/suite/types';
import { deadPort, FakeScript, startFakeServer } from '../support/fake-server';
import { fixtureCases, HELLO, runOptions } from '../support/harness';

const NOOP = 'rfc959/4.1.3/noop-ok';
const RETR = 'rfc959/4.1.3/retr-download';
const files = { 'hello.txt': HELLO };

async function run(script: FakeScript, ids: string[], modes: DataMode[] = ['pasv']) {
  const server = await startFakeServer({ files, ...script });
  try {
    const started = Date.now();
    const result = await runCases(fixtureCases('hostile.yaml', ids), runOptions(server.port, { dataModes: modes }));
    return { result, wallMs: Date.now() - started, commands: server.sessions.map((s) => [...s.commands]) };
  } finally {
    await server.close();
  }
}

describe('fake server defaults', () => {
  test('every hostile fixture case passes, RETR in all four data modes, with no deviation', async () => {
    const { result, commands } = await run({}, [NOOP, RETR, 'rfc959/4.1.3/syst-type', 'rfc959/4.1.3/pwd-name'], ['pasv', 'epsv', 'port', 'eprt']);
    expect(result.cases.map((c) => [c.id, c.mode, c.verdict, c.deviations.length])).toEqual([
      [NOOP, undefined, 'pass', 0],
      [RETR, 'pasv', 'pass', 0],
      [RETR, 'epsv', 'pass', 0],
      [RETR, 'port', 'pass', 0],
      [RETR, 'eprt', 'pass', 0],
      ['rfc959/4.1.3/syst-type', undefined, 'pass', 0],
      ['rfc959/4.1.3/pwd-name', undefined, 'pass', 0],
    ]);
    // The preflight logs in and asks FEAT; every session ends with QUIT.
    expect(commands[0]).toEqual(['USER tester', 'PASS secret', 'FEAT', 'QUIT']);
    expect(result.target.features).toEqual(['SIZE']);
    expect(commands.every((c) => c[c.length - 1] === 'QUIT')).toBe(true);
  });
});

describe('fault knobs', () => {
  test('replies: a custom 500 to NOOP fails the MUST case with the reply as actual', async () => {
    const { result } = await run({ replies: { NOOP: '500 no such thing' } }, [NOOP]);
    expect(result.cases[0]).toMatchObject({ verdict: 'fail', actual: '500 no such thing', expected: '200' });
    expect(result.cases[0].reason).toBe('NOOP: expected 200, got 500');
  });

  test('delayMs below the step timeout: a slow but timely server passes', async () => {
    const { result } = await run({ delayMs: { NOOP: 300 } }, [NOOP]);
    expect(result.cases[0].verdict).toBe('pass');
  });

  test('delayMs beyond the step timeout: error after the step timeout, not a hang', async () => {
    // The reply would come after 6 s: ending well before that proves the step timeout, not the
    // server, ended the case (with room for a loaded CI machine).
    const { result, wallMs } = await run({ delayMs: { NOOP: 6000 } }, [NOOP]);
    expect(result.cases[0].verdict).toBe('error');
    expect(result.cases[0].reason).toBe('no reply within 800 ms');
    expect(wallMs).toBeLessThan(4500);
  });

  test('noDataConnection: RETR answered 425 fails the transfer case', async () => {
    const { result } = await run({ noDataConnection: true }, [RETR]);
    expect(result.cases[0]).toMatchObject({ verdict: 'fail', mode: 'pasv' });
    expect(result.cases[0].reason).toMatch(/^RETR hello\.txt: expected 226\|250, got 425$/);
  });

  test('pasvPort: an EPSV naming a dead port fails the case (no data connection to be had)', async () => {
    const port = await deadPort();
    const { result } = await run({ pasvPort: port }, [RETR], ['epsv']);
    expect(result.cases[0]).toMatchObject({ verdict: 'fail', mode: 'epsv' });
    expect(result.cases[0].reason).toContain(`announced port ${port}`);
  });
});
