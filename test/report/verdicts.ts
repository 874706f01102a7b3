/**
 * A fake server and a suite that together earn every verdict: pass (NOOP, RETR), warn (SYST, a
 * SHOULD answered 502), fail (PWD answered 550, or whatever `breakPwd` says), unsupported (STAT
 * needs MLST in FEAT), skip (DELE needs a writable area), error (HELP never answered in time).
 */
import * as path from 'path';
import { FakeScript, FakeServer, startFakeServer } from '../support/fake-server';
import { HELLO, ROOT } from '../support/harness';

export const VERDICT_SUITE = path.join(ROOT, 'fixtures', 'golden', 'verdicts.yaml');

export const IDS = {
  noop: 'rfc959/4.1.3/noop-ok',
  syst: 'rfc959/4.1.3/syst-type',
  pwd: 'rfc959/4.1.3/pwd-name',
  stat: 'rfc959/4.1.3/stat-status',
  dele: 'rfc959/4.1.3/dele-file',
  help: 'rfc959/4.1.3/help-text',
  retr: 'rfc959/4.1.3/retr-download',
};

export interface Knobs {
  /** PWD answers 550 (a MUST fail). Default true. */
  breakPwd?: boolean;
  /** SYST answers 502 (a SHOULD warn). Default true. */
  breakSyst?: boolean;
  /** HELP is never answered (a step timeout: error). Default true. */
  silentHelp?: boolean;
  /** NOOP answers 500 (a new MUST fail). Default false. */
  breakNoop?: boolean;
  /** The reply text of the 550 to PWD. */
  pwdText?: string;
}

export function verdictServer(k: Knobs = {}): Promise<FakeServer> {
  const replies: Record<string, string> = {};
  if (k.breakPwd ?? true) replies.PWD = `550 ${k.pwdText ?? 'No current directory'}`;
  if (k.breakSyst ?? true) replies.SYST = '502 SYST not implemented';
  if (k.breakNoop) replies.NOOP = '500 NOOP broken';
  const script: FakeScript = { files: { 'hello.txt': HELLO }, replies };
  if (k.silentHelp ?? true) script.handlers = { HELP: () => undefined };
  return startFakeServer(script);
}

export const FAST = ['--timeout', '400', '--case-timeout', '3000', '--data-mode', 'pasv,epsv'];

export function runArgs(port: number | number[], ...extra: string[]): string[] {
  const targets = (Array.isArray(port) ? port : [port]).flatMap((p) => ['--target', `127.0.0.1:${p}`]);
  return ['run', '--suite', VERDICT_SUITE, ...targets, '--user', 'tester', '--password', 'secret', '--no-writable', ...FAST, ...extra];
}
