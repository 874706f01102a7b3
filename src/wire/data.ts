import * as net from 'net';
import { DataMode } from '../suite/types';
import { ControlConnection, ReceivedReply, WireError } from './control';
import { deviation } from './deviations';
import { Transcript } from './transcript';

/** A data connection that is set up (passive: dialled; active: listening) and not yet used. */
export interface DataChannel {
  mode: DataMode;
  /** The connected socket: at once for passive modes, when the server dials in for active ones. */
  socket(timeoutMs: number): Promise<net.Socket>;
  close(): void;
}

export interface DataSetup {
  command: string;
  reply: ReceivedReply;
  channel?: DataChannel;
  /** Why the reply, though it had the expected code, gave the harness no usable data connection. */
  problem?: string;
}

export const SETUP_SUCCESS: Record<DataMode, number> = { pasv: 227, epsv: 229, port: 200, eprt: 200 };

function plainAddress(a: string): string {
  return a.startsWith('::ffff:') ? a.slice(7) : a;
}

/** RFC 1123 §4.1.2.6: scan for the numbers, do not rely on the parentheses. */
export function parsePasv(text: string): { host: string; port: number } | undefined {
  const body = text.replace(/^\d{3}[ -]?/, '');
  const m = /(\d{1,3}),(\d{1,3}),(\d{1,3}),(\d{1,3}),(\d{1,3}),(\d{1,3})/.exec(body);
  if (!m) return undefined;
  const n = m.slice(1).map(Number);
  if (n.some((x) => x > 255)) return undefined;
  return { host: n.slice(0, 4).join('.'), port: n[4] * 256 + n[5] };
}

/** RFC 2428 §3: "(<d><d><d><tcp-port><d>)" with any delimiter in 33-126. */
export function parseEpsv(text: string): number | undefined {
  const m = /\(([\x21-\x7e])\1\1(\d{1,5})\1\)/.exec(text);
  if (!m) return undefined;
  const port = Number(m[2]);
  return port > 0 && port < 65536 ? port : undefined;
}

function dial(host: string, port: number, timeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host, port });
    const timer = setTimeout(() => {
      s.destroy();
      reject(new WireError('timeout', `data connection to ${host}:${port} not established within ${timeoutMs} ms`));
    }, timeoutMs);
    s.once('connect', () => {
      clearTimeout(timer);
      s.removeAllListeners('error');
      // A reset before the transfer reads the socket must not crash the process; the transfer sees it as an early end.
      s.on('error', () => undefined);
      resolve(s);
    });
    s.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      s.destroy();
      reject(new WireError('refused', `data connection to ${host}:${port} failed: ${e.code ?? e.message}`));
    });
  });
}

function passiveChannel(mode: DataMode, pending: Promise<net.Socket>): DataChannel {
  let socket: net.Socket | undefined;
  pending.then((s) => (socket = s)).catch(() => undefined);
  return {
    mode,
    socket: () => pending,
    close: () => socket?.destroy(),
  };
}

function listen(host: string): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, host, () => resolve(server));
  });
}

function activeChannel(mode: DataMode, server: net.Server, expectedPeer: string, transcript: Transcript): DataChannel {
  let accepted: net.Socket | undefined;
  const waiting: Array<(s: net.Socket) => void> = [];
  server.on('error', () => undefined);
  server.on('connection', (s) => {
    s.on('error', () => undefined);
    const peer = plainAddress(s.remoteAddress ?? '');
    if (accepted || peer !== expectedPeer) {
      // Only the target may use the port we named; anything else is refused, never read.
      transcript.note(`refused a data connection from ${peer}`);
      s.destroy();
      return;
    }
    accepted = s;
    server.close();
    waiting.splice(0).forEach((w) => w(s));
  });
  return {
    mode,
    socket: (timeoutMs) =>
      accepted
        ? Promise.resolve(accepted)
        : new Promise((resolve, reject) => {
            const timer = setTimeout(() => reject(new WireError('timeout', `the server did not open the ${mode.toUpperCase()} data connection within ${timeoutMs} ms`)), timeoutMs);
            waiting.push((s) => {
              clearTimeout(timer);
              resolve(s);
            });
          }),
    close: () => {
      accepted?.destroy();
      server.close();
    },
  };
}

/**
 * Sends PASV/EPSV/PORT/EPRT and prepares the data connection. The harness only ever dials the
 * host of the control connection: an address named in a 227 reply is reported, never used.
 */
export async function setupData(ctrl: ControlConnection, mode: DataMode, timeoutMs: number, transcript: Transcript): Promise<DataSetup> {
  const local = plainAddress(ctrl.localAddress);
  const target = plainAddress(ctrl.remoteAddress);
  if (mode === 'pasv' || mode === 'epsv') {
    const command = mode === 'pasv' ? 'PASV' : 'EPSV';
    ctrl.send(command);
    const reply = await ctrl.nextReply(timeoutMs);
    if (reply.code !== SETUP_SUCCESS[mode]) return { command, reply };
    let port: number | undefined;
    if (mode === 'pasv') {
      const parsed = parsePasv(reply.text);
      if (!parsed) return { command, reply, problem: '227 reply carries no h1,h2,h3,h4,p1,p2 address' };
      if (parsed.host !== target) {
        const d = deviation('pasv-foreign-host', `227 names ${parsed.host}, the control connection goes to ${target}; the harness dials ${ctrl.host}`, reply.raw);
        ctrl.deviations.push(d);
        transcript.note(`deviation ${d.kind}: ${d.message} [${d.ref}]`, ctrl.name);
      }
      port = parsed.port;
    } else {
      port = parseEpsv(reply.text);
      if (port === undefined) return { command, reply, problem: '229 reply carries no (|||port|) part' };
    }
    const pending = dial(ctrl.host, port, timeoutMs);
    try {
      await pending;
    } catch (e) {
      return { command, reply, problem: `the server announced port ${port} but ${(e as Error).message}` };
    }
    transcript.note(`data connection to ${ctrl.host}:${port} open`, ctrl.name);
    return { command, reply, channel: passiveChannel(mode, pending) };
  }
  const family = net.isIPv6(local) ? 6 : 4;
  if (mode === 'port' && family === 6) throw new WireError('unreachable', 'PORT cannot name an IPv6 address; use EPRT on this connection');
  const server = await listen(local);
  const port = (server.address() as net.AddressInfo).port;
  const command =
    mode === 'port' ? `PORT ${local.split('.').join(',')},${port >> 8},${port & 255}` : `EPRT |${family === 6 ? 2 : 1}|${local}|${port}|`;
  // Listen for the server before it hears the command: some servers connect before they reply.
  const channel = activeChannel(mode, server, target, transcript);
  ctrl.send(command);
  let reply: ReceivedReply;
  try {
    reply = await ctrl.nextReply(timeoutMs);
  } catch (e) {
    channel.close();
    throw e;
  }
  if (reply.code !== SETUP_SUCCESS[mode]) {
    channel.close();
    return { command, reply };
  }
  return { command, reply, channel };
}
