import * as path from 'path';
import { Outcome, RawSpec, Step, TransferStep } from '../suite/types';
import { ControlConnection, ReceivedReply } from '../wire/control';
import { DataChannel, SETUP_SUCCESS, setupData } from '../wire/data';
import { ContentDigest, sourceStream, UploadSource } from '../wire/payload';
import { runTransfer } from '../wire/transfer';
import { TlsInfo } from '../wire/tls';
import { addConnection, CaseContext, noteCreatedPath, StopCase, substitute } from './context';
import { describeOutcomes, describeReply, firstMatch, wantsPreliminary } from './match';
import { GREETING_OUTCOMES, openSession, readGreeting, openControl, login } from './session';

const TRANSFER_DONE: Outcome[] = [{ code: [226, 250] }];
/**
 * Replies that say "not implemented" (RFC 959 §4.2.1: 500 unrecognised, 502 not implemented, 504
 * parameter not implemented), and 530, which servers give an unknown command before login. They
 * mean `unsupported` only for an extension the target did not advertise in FEAT.
 */
const NOT_OFFERED = [500, 502, 504, 530];

function conn(ctx: CaseContext, name = 'main'): ControlConnection {
  const c = ctx.connections.get(name);
  if (!c) throw new Error(`connection "${name}" is not open`);
  return c;
}

/**
 * Grades a reply against a step's outcomes. Returns normally when the case may go on; throws
 * StopCase for a MUST mismatch, an `unsupported` outcome, or a graded `fail` outcome.
 */
function judge(ctx: CaseContext, step: Step, what: string, reply: ReceivedReply, defaults: Outcome[] | undefined): void {
  const outcomes = (step.expect ?? defaults)?.map((o) => withVariables(ctx, o));
  if (!outcomes) return;
  const level = step.level ?? ctx.kase.level;
  const expected = describeOutcomes(outcomes);
  const actual = describeReply(reply);
  const m = firstMatch(reply, outcomes);
  if (!m && ctx.featuresNotAdvertised.length > 0 && NOT_OFFERED.includes(reply.code)) {
    ctx.grader.stop({ verdict: 'unsupported', reason: `${what}: ${ctx.featuresNotAdvertised.join(', ')} not in FEAT and the command was refused (${reply.code})`, expected, actual });
  }
  if (!m) return ctx.grader.miss(level, `${what}: expected ${expected}, got ${reply.code || 'no reply code'}`, expected, actual);
  for (const [k, v] of Object.entries(m.captured)) ctx.vars.set(k, v);
  const o = m.outcome;
  if (o.fail) return ctx.grader.miss(level, `${what}: ${o.fail}`, expected, actual);
  if (o.unsupported) ctx.grader.stop({ verdict: 'unsupported', reason: `${what}: ${o.unsupported}`, expected, actual });
  if (o.warn) ctx.grader.add({ verdict: 'warn', reason: `${what}: ${o.warn}`, expected, actual });
}

