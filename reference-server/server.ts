/**
 * The listening side: accepts control connections (plain, and implicit TLS when configured), applies
 * the connection limits of RFC 2577 §5 (421 at connect), and starts one Session per connection.
 */
import { promises as fsp } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { buildCommandTable, dispatch, type CommandSpec } from './commands';
import { ControlChannel, normalizeAddress, type ControlSocket } from './control-channel';
import { replies } from './replies';
import { formatReply } from './reply-format';
import { Session, type ServerContext, type SessionSettings } from './session';
import type { TlsExtension } from './tls-extension';
import { personalize, type PersonalityOption } from './personalities';
import { loadUsersFile, UserDirectory, type AnonymousOption, type UserRecord } from './users';

export interface ReferenceServerOptions {
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** 0 (the default) picks an ephemeral port. */
  readonly port?: number;
  /** The directory served as `/`. */
  readonly root: string;
  /** Records, or the path of a JSON users file. */
  readonly users?: readonly UserRecord[] | string;
  /** Anonymous login (RFC 1635), read-only unless `{ write: true }`. Default false. */
  readonly anonymous?: AnonymousOption;
  readonly pasvPorts?: readonly [number, number];
  /** Default 300 000 (RFC 1123 §4.1.3.2: at least 5 minutes). */
  readonly idleTimeoutMs?: number;
  /** Sessions at once; beyond it a new connection gets 421 (RFC 2577 §5). Default 100. */
  readonly maxSessions?: number;
  /** Sessions at once from one client address. Default 32. */
  readonly maxSessionsPerAddress?: number;
  /** Pause before answering a failed PASS (RFC 2577 §5). Default 1000. */
  readonly failedLoginDelayMs?: number;
  /** Failed PASS/ACCT attempts before 421 and close (RFC 2577 §5). Default 3. */
  readonly maxLoginAttempts?: number;
  /** Longest accepted command line in bytes; longer ones get 500. Default 4096. */
  readonly maxLineLength?: number;
  /** How long to wait for a data connection to open. Default 10 000. */
  readonly dataConnectionTimeoutMs?: number;
  readonly log?: (line: string) => void;
  /** Also listen on ::1, same port. */
  readonly ipv6?: boolean;
  /** RFC 4217 support, from reference-server/tls/. */
  readonly tls?: TlsExtension;
  /** Port for implicit FTPS (needs `tls` with wrapImplicit). */
  readonly implicitTlsPort?: number;
  /**
   * Behave like a documented device (reference-server/personalities/): a name (`modulus`, `emftp`,
   * `rfc959-minimum`, `paper`) or a Personality object. Narrows the command table, swaps reply
   * texts, sets the session limit (an explicit `maxSessions` still wins).
   */
  readonly personality?: PersonalityOption;
}

export interface RunningServer {
  readonly host: string;
  readonly port: number;
  /** `ftp://127.0.0.1:port/` */
  readonly url: string;
  /** One URL per listening address (IPv4, then IPv6 when enabled). */
  readonly urls: readonly string[];
  /** Set when `ipv6` is on. */
  readonly ipv6Host?: string;
  readonly implicitTlsPort?: number;
  readonly root: string;
  /** Ends every session (421) and data listener, then stops listening. */
  close(): Promise<void>;
  /** Sessions currently connected. */
  sessions(): number;
}

