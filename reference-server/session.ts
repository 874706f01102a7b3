/**
 * One FTP session: the state of RFC 959 §6 (login USER→PASS[→ACCT], RNFR→RNTO, REST→transfer, REIN)
 * and the command pump. Commands are handled one at a time in arrival order; while a transfer runs
 * only ABOR, STAT and QUIT are taken out of turn (RFC 959 §4.1), the rest wait for it to finish.
 */
import type { ControlChannel } from './control-channel';
import type { DataChannel, DataSocketWrap } from './data-connection';
import { DEFAULT_MLST_FACTS, type MlstFact } from './listing';
import { replies, type Reply } from './replies';
import { formatReply } from './reply-format';
import type { FormatOptions, DataType, FileStructure, TransferMode } from './transfer-format';
import type { Account, UserDirectory } from './users';
import { VirtualFileSystem, type Located } from './vfs';
import type { CommandSpec } from './commands/types';
import type { TlsExtension } from './tls-extension';
import * as path from 'node:path';

export interface SessionSettings {
  readonly pasvPorts?: readonly [number, number];
  readonly idleTimeoutMs: number;
  readonly failedLoginDelayMs: number;
  readonly maxLoginAttempts: number;
  readonly maxLineLength: number;
  readonly dataConnectionTimeoutMs: number;
  /** RFC 2428 address families the server listens on: 1 = IPv4, 2 = IPv6. */
  readonly addressFamilies: readonly number[];
}

export interface ServerContext {
  readonly root: string;
  readonly users: UserDirectory;
  readonly settings: SessionSettings;
  readonly commands: ReadonlyMap<string, CommandSpec>;
  readonly tls?: TlsExtension;
  readonly log?: (line: string) => void;
  /** A personality's reply overrides (reference-server/personalities/): null sends nothing. */
  readonly rewrite?: (value: Reply, context: ReplyContext) => Reply | null;
}

/** What a reply answers: the command being handled (empty verb for the greeting) and the login name. */
export interface ReplyContext {
  readonly verb: string;
  readonly argument: string;
  readonly user: string | null;
}

export type LoginState =
  | { readonly kind: 'none' }
  | { readonly kind: 'awaiting-password'; readonly user: string }
  | { readonly kind: 'awaiting-account'; readonly account: Account; readonly expected: string }
  | { readonly kind: 'logged-in'; readonly account: Account };

export interface TransferInProgress {
  readonly description: string;
  readonly startedAt: number;
  bytes: number;
  abort(): void;
  readonly done: Promise<void>;
}

export interface TransferParameters {
  type: DataType;
  /** Format control for A and E (RFC 959 §3.1.1.5): N or T; T is the same as N here (RFC 1123 §4.1.2.2). */
  form: 'N' | 'T';
  byteSize: number;
  structure: FileStructure;
  mode: TransferMode;
}

export class Session {
  login: LoginState = { kind: 'none' };
  fs: VirtualFileSystem | null = null;
  cwd = '/';
  parameters: TransferParameters = defaultParameters();
  data: DataChannel | null = null;
  epsvAll = false;
  renameFrom: Located | null = null;
  restartOffset = 0;
  host: string | null = null;
  language = 'EN';
  mlstFacts = new Set<MlstFact>(DEFAULT_MLST_FACTS);
  transfer: TransferInProgress | null = null;
  failedLogins = 0;
  /** Set by the TLS layer after PROT P: every data connection is wrapped with it. */
  dataWrap: DataSocketWrap | undefined;
  /** Free-form state owned by the TLS layer (AUTH done, PBSZ seen, …); cleared by REIN. */
  security: Record<string, unknown> = {};

  /** Command lines waiting their turn; null stands for a line that was too long (its 500 waits its turn too). */
  private readonly queue: Array<string | null> = [];
  private busy = false;
  private outOfTurn: Promise<void> | null = null;
  private idleTimer: NodeJS.Timeout | undefined;
  private ended = false;

  constructor(
    readonly id: number,
    readonly control: ControlChannel,
    readonly server: ServerContext,
    private readonly dispatch: (session: Session, line: string) => Promise<void>,
  ) {
    this.armIdleTimer();
  }

  get account(): Account | null {
    return this.login.kind === 'logged-in' ? this.login.account : null;
  }

  get format(): FormatOptions {
    const { type, structure, mode } = this.parameters;
    return { type, structure, mode };
  }

  /** The virtual file system of the logged-in account; handlers behind needsLogin may rely on it. */
  get files(): VirtualFileSystem {
    if (this.fs === null) throw new Error('no file system before login');
    return this.fs;
  }

  get label(): string {
    return `[session ${this.id} ${this.control.remoteAddress}:${this.control.remotePort}]`;
  }

  reply(value: Reply): void {
    const sent = this.personalized(value);
    if (sent === null) return;
    this.logReply(sent);
    this.control.send(sent);
  }

  /** Send a final reply (421, 221) and close the control connection. */
  end(original: Reply): void {
    if (this.ended) return;
    const value = this.personalized(original) ?? original;
    this.logReply(value);
    this.ended = true;
    this.control.closeWith(value);
    this.cleanup();
  }

