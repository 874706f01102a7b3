/**
 * Hostile servers, through the CLI: whatever the server does, the run ends within its timeouts,
 * writes a parseable results.json holding every selected case, exits with the code the verdicts
 * call for, and keeps its memory bounded. Each test states which verdict is right, and why.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as v8 from 'v8';
import * as vm from 'vm';
import { main } from '../../src/cli';
import { CaseResult, RunResult, Verdict } from '../../src/run/types';
import { deadPort, FakeScript, FakeServer, FakeSession, seededBytes, startFakeServer } from '../support/fake-server';
import { captureIo, CapturedIo, fixtureSuite, HELLO, readResults, tempDir } from '../support/harness';

const STEP_MS = 800;
const CASE_MS = 3000;

const NOOP = 'rfc959/4.1.3/noop-ok';
const RETR = 'rfc959/4.1.3/retr-download';
const SYST = 'rfc959/4.1.3/syst-type';
const PWD = 'rfc959/4.1.3/pwd-name';
const ALL = [NOOP, RETR, SYST, PWD];

/** A forced, full GC when the runtime lets us have one; memory checks then measure what is retained. */
const gc: (() => void) | undefined = (() => {
  try {
    v8.setFlagsFromString('--expose_gc');
    return vm.runInNewContext('gc') as () => void;
  } catch {
    return undefined;
  }
})();

/**
 * RSS, and what the heap and the Buffers retain. The collector frees ArrayBuffer backing stores on a
 * background sweeper, so it runs twice with a pause between before `arrayBuffers` is read.
 */
async function memory(): Promise<{ rss: number; retained: number }> {
  if (gc) {
    gc();
    await new Promise((r) => setTimeout(r, 50));
    gc();
  }
  const m = process.memoryUsage();
  return { rss: m.rss, retained: m.heapUsed + m.arrayBuffers };
}

const MiB = 1024 * 1024;

interface Outcome {
  code: number;
  wallMs: number;
  results: RunResult;
  resultsBytes: number;
  io: CapturedIo;
  verdicts: Record<string, Verdict>;
}

let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Runs the hostile fixture suite (only `cases`) against a fake server through `main`. */
async function runAgainst(script: FakeScript, cases: string[], opts: { stepMs?: number } = {}): Promise<Outcome> {
  server = await startFakeServer({ files: { 'hello.txt': HELLO }, ...script });
  const out = tempDir('hostile');
  const io = captureIo();
  const started = Date.now();
  const code = await main(
    [
      'run',
      '--suite', fixtureSuite('hostile.yaml'),
      ...cases.flatMap((c) => ['--case', c]),
      '--target', `127.0.0.1:${server.port}`,
      '--user', 'tester',
      '--password', 'secret',
      '--data-mode', 'pasv',
      '--timeout', String(opts.stepMs ?? STEP_MS),
      '--case-timeout', String(CASE_MS),
      '--out', out,
    ],
    io,
  );
  const wallMs = Date.now() - started;
  const file = path.join(out, 'results.json');
  const results = readResults(out);
  const resultsBytes = fs.statSync(file).size;
  fs.rmSync(out, { recursive: true, force: true });
  const verdicts = Object.fromEntries(results.cases.map((c) => [c.id, c.verdict]));
  // Every selected case is in results.json, once.
  expect(results.cases.map((c) => c.id).sort()).toEqual([...cases].sort());
  // The CLI never reports a crash of its own.
  expect(io.stderr()).not.toMatch(/internal error/);
  return { code, wallMs, results, resultsBytes, io, verdicts };
}

/**
 * The longest a run may take: the preflight (greeting, USER, PASS, FEAT, QUIT, close: six step
 * timeouts at worst), then every case within its case timeout plus its goodbye (QUIT and close, one
 * step timeout each), plus a second of slack for a loaded machine.
 */
