import { Outcome } from '../suite/types';
import { ControlConnection, ReceivedReply } from '../wire/control';
import { Transcript } from '../wire/transcript';
import { describeReply } from './match';
import { RunOptions } from './types';

/** The harness could not prepare what a case needs (greeting, login): the case is `error`. */
export class SetupError extends Error {}

export const GREETING_OUTCOMES: Outcome[] = [{ code: 220 }];

export function openControl(opts: RunOptions, transcript: Transcript, name = 'main'): Promise<ControlConnection> {
  return ControlConnection.open({ host: opts.host, port: opts.port, name, transcript, connectTimeoutMs: opts.connectTimeoutMs, implicitTls: opts.implicitTls });
}

/** Reads the greeting: a 120 "expected delay" may come first (RFC 959 §5.4), then the 220. */
export async function readGreeting(ctrl: ControlConnection, opts: RunOptions): Promise<ReceivedReply> {
  let reply = await ctrl.nextReply(opts.stepTimeoutMs);
  if (reply.code === 120) reply = await ctrl.nextReply(opts.stepTimeoutMs);
  return reply;
}

/** USER / PASS / ACCT as RFC 959 §6 draws it; the configured account answers a 332. */
export async function login(ctrl: ControlConnection, opts: RunOptions): Promise<void> {
  const step = async (line: string) => {
    ctrl.send(line);
    return ctrl.nextReply(opts.stepTimeoutMs);
  };
  let reply = await step(`USER ${opts.user}`);
  if (reply.code === 331) reply = await step(`PASS ${opts.password}`);
  if (reply.code === 332) {
    if (opts.account === undefined) throw new SetupError(`login as ${opts.user} needs an account (332) and none was given (--account)`);
    reply = await step(`ACCT ${opts.account}`);
  }
  // 230/202 complete a login (RFC 959 §5.4). Any other 2yz is taken as "logged in" too, so one wrong
  // code does not turn every case into an error: the case that tests PASS grades the code itself.
  if (reply.code < 200 || reply.code > 299) throw new SetupError(`login as ${opts.user} failed: ${describeReply(reply)}`);
  if (opts.workDir) {
    const cwd = await step(`CWD ${opts.workDir}`);
    if (cwd.code !== 250 && cwd.code !== 200) throw new SetupError(`cannot enter work directory ${opts.workDir}: ${describeReply(cwd)}`);
  }
}

/** Reads the greeting (which must come to 220) and, when asked, logs in. */
export async function greetAndLogin(ctrl: ControlConnection, opts: RunOptions, doLogin: boolean): Promise<void> {
  const greeting = await readGreeting(ctrl, opts);
  if (greeting.code !== 220) throw new SetupError(`greeting was "${describeReply(greeting)}", not 220`);
  if (doLogin) await login(ctrl, opts);
}

/** Connects, reads the greeting and logs in, as a case's `given` asks. */
export async function openSession(opts: RunOptions, transcript: Transcript, name: string, doLogin: boolean): Promise<ControlConnection> {
  const ctrl = await openControl(opts, transcript, name);
  try {
    await greetAndLogin(ctrl, opts, doLogin);
    return ctrl;
  } catch (e) {
    ctrl.destroy();
    throw e;
  }
}

/** Parses a FEAT reply (RFC 2389 §3.2): feature lines begin with a space. */
export function parseFeatures(reply: ReceivedReply): string[] {
  if (reply.code !== 211) return [];
  return reply.lines
    .slice(1, -1)
    .filter((l) => l.startsWith(' '))
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
}
