/**
 * A scriptable fake FTP server for harness tests, after curl's ftpserver.pl: a small well-behaved
 * RFC 959 server by default, with per-verb handlers and fault knobs (custom reply, delay, bad PASV
 * address or port, no data connection) so each test can make it misbehave in exactly one way.
 *
 * It listens on 127.0.0.1:0 only, and `close()` destroys every socket and listener it made, so a
 * test that awaits it leaves no open handle behind.
 */
import { createCipheriv, createHash } from 'crypto';
import * as net from 'net';

export type Handler = (arg: string, session: FakeSession) => void | Promise<void>;

export interface FakeScript {
  /** The greeting, sent as is plus CRLF when a string; a Buffer is sent exactly; null: stay silent. */
  greeting?: string | Buffer | null;
  /** Per-verb overrides (upper-case verb). A handler replaces the default behaviour entirely. */
  handlers?: Record<string, Handler>;
  /** Called once a session is accepted, before the greeting (e.g. to send spontaneous replies later). */
  onConnect?: (session: FakeSession) => void;
  /** Files in the in-memory file system, by name. */
  files?: Record<string, string | Buffer>;
  /** FEAT lines (default: SIZE). */
  features?: string[];
  /** Knob: a custom reply line for a verb, sent as given plus CRLF instead of the default answer. */
  replies?: Record<string, string>;
  /** Knob: wait this long (ms) before answering every command, or per verb. */
  delayMs?: number | Record<string, number>;
  /** Knob: the host PASV advertises (default 127.0.0.1); the listener is still on 127.0.0.1. */
  pasvAddress?: string;
  /** Knob: the port PASV/EPSV advertise instead of the real listener's (e.g. a dead port). */
  pasvPort?: number;
  /** Knob: transfers answer "425 Can't open data connection" and never open or accept one. */
  noDataConnection?: boolean;
}

export interface PassiveListener {
  port: number;
  /** The first connection the listener accepts (it stops listening after it). */
  connection: Promise<net.Socket>;
}

type DataPlan = { kind: 'passive'; listener: PassiveListener } | { kind: 'active'; host: string; port: number };

export interface FakeSession {
  /** 0 for the first connection the server accepted, 1 for the next, … */
  readonly index: number;
  readonly socket: net.Socket;
  /** Every command line received, without its line end. */
  readonly commands: string[];
  /** Peers of the data connections this session's passive listeners accepted. */
  readonly passiveAccepts: string[];
  /** The most recent PASV/EPSV listener, for handlers that want to misbehave on it. */
  readonly lastPassive: PassiveListener | undefined;
  readonly closed: boolean;
  /** Writes bytes exactly as given (no CRLF added). */
  send(raw: string | Buffer): void;
  /** Writes "code text\r\n". */
  reply(code: number, text: string): void;
  /** Ends the control connection gracefully (FIN). */
  close(): void;
  /** Destroys the control connection with a TCP RST. */
  reset(): void;
  /** Opens a passive data listener on 127.0.0.1:0. */
  openPassive(): Promise<PassiveListener>;
  /** The data connection prepared by the last PASV/EPSV/PORT/EPRT (accepted or dialled). */
  dataSocket(): Promise<net.Socket>;
  /**
   * Writes what `next` produces, honouring back-pressure, until it returns undefined or the peer
   * goes away; resolves to the number of bytes written. Nothing is buffered beyond one chunk.
   */
  stream(socket: net.Socket, next: () => Buffer | undefined): Promise<number>;
  /** Runs the default behaviour for a verb (for handlers that only add something to it). */
  fallback(verb: string, arg: string): Promise<void>;
  /** Waits (ms) on a timer that the server's close() cancels. */
  wait(ms: number): Promise<void>;
}

export interface FakeServer {
  host: string;
  port: number;
  sessions: FakeSession[];
  files: Map<string, Buffer>;
  /** Peers of every data connection any passive listener accepted. */
  passiveAccepts: string[];
  close(): Promise<void>;
}

/**
 * Deterministic pseudo-random bytes: AES-128-CTR over zeros, keyed by the seed, so the same seed
 * gives the same stream (and fast enough to flood a socket).
 */
export function seededBytes(seed: number): (n: number) => Buffer {
  const key = createHash('sha256').update(`fake-server-seed:${seed}`).digest();
  const cipher = createCipheriv('aes-128-ctr', key.subarray(0, 16), key.subarray(16, 32));
  return (n: number) => cipher.update(Buffer.alloc(n));
}

const HOST = '127.0.0.1';

function pasvNumbers(host: string, port: number): string {
  return `${host.split('.').join(',')},${port >> 8},${port & 255}`;
}