export async function startReferenceServer(options: ReferenceServerOptions): Promise<RunningServer> {
  const root = path.resolve(options.root);
  if (!(await fsp.stat(root)).isDirectory()) throw new Error(`${root} is not a directory`);
  const records = typeof options.users === 'string' ? await loadUsersFile(options.users) : (options.users ?? []);
  const host = options.host ?? '127.0.0.1';
  const settings: SessionSettings = {
    pasvPorts: options.pasvPorts,
    idleTimeoutMs: options.idleTimeoutMs ?? 300_000,
    failedLoginDelayMs: options.failedLoginDelayMs ?? 1000,
    maxLoginAttempts: options.maxLoginAttempts ?? 3,
    maxLineLength: options.maxLineLength ?? 4096,
    dataConnectionTimeoutMs: options.dataConnectionTimeoutMs ?? 10_000,
    addressFamilies: options.ipv6 === true || net.isIPv6(host) ? [1, 2] : [1],
  };
  const persona = personalize(options.personality);
  const context: ServerContext = {
    root,
    users: new UserDirectory(records, options.anonymous ?? false),
    settings,
    commands: withTlsGuard(persona?.commands(buildCommandTable()) ?? buildCommandTable(), options.tls),
    tls: options.tls,
    log: options.log,
    rewrite: persona?.rewrite,
  };
  const acceptor = new Acceptor(context, options.maxSessions ?? persona?.maxSessions ?? 100, options.maxSessionsPerAddress ?? 32);

  const listeners: net.Server[] = [];
  const wantIpv6 = options.ipv6 === true && !net.isIPv6(host);
  const { port, servers } = await listenOnAll(acceptor, host, options.port ?? 0, wantIpv6);
  listeners.push(...servers);
  const ipv6Host = wantIpv6 ? '::1' : undefined;
  let implicitTlsPort: number | undefined;
  if (options.implicitTlsPort !== undefined) {
    const wrap = options.tls?.wrapImplicit?.bind(options.tls);
    if (wrap === undefined) throw new Error('implicitTlsPort needs a TLS extension with wrapImplicit');
    const implicit = await listen(acceptor.handler(wrap), host, options.implicitTlsPort);
    listeners.push(implicit);
    implicitTlsPort = (implicit.address() as net.AddressInfo).port;
  }

  const urls = [`ftp://${hostForUrl(host)}:${port}/`, ...(ipv6Host ? [`ftp://[${ipv6Host}]:${port}/`] : [])];
  let closing: Promise<void> | undefined;
  return {
    host,
    port,
    url: urls[0]!,
    urls,
    ipv6Host,
    implicitTlsPort,
    root,
    sessions: () => acceptor.count,
    close: () => (closing ??= shutDown(listeners, acceptor)),
  };
}

class Acceptor {
  private nextId = 1;
  private readonly live = new Set<{ session: Session | null; socket: ControlSocket }>();
  private readonly perAddress = new Map<string, number>();

  constructor(
    private readonly context: ServerContext,
    private readonly maxSessions: number,
    private readonly maxPerAddress: number,
  ) {}

  get count(): number {
    return this.live.size;
  }

  /** Sessions holding a slot: one that has said goodbye (221, 421) no longer does, closed or not. */
  private get holding(): number {
    let n = 0;
    for (const entry of this.live) if (entry.session?.isEnded !== true) n++;
    return n;
  }

  handler(wrap?: (socket: ControlSocket) => Promise<ControlSocket>): (socket: net.Socket) => void {
    return (socket) => {
      this.accept(socket, wrap).catch((error: unknown) => {
        this.context.log?.(`! cannot start a session: ${error instanceof Error ? error.message : String(error)}`);
        socket.destroy();
      });
    };
  }

  /** Shutdown: tell every client (421) and close. */
  endAll(): Promise<void> {
    const closes = [...this.live].map(
      (entry) =>
        new Promise<void>((resolve) => {
          if (entry.socket.destroyed) return resolve();
          entry.socket.once('close', () => resolve());
          if (entry.session !== null) entry.session.end(replies.shuttingDown);
          else entry.socket.destroy();
          // Do not wait for clients that do not read.
          setTimeout(() => entry.socket.destroy(), 500).unref();
        }),
    );
    return Promise.all(closes).then(() => undefined);
  }

