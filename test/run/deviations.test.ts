/**
 * Every wire deviation a server can cause is caught by a real run: for each kind, a fake server
 * that shows exactly that fault (and nothing else), one case from
 * test/fixtures/suites/wire-deviations.yaml run through runCases, and the checks that the result
 * names the kind, carries the offending bytes, and is graded by the kind's severity.
 */
import * as net from 'net';
import { runCases } from '../../src/run/runner';
import { CaseResult, Verdict } from '../../src/run/types';
import { DEVIATION_RULES, DeviationKind, Severity } from '../../src/wire/deviations';
import { foldWhitespace, loadFoldedRfc } from '../../src/suite/rfc-text';
import { FakeScript, FakeSession, startFakeServer } from '../support/fake-server';
import { fixtureCases, HELLO, runOptions } from '../support/harness';

const NOOP_CASE = 'rfc959/4.2/noop-reply-format';
const IDLE_CASE = 'rfc959/5.4/idle-no-spontaneous-reply';
const RETR_CASE = 'rfc959/5.4/retr-reply-sequence';

interface Row {
  kind: DeviationKind;
  caseId: string;
  script: FakeScript;
  /** What the deviation's `raw` must contain (in the escaped form `visible()` gives). */
  raw: string;
}

/** A NOOP answered with exactly these bytes. */
function noop(bytes: string | Buffer, then?: (s: FakeSession) => void): FakeScript {
  return {
    handlers: {
      NOOP: (_arg, s) => {
        s.send(bytes);
        then?.(s);
      },
    },
  };
}

const files = { 'hello.txt': HELLO };

const longMultiline =
  '200-start\r\n' + Array.from({ length: 800 }, (_, i) => ` line ${String(i).padStart(4, '0')} ${'x'.repeat(88)}\r\n`).join('') + '200 end\r\n';

const ROWS: Row[] = [
  { kind: 'bare-lf', caseId: NOOP_CASE, script: noop('200 ok\n'), raw: '200 ok\\n' },
  // A bare CR only ends a line when the next byte arrives, so it sits inside a multi-line reply.
  { kind: 'bare-cr', caseId: NOOP_CASE, script: noop('200-first\rsecond\r\n200 end\r\n'), raw: '200-first\\r' },
  { kind: 'missing-final-crlf', caseId: NOOP_CASE, script: noop('200 ok', (s) => s.close()), raw: '200 ok' },
  { kind: 'no-space-after-code', caseId: NOOP_CASE, script: noop('200ok\r\n'), raw: '200ok\\r\\n' },
  { kind: 'not-a-reply', caseId: NOOP_CASE, script: noop('hello there\r\n'), raw: 'hello there\\r\\n' },
  { kind: 'code-out-of-range', caseId: NOOP_CASE, script: noop('600 out of range\r\n'), raw: '600 out of range\\r\\n' },
  { kind: 'multiline-closed-by-other-code', caseId: NOOP_CASE, script: noop('200-start\r\n201 end\r\n'), raw: '201 end\\r\\n' },
  { kind: 'multiline-unpadded-code', caseId: NOOP_CASE, script: noop('200-start\r\n123-inner\r\n200 end\r\n'), raw: '123-inner\\r\\n' },
  { kind: 'nul-byte', caseId: NOOP_CASE, script: noop('200 o\x00k\r\n'), raw: '200 o\\x00k\\r\\n' },
  { kind: 'non-utf8', caseId: NOOP_CASE, script: noop(Buffer.from('200 caf\xe9\r\n', 'latin1')), raw: '200 caf\\xe9\\r\\n' },
  { kind: 'line-too-long', caseId: NOOP_CASE, script: noop(`200 ${'a'.repeat(9000)}\r\n`), raw: '200 aaaaaaaa' },
  {
    kind: 'reply-too-long',
    caseId: NOOP_CASE,
    script: noop(longMultiline),
    raw: '200-start\\r\\n line 0000',
  },
  {
    kind: 'unsolicited-reply',
    caseId: IDLE_CASE,
    script: {
      // Session 0 is the runner's preflight; the case's own connection gets the spontaneous reply,
      // 100 ms after the greeting, while the case sleeps and no command is outstanding.
      onConnect: (s) => {
        if (s.index > 0) void s.wait(100).then(() => s.send('200 spontaneous hello\r\n'));
      },
    },
    raw: '200 spontaneous hello\\r\\n',
  },
  { kind: 'extra-reply', caseId: NOOP_CASE, script: noop('200 ok\r\n200 again\r\n'), raw: '200 again\\r\\n' },
  {
    kind: 'missing-preliminary',
    caseId: RETR_CASE,
    script: {
      files,
      handlers: {
        // The file goes over the data connection, then 226 with no 150 before it.
        RETR: async (_arg, s) => {
          const d = await s.dataSocket();
          d.end(HELLO);
          await new Promise((r) => d.once('close', r));
          s.reply(226, 'Transfer complete');
        },
      },
    },
    raw: '226 Transfer complete\\r\\n',
  },
  { kind: 'telnet-iac', caseId: NOOP_CASE, script: noop(Buffer.concat([Buffer.from([0xff, 0xfb, 0x01]), Buffer.from('200 ok\r\n')])), raw: '\\xff\\xfb\\x01' },
  { kind: 'pasv-foreign-host', caseId: RETR_CASE, script: { files, pasvAddress: '10.9.8.7' }, raw: '227 Entering Passive Mode (10,9,8,7,' },
  {
    kind: 'unsolicited-421',
    caseId: NOOP_CASE,
    // One write: the 421 arrives with the NOOP's answer, before the harness can send anything else.
    script: noop('200 ok\r\n421 shutting down\r\n', (s) => s.close()),
    raw: '421 shutting down\\r\\n',
  },
];