  get isEnded(): boolean {
    return this.ended;
  }

  /** A command line arrived from the client. */
  receive(line: string): void {
    if (this.ended) return;
    this.armIdleTimer();
    const verb = line.split(' ', 1)[0]!.toUpperCase();
    const outOfTurn = this.transfer !== null && this.queue.length === 0 && this.server.commands.get(verb)?.duringTransfer === true;
    if (outOfTurn) {
      const running: Promise<void> = this.run(line)
        .catch((error: unknown) => this.internalError(error))
        .finally(() => {
          if (this.outOfTurn === running) this.outOfTurn = null;
        });
      this.outOfTurn = running;
      return;
    }
    this.queue.push(line);
    this.pump().catch((error: unknown) => this.internalError(error));
  }

  lineTooLong(): void {
    if (this.ended) return;
    this.armIdleTimer();
    this.queue.push(null);
    this.pump().catch((error: unknown) => this.internalError(error));
  }

  /** Log in: the account's home becomes the top of its virtual file system. */
  enter(account: Account): void {
    this.login = { kind: 'logged-in', account };
    const home = path.join(this.server.root, ...account.home.split('/').filter((part) => part !== '' && part !== '..'));
    this.fs = new VirtualFileSystem(home);
    this.cwd = '/';
  }

  /** REIN (RFC 959 §4.1.1) and HOST (RFC 7151 §3.2.1): back to the state right after connecting. */
  reinitialize(): void {
    this.login = { kind: 'none' };
    this.fs = null;
    this.cwd = '/';
    this.parameters = defaultParameters();
    this.closeData();
    this.epsvAll = false;
    this.renameFrom = null;
    this.restartOffset = 0;
    this.host = null;
    this.language = 'EN';
    this.mlstFacts = new Set(DEFAULT_MLST_FACTS);
    // Failed attempts are not forgiven by REIN: the limit is per connection (RFC 2577 §5).
    this.dataWrap = undefined;
    this.security = {};
  }

  closeData(): void {
    this.data?.close();
    this.data = null;
  }

  log(text: string): void {
    this.server.log?.(`${this.label} ${text}`);
  }

  /** The control connection went away (client quit, reset, or server shutdown). */
  closed(): void {
    this.ended = true;
    this.cleanup();
  }

  /** dispatch() turns handler errors into replies; anything reaching here is a server bug. */
  private internalError(error: unknown): void {
    this.log(`! internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    this.end(replies.localError);
  }

  private cleanup(): void {
    clearTimeout(this.idleTimer);
    this.transfer?.abort();
    this.closeData();
    this.queue.length = 0;
  }

  private async pump(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      while (!this.ended && this.queue.length > 0) {
        // Replies must not overtake the reply of a command taken out of turn (ABOR's 226).
        if (this.outOfTurn !== null) {
          await this.outOfTurn;
          continue;
        }
        const line = this.queue.shift()!;
        if (line === null) {
          this.log('> (command line too long, discarded)');
          this.reply(replies.lineTooLong(this.server.settings.maxLineLength));
        } else {
          await this.run(line);
        }
      }
    } finally {
      this.busy = false;
    }
  }

  /** The command being answered, for a personality's reply overrides. */
  private answering: { verb: string; argument: string } = { verb: '', argument: '' };

  private personalized(value: Reply): Reply | null {
    if (this.server.rewrite === undefined) return value;
    const user = this.login.kind === 'awaiting-password' ? this.login.user : this.login.kind === 'none' ? null : this.login.account.name;
    return this.server.rewrite(value, { ...this.answering, user });
  }

  private async run(line: string): Promise<void> {
    const space = line.indexOf(' ');
    this.answering = space < 0 ? { verb: line.toUpperCase(), argument: '' } : { verb: line.slice(0, space).toUpperCase(), argument: line.slice(space + 1) };
    this.log(`> ${maskPassword(line)}`);
    await this.dispatch(this, line);
    // A transfer keeps the session busy; the idle clock starts again when it ends.
    this.armIdleTimer();
  }

  private armIdleTimer(): void {
    clearTimeout(this.idleTimer);
    if (this.ended) return;
    this.idleTimer = setTimeout(() => {
      if (this.transfer !== null) this.armIdleTimer();
      else this.end(replies.idleTimeout);
    }, this.server.settings.idleTimeoutMs);
    this.idleTimer.unref();
  }

  private logReply(value: Reply): void {
    if (this.server.log === undefined) return;
    for (const line of formatReply(value).split('\r\n')) if (line !== '') this.log(`< ${line}`);
  }
}

function defaultParameters(): TransferParameters {
  // RFC 959 §5.1 defaults: TYPE A N, STRU F, MODE S.
  return { type: 'A', form: 'N', byteSize: 8, structure: 'F', mode: 'S' };
}

function maskPassword(line: string): string {
  return /^pass(\s|$)/i.test(line) ? `${line.slice(0, 4)} ****` : line;
}