export function startFakeServer(script: FakeScript = {}): Promise<FakeServer> {
  const sockets = new Set<net.Socket>();
  const listeners = new Set<net.Server>();
  const timers = new Set<NodeJS.Timeout>();
  const waitCancels = new Set<() => void>();
  const sessions: FakeSession[] = [];
  const passiveAccepts: string[] = [];
  const files = new Map<string, Buffer>(Object.entries(script.files ?? {}).map(([k, v]) => [k, Buffer.isBuffer(v) ? v : Buffer.from(v)]));
  let closing = false;

  const track = (s: net.Socket) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
  };

  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      if (closing) return resolve();
      const done = () => {
        clearTimeout(t);
        timers.delete(t);
        waitCancels.delete(done);
        resolve();
      };
      const t = setTimeout(done, ms);
      timers.add(t);
      waitCancels.add(done);
    });

  const openPassive = (onAccept: (peer: string) => void): Promise<PassiveListener> =>
    new Promise((resolve, reject) => {
      const srv = net.createServer();
      listeners.add(srv);
      let resolveConn: (s: net.Socket) => void = () => undefined;
      const connection = new Promise<net.Socket>((r) => (resolveConn = r));
      srv.once('connection', (s) => {
        track(s);
        onAccept(s.remoteAddress ?? '');
        srv.close();
        listeners.delete(srv);
        resolveConn(s);
      });
      srv.once('error', reject);
      srv.listen(0, HOST, () => resolve({ port: (srv.address() as net.AddressInfo).port, connection }));
    });

  const server = net.createServer((socket) => {
    if (closing) return void socket.destroy();
    track(socket);
    const commands: string[] = [];
    const accepts: string[] = [];
    let plan: DataPlan | undefined;
    let lastPassive: PassiveListener | undefined;
    let buffered = '';
    let queue: Promise<void> = Promise.resolve();

    const send = (raw: string | Buffer) => {
      if (!socket.destroyed && socket.writable) socket.write(raw);
    };
    const reply = (code: number, text: string) => send(`${code} ${text}\r\n`);

    const stream = (s: net.Socket, next: () => Buffer | undefined): Promise<number> =>
      new Promise((resolve) => {
        let written = 0;
        let finished = false;
        const finish = () => {
          if (finished) return;
          finished = true;
          s.off('drain', pump);
          s.off('close', finish);
          resolve(written);
        };
        const pump = () => {
          while (!finished) {
            if (s.destroyed || !s.writable || closing) return finish();
            const chunk = next();
            if (!chunk) return finish();
            written += chunk.length;
            if (!s.write(chunk)) return; // wait for 'drain'
          }
        };
        s.on('drain', pump);
        s.once('close', finish);
        pump();
      });

    const dataSocket = async (): Promise<net.Socket> => {
      const p = plan;
      plan = undefined;
      if (!p) throw new Error('no data connection was prepared');
      if (p.kind === 'passive') return p.listener.connection;
      return new Promise((resolve, reject) => {
        const s = net.connect({ host: p.host, port: p.port });
        track(s);
        s.once('connect', () => resolve(s));
        s.once('error', reject);
      });
    };

    const passive = async () => {
      const l = await openPassive((peer) => {
        accepts.push(peer);
        passiveAccepts.push(peer);
      });
      lastPassive = l;
      plan = { kind: 'passive', listener: l };
      return l;
    };

    const endData = (s: net.Socket) =>
      new Promise<void>((resolve) => {
        if (s.destroyed) return resolve();
        s.once('close', () => resolve());
        s.end();
      });

    const transferOut = async (content: Buffer) => {
      if (script.noDataConnection) return reply(425, "Can't open data connection");
      reply(150, `Opening data connection (${content.length} bytes)`);
      let s: net.Socket;
      try {
        s = await dataSocket();
      } catch {
        return reply(425, "Can't open data connection");
      }
      s.write(content);
      await endData(s);
      reply(226, 'Transfer complete');
    };

    const transferIn = async (name: string, append: boolean) => {
      if (script.noDataConnection) return reply(425, "Can't open data connection");
      reply(150, 'Ok to send data');
      let s: net.Socket;
      try {
        s = await dataSocket();
      } catch {
        return reply(425, "Can't open data connection");
      }
      const parts: Buffer[] = [];
      await new Promise<void>((resolve) => {
        s.on('data', (c: Buffer) => parts.push(c));
        s.once('end', () => resolve());
        s.once('close', () => resolve());
      });
      s.end();
      const body = Buffer.concat(parts);
      files.set(name, append ? Buffer.concat([files.get(name) ?? Buffer.alloc(0), body]) : body);
      reply(226, 'Transfer complete');
    };

    const defaults: Record<string, Handler> = {
      USER: () => reply(331, 'Password required'),
      PASS: () => reply(230, 'Logged in'),
      ACCT: () => reply(202, 'Not needed'),
      NOOP: () => reply(200, 'NOOP ok'),
      SYST: () => reply(215, 'UNIX Type: L8'),
      TYPE: () => reply(200, 'Type set'),
      MODE: () => reply(200, 'Mode set'),
      STRU: () => reply(200, 'Structure set'),
      PWD: () => reply(257, '"/" is the current directory'),
      CWD: () => reply(250, 'Directory changed'),
      CDUP: () => reply(250, 'Directory changed'),
      FEAT: () => send(`211-Features\r\n${(script.features ?? ['SIZE']).map((f) => ` ${f}\r\n`).join('')}211 End\r\n`),
      PASV: async () => {
        const l = await passive();
        reply(227, `Entering Passive Mode (${pasvNumbers(script.pasvAddress ?? HOST, script.pasvPort ?? l.port)})`);
      },
      EPSV: async () => {
        const l = await passive();
        reply(229, `Entering Extended Passive Mode (|||${script.pasvPort ?? l.port}|)`);
      },
      PORT: (arg) => {
        const n = arg.split(',').map(Number);
        if (n.length !== 6 || n.some((x) => !Number.isInteger(x) || x < 0 || x > 255)) return reply(501, 'Bad PORT');
        plan = { kind: 'active', host: n.slice(0, 4).join('.'), port: n[4] * 256 + n[5] };
        reply(200, 'PORT ok');
      },
      EPRT: (arg) => {
        const parts = arg.split(arg[0] ?? '|');
        const port = Number(parts[3]);
        if (parts.length < 5 || !port) return reply(501, 'Bad EPRT');
        plan = { kind: 'active', host: parts[2], port };
        reply(200, 'EPRT ok');
      },
      RETR: (arg) => {
        const content = files.get(arg);
        if (!content) return reply(550, 'No such file');
        return transferOut(content);
      },
      STOR: (arg) => transferIn(arg, false),
      APPE: (arg) => transferIn(arg, true),
      LIST: () =>
        transferOut(Buffer.from([...files].map(([n, c]) => `-rw-r--r-- 1 ftp ftp ${c.length} Jan 01 00:00 ${n}\r\n`).join(''))),
      NLST: () => transferOut(Buffer.from([...files.keys()].map((n) => `${n}\r\n`).join(''))),
      SIZE: (arg) => {
        const content = files.get(arg);
        return content ? reply(213, String(content.length)) : reply(550, 'No such file');
      },
      DELE: (arg) => (files.delete(arg) ? reply(250, 'Deleted') : reply(550, 'No such file')),
      MKD: (arg) => reply(257, `"${arg}" created`),
      RMD: () => reply(250, 'Removed'),
      QUIT: () => {
        reply(221, 'Bye');
        socket.end();
      },
    };

    const session: FakeSession = {
      index: sessions.length,
      socket,
      commands,
      passiveAccepts: accepts,
      get lastPassive() {
        return lastPassive;
      },
      get closed() {
        return socket.destroyed;
      },
      send,
      reply,
      close: () => socket.end(),
      reset: () => socket.resetAndDestroy(),
      openPassive: passive,
      dataSocket,
      stream,
      fallback: async (verb, arg) => {
        const h = defaults[verb.toUpperCase()];
        if (h) await h(arg, session);
        else reply(502, 'Command not implemented');
      },
      wait,
    };
    sessions.push(session);

    const dispatch = async (line: string) => {
      commands.push(line);
      const space = line.indexOf(' ');
      const verb = (space < 0 ? line : line.slice(0, space)).toUpperCase();
      const arg = space < 0 ? '' : line.slice(space + 1);
      const delay = typeof script.delayMs === 'number' ? script.delayMs : script.delayMs?.[verb];
      if (delay) await wait(delay);
      if (closing || socket.destroyed) return;
      const custom = script.replies?.[verb];
      if (custom !== undefined) return send(custom + '\r\n');
      const h = script.handlers?.[verb] ?? defaults[verb];
      if (h) await h(arg, session);
      else reply(502, 'Command not implemented');
    };

    socket.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('latin1');
      if (buffered.length > 1 << 20) buffered = buffered.slice(-4096); // a fake, not a target: keep it bounded
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl).replace(/\r$/, '');
        buffered = buffered.slice(nl + 1);
        queue = queue.then(() => dispatch(line)).catch(() => undefined);
      }
    });

    script.onConnect?.(session);
    const g = script.greeting === undefined ? '220 fake ready' : script.greeting;
    if (g !== null) send(typeof g === 'string' ? g + '\r\n' : g);
  });

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const port = (server.address() as net.AddressInfo).port;
      resolve({
        host: HOST,
        port,
        sessions,
        files,
        passiveAccepts,
        close: () =>
          new Promise<void>((done) => {
            closing = true;
            for (const t of timers) clearTimeout(t);
            for (const c of [...waitCancels]) c();
            for (const l of listeners) l.close();
            listeners.clear();
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}

/** A port on 127.0.0.1 that nothing listens on (bound, then closed). */
export async function deadPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, HOST, () => r()));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}