  private async accept(socket: net.Socket, wrap?: (socket: ControlSocket) => Promise<ControlSocket>): Promise<void> {
    socket.on('error', () => undefined);
    const address = normalizeAddress(socket.remoteAddress ?? '');
    const fromAddress = this.perAddress.get(address) ?? 0;
    const refusal =
      this.holding >= this.maxSessions
        ? replies.tooManySessions
        : fromAddress >= this.maxPerAddress
          ? replies.tooManySessionsFromAddress
          : null;
    if (refusal !== null) {
      const sent = this.context.rewrite?.(refusal, { verb: '', argument: '', user: null }) ?? refusal;
      this.context.log?.(`[refused ${address}:${socket.remotePort}] < ${formatReply(sent).trimEnd()}`);
      socket.end(formatReply(sent));
      setTimeout(() => socket.destroy(), 1000).unref();
      return;
    }
    const entry: { session: Session | null; socket: ControlSocket } = { session: null, socket };
    this.live.add(entry);
    this.perAddress.set(address, fromAddress + 1);
    socket.once('close', () => this.release(entry, address));
    let control: ControlSocket = socket;
    if (wrap !== undefined) {
      try {
        control = await wrap(socket);
        entry.socket = control;
      } catch {
        socket.destroy();
        return;
      }
    }
    const id = this.nextId++;
    let session: Session | undefined;
    const channel = new ControlChannel(control, this.context.settings.maxLineLength, {
      line: (text) => session?.receive(text),
      overflow: () => session?.lineTooLong(),
      closed: () => {
        session?.log('connection closed');
        session?.closed();
      },
    });
    session = new Session(id, channel, this.context, dispatch);
    entry.session = session;
    session.log('connected');
    session.reply(replies.greeting);
  }

  private release(entry: { session: Session | null; socket: ControlSocket }, address: string): void {
    if (!this.live.delete(entry)) return;
    const remaining = (this.perAddress.get(address) ?? 1) - 1;
    if (remaining <= 0) this.perAddress.delete(address);
    else this.perAddress.set(address, remaining);
  }
}

/**
 * The main listener, plus ::1 on the same port when asked. With an ephemeral port the number picked
 * for IPv4 may be taken on ::1; then both are retried with a new one.
 */
async function listenOnAll(
  acceptor: Acceptor,
  host: string,
  requestedPort: number,
  ipv6: boolean,
): Promise<{ port: number; servers: net.Server[] }> {
  for (let attempt = 0; ; attempt++) {
    const main = await listen(acceptor.handler(), host, requestedPort);
    const port = (main.address() as net.AddressInfo).port;
    if (!ipv6) return { port, servers: [main] };
    try {
      return { port, servers: [main, await listen(acceptor.handler(), '::1', port)] };
    } catch (error) {
      await new Promise<void>((resolve) => main.close(() => resolve()));
      const retry = requestedPort === 0 && (error as NodeJS.ErrnoException).code === 'EADDRINUSE' && attempt < 5;
      if (!retry) throw error;
    }
  }
}

function listen(onConnection: (socket: net.Socket) => void, host: string, port: number): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer(onConnection);
    server.once('error', reject);
    server.listen({ host, port }, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

async function shutDown(listeners: readonly net.Server[], acceptor: Acceptor): Promise<void> {
  const stopped = listeners.map((server) => new Promise<void>((resolve) => server.close(() => resolve())));
  await acceptor.endAll();
  await Promise.all(stopped);
}

/** The TLS policy (e.g. no USER before AUTH TLS) goes first in every command's sequence check. */
function withTlsGuard(table: ReadonlyMap<string, CommandSpec>, tls: TlsExtension | undefined): ReadonlyMap<string, CommandSpec> {
  const guard = tls?.guard?.bind(tls);
  if (guard === undefined) return table;
  const guarded = [...table].map(([verb, spec]): [string, CommandSpec] => [
    verb,
    { ...spec, sequence: (session) => guard(session, verb) ?? spec.sequence?.(session) ?? null },
  ]);
  return new Map(guarded);
}

function hostForUrl(host: string): string {
  return net.isIPv6(host) ? `[${host}]` : host;
}