/** Puts variable values into an outcome's patterns, escaped so they match literally. */
function withVariables(ctx: CaseContext, o: Outcome): Outcome {
  if (o.text === undefined && o.notText === undefined) return o;
  const sub = (re: string | undefined) => (re === undefined ? undefined : substitute(ctx, re, escapeRegExp));
  return { ...o, text: sub(o.text), notText: sub(o.notText) };
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Reads a completion reply, letting a 1yz pass first unless the step asked for the 1yz itself. */
async function readAnswer(ctx: CaseContext, c: ControlConnection, outcomes: Outcome[] | undefined): Promise<ReceivedReply> {
  let reply = await c.nextReply(ctx.opts.stepTimeoutMs);
  while (reply.code >= 100 && reply.code < 200 && !wantsPreliminary(outcomes)) reply = await c.nextReply(ctx.opts.stepTimeoutMs);
  return reply;
}

/** PROT C/P (and REIN) answered 2xx set how later data connections are protected (RFC 2228 §3, RFC 4217 §9). */
function trackProtection(c: ControlConnection, line: string, reply: ReceivedReply): void {
  if (reply.code < 200 || reply.code >= 300) return;
  const m = /^PROT\s+([A-Z])\s*$/i.exec(line);
  if (m) c.dataProtection = m[1].toUpperCase() === 'P' ? 'P' : 'C';
  // REIN returns the session to its initial state, data protection included (RFC 4217 §13).
  if (/^REIN\s*$/i.test(line)) c.dataProtection = 'C';
}

function rawBytes(ctx: CaseContext, raw: RawSpec): Buffer {
  const enc = raw.encoding ?? 'utf8';
  const parts: Buffer[] = [];
  if (raw.text !== undefined) {
    const one = Buffer.from(substitute(ctx, raw.text), enc);
    parts.push(raw.repeat ? Buffer.alloc(one.length * raw.repeat, one) : one);
  }
  if (raw.hex !== undefined) parts.push(Buffer.from(raw.hex.replace(/\s+/g, ''), 'hex'));
  if (raw.then !== undefined) parts.push(Buffer.from(substitute(ctx, raw.then), enc));
  return Buffer.concat(parts);
}

/**
 * Sets up a data connection. A `data` step's own `expect` grades the setup reply; a transfer's
 * `expect` is about the transfer, so its implicit setup is held to the setup's success code only.
 */
async function prepareData(ctx: CaseContext, step: Step, c: ControlConnection, requested: string | undefined, ownExpect: boolean): Promise<DataChannel> {
  const mode = !requested || requested === 'current' ? ctx.mode : (requested as typeof ctx.mode);
  // RFC 959's h1,h2,h3,h4 can only name IPv4 hosts; over IPv6 the RFC 2428 commands are the way.
  if ((mode === 'port' || mode === 'pasv') && c.family === 6) {
    ctx.grader.stop({ verdict: 'skip', reason: `${mode.toUpperCase()} cannot carry an IPv6 address (use EPSV/EPRT over IPv6)`, expected: '', actual: '' });
  }
  const setup = await setupData(c, mode, ctx.opts.stepTimeoutMs, ctx.transcript);
  const success: Outcome[] = [{ code: SETUP_SUCCESS[mode] }];
  try {
    judge(ctx, ownExpect ? step : ({ ...step, expect: undefined } as Step), setup.command, setup.reply, success);
  } catch (e) {
    setup.channel?.close();
    throw e;
  }
  if (!setup.channel) {
    const reason = setup.problem ?? `${setup.command} answered ${setup.reply.code}: no data connection`;
    ctx.grader.stop({ verdict: 'fail', reason: `${setup.command}: ${reason}`, expected: `a usable ${mode.toUpperCase()} data connection`, actual: describeReply(setup.reply) });
  }
  return setup.channel!;
}

function checkContent(ctx: CaseContext, step: TransferStep, digest: ContentDigest | undefined, tls: TlsInfo | undefined): void {
  const check = step.transfer.check;
  if (!check) return;
  const level = step.level ?? ctx.kase.level;
  const what = `${step.transfer.command.split(' ')[0]} data`;
  if (check.tlsProtected !== undefined && check.tlsProtected !== (tls !== undefined)) {
    ctx.grader.miss(level, `${what}: the data connection was ${tls ? '' : 'not '}protected by TLS`, check.tlsProtected ? 'TLS' : 'clear text', tls ? tls.protocol : 'clear text');
  }
  if (check.tlsResumed !== undefined && tls && tls.resumed !== check.tlsResumed) {
    ctx.grader.miss(level, `${what}: the data connection's TLS session was ${tls.resumed ? '' : 'not '}resumed from the control connection`, check.tlsResumed ? 'resumed session' : 'new session', tls.resumed ? 'resumed' : 'full handshake');
  }
  if (!digest) return ctx.grader.miss(level, `${what}: no data was transferred`, 'data', 'none');
  const have = `${digest.bytes} bytes, sha256 ${digest.sha256.slice(0, 16)}…`;
  const miss = (reason: string, expected: string, actual = have) => ctx.grader.miss(level, `${what}: ${reason}`, expected, actual);
  if (check.bytes !== undefined && digest.bytes !== check.bytes) miss(`size differs`, `${check.bytes} bytes`);
  if (check.sha256 && digest.sha256 !== check.sha256) miss('content differs', `sha256 ${check.sha256}`);
  if (check.sameAs) {
    const ref = ctx.contents.get(check.sameAs)!;
    if (ref.sha256 !== digest.sha256) miss(`content differs from "${check.sameAs}"`, `${ref.bytes} bytes, sha256 ${ref.sha256.slice(0, 16)}…`);
  }
  if (check.sameAsWithCrlf) {
    const ref = ctx.contents.get(check.sameAsWithCrlf)!;
    if (ref.crlfSha256 !== digest.sha256) miss(`content is not "${check.sameAsWithCrlf}" with CRLF line ends`, `${ref.crlfBytes} bytes, sha256 ${ref.crlfSha256.slice(0, 16)}…`);
  }
  if (check.lineEnds === 'crlf' && digest.bareLf > 0) miss(`${digest.bareLf} line ends are a bare LF`, 'every line end CRLF', `${digest.crlf} CRLF, ${digest.bareLf} bare LF`);
  if (check.lineEnds === 'lf' && digest.crlf > 0) miss(`${digest.crlf} line ends are CRLF`, 'LF line ends', `${digest.crlf} CRLF`);
  const text = digest.sample.toString('utf8');
  // Variable values are matched literally inside the pattern, as in reply `text` patterns.
  for (const re of check.contains ?? []) {
    const pattern = substitute(ctx, re, escapeRegExp);
    if (!new RegExp(pattern).test(text)) miss(`listing lacks /${re}/`, `text matching /${pattern}/`, text.slice(0, 300));
  }
  for (const re of check.notContains ?? []) {
    const pattern = substitute(ctx, re, escapeRegExp);
    if (new RegExp(pattern).test(text)) miss(`listing has /${re}/`, `no text matching /${pattern}/`, text.slice(0, 300));
  }
}

async function transfer(ctx: CaseContext, step: TransferStep, c: ControlConnection): Promise<void> {
  const onName = step.on ?? 'main';
  const channel = ctx.prepared.get(onName) ?? (await prepareData(ctx, step, c, 'current', false));
  ctx.prepared.delete(onName);
  const command = substitute(ctx, step.transfer.command);
  noteCreatedPath(ctx, command);
  const upload = step.transfer.upload
    ? sourceStream(
        (step.transfer.upload.text !== undefined ? { text: substitute(ctx, step.transfer.upload.text) } : step.transfer.upload) as UploadSource,
        path.resolve(ctx.opts.fixturesDir, 'payloads'),
      )
    : undefined;
  const result = await runTransfer(
    c,
    { command, channel, upload, preliminaryRequired: step.transfer.preliminary !== 'optional', stepTimeoutMs: ctx.opts.stepTimeoutMs },
    ctx.transcript,
  );
  if (result.digest) ctx.transcript.note(`data: ${result.digest.bytes} bytes, sha256 ${result.digest.sha256}`, c.name);
  if (result.dataProblem) ctx.transcript.note(`data connection: ${result.dataProblem}`, c.name);
  judge(ctx, step, command, result.final, TRANSFER_DONE);
  if (result.final.code >= 200 && result.final.code < 300) {
    if (step.transfer.as && result.digest) ctx.contents.set(step.transfer.as, result.digest);
    checkContent(ctx, step, result.digest, result.tls);
  }
}

export async function runStep(ctx: CaseContext, step: Step): Promise<void> {
  if ('sleep' in step) return void (await new Promise((r) => setTimeout(r, step.sleep)));
  if ('open' in step) {
    const name = step.open.name;
    if (step.expect) {
      const c = await openControl(ctx.opts, ctx.transcript, name);
      addConnection(ctx, name, c);
      const greeting = await readGreeting(c, ctx.opts);
      judge(ctx, step, `greeting on connection "${name}"`, greeting, GREETING_OUTCOMES);
      if (greeting.code === 220 && step.open.login !== false) await login(c, ctx.opts);
    } else {
      addConnection(ctx, name, await openSession(ctx.opts, ctx.transcript, name, step.open.login !== false));
    }
    return;
  }
  if ('close' in step) {
    const c = conn(ctx, step.close);
    if (!c.closed) {
      c.send('QUIT');
      await c.nextReply(ctx.opts.stepTimeoutMs).catch(() => undefined);
    }
    c.destroy();
    ctx.connections.delete(step.close);
    return;
  }
  const c = conn(ctx, step.on);
  if ('expectClose' in step) {
    const within = step.expectClose.within ?? ctx.opts.stepTimeoutMs;
    if (!(await c.waitClosed(within))) {
      ctx.grader.miss(step.level ?? ctx.kase.level, `the server kept the connection open for ${within} ms`, 'the server closes the connection', 'still open');
    }
    return;
  }
  if ('data' in step) {
    ctx.prepared.get(step.on ?? 'main')?.close();
    ctx.prepared.set(step.on ?? 'main', await prepareData(ctx, step, c, step.data.mode, true));
    return;
  }
  if ('transfer' in step) return transfer(ctx, step, c);
  if ('tls' in step) {
    try {
      await c.upgradeToTls(ctx.opts.stepTimeoutMs);
    } catch (e) {
      // After a 234 the server is bound to negotiate (RFC 4217 §4); a failed handshake is its fault.
      ctx.grader.miss(step.level ?? ctx.kase.level, `TLS handshake on the control connection: ${(e as Error).message}`, 'a TLS handshake after 234', (e as Error).message);
    }
    c.dataProtection = 'C';
    return;
  }
  if ('send' in step) {
    const line = substitute(ctx, step.send);
    noteCreatedPath(ctx, line);
    c.send(line);
    const reply = await readAnswer(ctx, c, step.expect);
    trackProtection(c, line, reply);
    judge(ctx, step, line.replace(/^PASS .*/i, 'PASS ****'), reply, undefined);
    return;
  }
  if ('raw' in step) {
    c.sendRaw(rawBytes(ctx, step.raw), step.expect !== undefined);
    if (step.expect) judge(ctx, step, 'raw bytes', await readAnswer(ctx, c, step.expect), undefined);
    return;
  }
  // An `expect` step alone reads the next reply, whatever asked for it (a 1yz such as the
  // greeting's 120 passes first unless the step asks for it).
  judge(ctx, step, 'next reply', await readAnswer(ctx, c, step.expect), undefined);
}

export { StopCase };