const VERDICT_OF: Record<Severity, Verdict> = { fail: 'fail', warn: 'warn', info: 'pass' };

async function runRow(row: Pick<Row, 'caseId' | 'script'>): Promise<{ result: CaseResult; passiveAccepts: string[]; sessions: number }> {
  const server = await startFakeServer(row.script);
  try {
    const run = await runCases(fixtureCases('wire-deviations.yaml', [row.caseId]), runOptions(server.port));
    expect(run.cases).toHaveLength(1);
    return { result: run.cases[0], passiveAccepts: [...server.passiveAccepts], sessions: server.sessions.length };
  } finally {
    await server.close();
  }
}

function describeResult(r: CaseResult): string {
  return JSON.stringify({ verdict: r.verdict, reason: r.reason, deviations: r.deviations.map((d) => [d.kind, d.raw]) }, null, 1);
}

describe('fixture suite', () => {
  test('quotes RFC 959 verbatim in every case', () => {
    const rfc = loadFoldedRfc('rfc959')!;
    for (const c of fixtureCases('wire-deviations.yaml')) expect([c.id, rfc.includes(foldWhitespace(c.requirement))]).toEqual([c.id, true]);
  });
});

describe('every deviation a server can cause reaches the case result', () => {
  test('the table covers every deviation kind', () => {
    expect(ROWS.map((r) => r.kind).sort()).toEqual(Object.keys(DEVIATION_RULES).sort());
  });

  test('control: a well-behaved fake server gives pass and no deviation in each fixture case', async () => {
    for (const caseId of [NOOP_CASE, IDLE_CASE, RETR_CASE]) {
      const { result } = await runRow({ caseId, script: { files } });
      expect([caseId, result.verdict, result.deviations]).toEqual([caseId, 'pass', []]);
    }
  });

  for (const row of ROWS) {
    const severity = DEVIATION_RULES[row.kind].severity;
    const verdict = VERDICT_OF[severity];
    test(`${row.kind} (${severity}) is recorded with its raw bytes and grades the case ${verdict}`, async () => {
      const { result } = await runRow(row);
      const found = result.deviations.filter((d) => d.kind === row.kind);
      if (found.length === 0) throw new Error(`no ${row.kind} deviation in ${describeResult(result)}`);
      // Exactly that fault: no other kind is reported alongside it.
      expect([...new Set(result.deviations.map((d) => d.kind))]).toEqual([row.kind]);
      expect(found.some((d) => d.raw !== undefined && d.raw.includes(row.raw))).toBe(true);
      expect(found[0]).toMatchObject({ severity, ref: DEVIATION_RULES[row.kind].ref, requirement: DEVIATION_RULES[row.kind].requirement });
      expect(result.verdict).toBe(verdict);
      if (severity !== 'info') expect(result.reason).toMatch(/^wire: /);
    });
  }

  test('pasv-foreign-host: the harness dials the control host, never the advertised 10.9.8.7', async () => {
    // Every outgoing TCP connection in this process goes through Socket.prototype.connect.
    const dialled: Array<string | undefined> = [];
    const realConnect = net.Socket.prototype.connect;
    const spy = jest.spyOn(net.Socket.prototype, 'connect').mockImplementation(function (this: net.Socket, ...args: unknown[]) {
      const first = Array.isArray(args[0]) ? args[0][0] : args[0];
      dialled.push(typeof first === 'object' && first !== null ? (first as { host?: string }).host : (args[1] as string | undefined));
      return (realConnect as (...a: unknown[]) => net.Socket).apply(this, args);
    } as typeof realConnect);
    let outcome: Awaited<ReturnType<typeof runRow>>;
    try {
      outcome = await runRow(ROWS.find((r) => r.kind === 'pasv-foreign-host')!);
    } finally {
      spy.mockRestore();
    }
    const { result, passiveAccepts } = outcome;
    // The fake server's data listener (on 127.0.0.1) accepted the harness's data connection …
    expect(passiveAccepts).toEqual(['127.0.0.1']);
    // … the transcript says so …
    const notes = result.transcript.filter((e) => e.dir === 'note').map((e) => e.text);
    expect(notes.some((n) => /^data connection to 127\.0\.0\.1:\d+ open$/.test(n))).toBe(true);
    expect(notes.some((n) => n.includes('10.9.8.7:'))).toBe(false);
    expect(result.deviations[0].message).toContain('the harness dials 127.0.0.1');
    // … and no connection to the advertised address was even attempted.
    expect(dialled.length).toBeGreaterThanOrEqual(3); // preflight, the case's control connection, its data connection
    expect(dialled.filter((h) => h !== '127.0.0.1')).toEqual([]);
    // The transfer itself worked: only the deviation made it a warning.
    expect(result.verdict).toBe('warn');
    expect(notes.some((n) => /^data: 12 bytes/.test(n))).toBe(true);
  });
});