function bound(cases: number, stepMs = STEP_MS): number {
  return 6 * stepMs + cases * (CASE_MS + 2 * stepMs) + 1000;
}

function caseOf(o: Outcome, id: string) {
  return o.results.cases.find((c) => c.id === id)!;
}

describe('hostile servers', () => {
  test('silent after connect: every case is error (nothing was ever said, so nothing can be graded)', async () => {
    const o = await runAgainst({ greeting: null }, ALL);
    expect(Object.values(o.verdicts)).toEqual(['error', 'error', 'error', 'error']);
    expect(caseOf(o, NOOP).reason).toMatch(/accepted the connection but sent no greeting/);
    expect(o.code).toBe(1);
    // The preflight notices the silence once; the cases do not each wait for it again.
    expect(o.wallMs).toBeLessThan(STEP_MS + 1500);
    expect(server!.sessions).toHaveLength(1);
  });

  test('greeting without CRLF, then silence: error (an unfinished line is not a reply; a slow server looks the same)', async () => {
    const o = await runAgainst({ greeting: Buffer.from('220 fake ready') }, ALL);
    expect(Object.values(o.verdicts)).toEqual(['error', 'error', 'error', 'error']);
    // The reason shows what did arrive.
    expect(caseOf(o, NOOP).reason).toMatch(/14 bytes received without an end of line: "220 fake ready"/);
    expect(o.code).toBe(1);
    expect(o.wallMs).toBeLessThan(STEP_MS + 1500);
  });

  test('random bytes (fixed seed) instead of a greeting: error (no 220, so no case can start), bounded output', async () => {
    const sent: number[] = [];
    const o = await runAgainst(
      {
        greeting: null,
        onConnect: (s) => {
          const next = seededBytes(20260101 + s.index);
          let left = 2 * MiB;
          sent.push(0);
          void s.stream(s.socket, () => {
            if (left <= 0) return undefined;
            left -= 16 * 1024;
            return next(16 * 1024);
          });
        },
      },
      ALL,
    );
    expect(Object.values(o.verdicts)).toEqual(['error', 'error', 'error', 'error']);
    for (const c of o.results.cases) expect(c.reason).toMatch(/^greeting was ".*", not 220$/s);
    expect(o.code).toBe(1);
    expect(o.wallMs).toBeLessThan(bound(ALL.length));
    // What the junk earned is on record; the harness stopped reading at the first non-220 reply, so
    // the record holds what one read brought in (about 2,500 deviations, ~2 MB of JSON, per case).
    expect(o.results.cases.every((c) => c.deviations.some((d) => d.kind === 'not-a-reply' || d.kind === 'non-utf8'))).toBe(true);
    expect(o.resultsBytes).toBeLessThan(ALL.length * 4 * MiB);
    expect(sent.length).toBe(ALL.length + 1); // the preflight and each case connected once
  });

  test('endless multi-line reply to NOOP: fail (reply-too-long is a MUST the server broke), memory bounded', async () => {
    const before = await memory();
    let sent = 0;
    const streaming = new Set<FakeSession>();
    const o = await runAgainst(
      {
        handlers: {
          // Once streaming, the server goes on whatever the harness says next: QUIT is ignored too.
          QUIT: (arg, s) => (streaming.has(s) ? undefined : s.fallback('QUIT', arg)),
          NOOP: (_arg, s) => {
            streaming.add(s);
            let n = 0;
            const lines = () => Buffer.from(Array.from({ length: 256 }, () => `200-line ${n++} of a reply that never ends\r\n`).join(''));
            // "Forever": until the harness hangs up (or a 1 GiB safety cap).
            void s.stream(s.socket, () => {
              if (sent >= 1024 * MiB) return undefined;
              const b = lines();
              sent += b.length;
              return b;
            });
          },
        },
      },
      [NOOP],
    );
    const after = await memory();
    expect(o.verdicts[NOOP]).toBe('fail');
    expect(caseOf(o, NOOP).deviations.map((d) => d.kind)).toContain('reply-too-long');
    expect(o.code).toBe(1);
    expect(o.wallMs).toBeLessThan(bound(1));
    expect(o.resultsBytes).toBeLessThan(2 * MiB);
    // The server really kept going well past the 64 KiB a reply may have …
    expect(sent).toBeGreaterThan(4 * MiB);
    // Memory: generous bounds, far below what buffering the stream would take.
    expect(after.rss - before.rss).toBeLessThan(64 * MiB);
    if (gc) expect(after.retained - before.retained).toBeLessThan(16 * MiB);
  });

  test('a 16 MiB reply line: fail (line-too-long), the line is never held whole', async () => {
    const before = await memory();
    const o = await runAgainst(
      {
        handlers: {
          NOOP: async (_arg, s) => {
            const chunk = Buffer.alloc(64 * 1024, 'x');
            let left = 16 * MiB;
            s.send('200 ');
            await s.stream(s.socket, () => {
              if (left <= 0) return undefined;
              left -= chunk.length;
              return chunk;
            });
            s.send('\r\n');
          },
        },
      },
      [NOOP],
      // The whole reply must arrive within one step timeout: give 16 MiB through a byte-wise parser room.
      { stepMs: 4000 },
    );
    const after = await memory();
    expect(o.verdicts[NOOP]).toBe('fail');
    const dev = caseOf(o, NOOP).deviations.find((d) => d.kind === 'line-too-long');
    expect(dev?.message).toMatch(new RegExp(`line of ${16 * MiB + 4} bytes exceeds`));
    expect(o.code).toBe(1);
    expect(o.wallMs).toBeLessThan(bound(1, 4000));
    expect(o.resultsBytes).toBeLessThan(1 * MiB);
    expect(after.rss - before.rss).toBeLessThan(64 * MiB);
    if (gc) expect(after.retained - before.retained).toBeLessThan(12 * MiB);
  });

  test('reset after USER: every case is error (the harness could not log in to run any step)', async () => {
    const o = await runAgainst({ handlers: { USER: (_arg, s) => s.reset() } }, ALL);
    expect(Object.values(o.verdicts)).toEqual(['error', 'error', 'error', 'error']);
    for (const c of o.results.cases) expect(c.reason).toMatch(/reset/);
    expect(o.code).toBe(1);
    expect(o.wallMs).toBeLessThan(bound(ALL.length));
  });

  test('RETR: 150, some bytes, then the data connection is never closed and no 226: error (timeout)', async () => {
    const o = await runAgainst(
      {
        handlers: {
          RETR: async (_arg, s) => {
            s.reply(150, 'Opening data connection');
            const d = await s.dataSocket();
            d.write('hello'); // … and nothing more, ever (the server's close() ends it)
          },
        },
      },
      [RETR],
    );
    // Error, not fail: a stalled transfer looks exactly like a slow one until the timeout.
    expect(o.verdicts[RETR]).toBe('error');
    expect(caseOf(o, RETR).reason).toMatch(/data connection idle for 800 ms \(5 bytes moved\) without closing/);
    expect(o.code).toBe(1);
    expect(o.wallMs).toBeLessThan(bound(1));
  });

  test('RETR: 150, the file, data connection closed, but no completion reply: error (timeout)', async () => {
    const o = await runAgainst(
      {
        handlers: {
          RETR: async (_arg, s) => {
            s.reply(150, 'Opening data connection');
            const d = await s.dataSocket();
            d.end(HELLO);
          },
        },
      },
      [RETR],
    );
    // Error, not fail: a late 226 is still possible when the harness gives up waiting.
    expect(o.verdicts[RETR]).toBe('error');
    expect(caseOf(o, RETR).reason).toMatch(/no completion reply within 800 ms after the data connection closed/);
    expect(o.code).toBe(1);
    expect(o.wallMs).toBeLessThan(bound(1));
  });

  test('PASV naming a dead port: fail (the server promised a listening port and nothing listens)', async () => {
    const port = await deadPort();
    const o = await runAgainst({ pasvPort: port }, [RETR]);
    // Fail, not error: the refusal is immediate and certain, the 227 was simply false (RFC 959 §4.1.1
    // PASV: "The response to this command includes the host and port address this server is listening on").
    expect(o.verdicts[RETR]).toBe('fail');
    expect(caseOf(o, RETR).reason).toContain(`announced port ${port}`);
    expect(caseOf(o, RETR).reason).toMatch(/ECONNREFUSED/);
    expect(o.code).toBe(1);
    expect(o.wallMs).toBeLessThan(bound(1));
  });

  test('PASV naming another host: warn and exit 0 (the harness dials the control host and the transfer works)', async () => {
    const o = await runAgainst({ pasvAddress: '10.9.8.7' }, [RETR]);
    // Warn: a server behind NAT may rightly name its public address; the transfer itself succeeded.
    expect(o.verdicts[RETR]).toBe('warn');
    const c = caseOf(o, RETR);
    expect(c.deviations.map((d) => d.kind)).toEqual(['pasv-foreign-host']);
    expect(c.transcript.some((e) => /^data: 12 bytes/.test(e.text))).toBe(true);
    expect(server!.passiveAccepts).toEqual(['127.0.0.1']);
    expect(o.code).toBe(0);
    expect(o.wallMs).toBeLessThan(bound(1));
  });

  // Regression guard: before the per-connection cap (src/wire/control.ts MAX_DEVIATIONS), a 4 MB
  // flood of "x\r\n" lines while the harness waited for its QUIT answer left 1.48 million
  // deviations, a 440 MB results.json, 1.9 GB RSS and a case 3.4 s past its case timeout.
  let flooded: CaseResult | undefined;
  test('junk-line flood after a reply: fail, the recorded deviations capped, results.json small', async () => {
    const junk = Buffer.from('x\r\n'.repeat(4096));
    const flooding = new Set<FakeSession>();
    let sent = 0;
    const o = await runAgainst(
      {
        handlers: {
          QUIT: (arg, s) => (flooding.has(s) ? undefined : s.fallback('QUIT', arg)),
          NOOP: (_arg, s) => {
            flooding.add(s);
            s.reply(200, 'NOOP ok');
            void s.stream(s.socket, () => {
              if (sent >= 4 * MiB) return undefined;
              sent += junk.length;
              return junk;
            });
          },
        },
      },
      [NOOP],
    );
    expect(o.verdicts[NOOP]).toBe('fail');
    expect(o.wallMs).toBeLessThan(bound(1));
    const c = caseOf(o, NOOP);
    expect(c.deviations.length).toBeLessThanOrEqual(1000);
    expect(o.resultsBytes).toBeLessThan(4 * MiB);
    expect(sent).toBeGreaterThan(256 * 1024);
    flooded = c;
  });

  // KNOWN HARNESS BUG (src/run/case-runner.ts, runCase: `transcript.note(`${dropped} further wire
  // deviations were seen and not kept`)`): the note goes through Transcript.add, which drops it
  // when the transcript is already full (2000 entries) — and a flood fills the transcript first. So
  // results.json never says that deviations were dropped, or how many (CaseResult has no field for
  // it either). Expected: the count survives, e.g. as a CaseResult field or a note that the cap
  // cannot swallow (like Transcript.finish's "N further transcript entries dropped").
  test('junk-line flood: the result says how many deviations were not kept', () => {
    expect(flooded).toBeDefined();
    const c = flooded!;
    expect(c.deviationsDropped).toBeGreaterThan(0);
    expect(c.transcript.some((e) => e.text === `${c.deviationsDropped} further wire deviations were seen and not kept`)).toBe(true);
  });
});
