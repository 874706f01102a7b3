import * as net from 'net';
import { Readable, Transform } from 'stream';
import { pipeline } from 'stream/promises';
import { ControlConnection, ReceivedReply, WireError } from './control';
import { DataChannel } from './data';
import { deviation } from './deviations';
import { ContentDigest, DigestSink } from './payload';
import { Transcript } from './transcript';
import { describeTls, startTls, TlsInfo } from './tls';

export interface TransferRequest {
  command: string;
  channel: DataChannel;
  /** Content to send; absent for a download. */
  upload?: Readable;
  preliminaryRequired: boolean;
  /** Longest wait for one reply, and longest silence on a data connection. */
  stepTimeoutMs: number;
}

export interface TransferResult {
  preliminary?: ReceivedReply;
  final: ReceivedReply;
  digest?: ContentDigest;
  /** A data-connection problem the completion reply did not explain. */
  dataProblem?: string;
  /** For PROT P: the data connection's TLS, and whether it resumed the control connection's session. */
  tls?: TlsInfo;
}

/** How long an upload waits for the 1yz before sending its data anyway. */
const UPLOAD_GRACE_MS = 1000;

/** Rejects after `ms` of no progress; `touch()` restarts the clock. */
function idleTimer(ms: number, message: () => string): { promise: Promise<never>; touch(): void; stop(): void } {
  let reject: (e: Error) => void = () => undefined;
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<never>((_, rej) => (reject = rej));
  promise.catch(() => undefined);
  const arm = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => reject(new WireError('timeout', message())), ms);
  };
  arm();
  return { promise, touch: arm, stop: () => timer && clearTimeout(timer) };
}

function readAll(socket: net.Socket, sink: DigestSink, idle: { touch(): void }): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.on('data', (chunk: Buffer) => {
      sink.update(chunk);
      idle.touch();
    });
    socket.once('end', () => resolve());
    socket.once('close', () => resolve());
    socket.once('error', (e: NodeJS.ErrnoException) => reject(new WireError('reset', `data connection ${e.code === 'ECONNRESET' ? 'reset' : 'failed'}: ${e.code ?? e.message}`)));
  });
}

async function writeAll(socket: net.Socket, source: Readable, sink: DigestSink, idle: { touch(): void }): Promise<void> {
  const tap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      sink.update(chunk);
      idle.touch();
      done(null, chunk);
    },
  });
  await pipeline(source, tap, socket);
}

/**
 * Runs one transfer command over a prepared data channel: sends the command, insists on the 1yz
 * that RFC 959 §5.4 puts before a transfer's completion, moves the bytes (hashed as they stream,
 * never held whole) and reads the completion reply. Never waits longer than the step timeout
 * without progress.
 */
export async function runTransfer(ctrl: ControlConnection, req: TransferRequest, transcript: Transcript): Promise<TransferResult> {
  const { channel, stepTimeoutMs } = req;
  const sink = new DigestSink();
  const idle = idleTimer(stepTimeoutMs, () => `data connection idle for ${stepTimeoutMs} ms (${sink.digest().bytes} bytes moved) without closing`);
  let dataDone: Promise<void> | undefined;
  let tlsInfo: TlsInfo | undefined;
  // PROT P: the data connection is TLS, the client its TLS client, resuming the control
  // connection's session (RFC 4217 §7, §10.2) — whichever side opened the TCP connection.
  const protect = async (socket: net.Socket): Promise<net.Socket> => {
    const control = ctrl.tlsSocket;
    if (ctrl.dataProtection !== 'P' || !control) return socket;
    const secured = await startTls({ socket }, { timeoutMs: stepTimeoutMs, servername: ctrl.host, session: control.getSession() });
    tlsInfo = describeTls(secured);
    transcript.note(`TLS on the data connection: ${tlsInfo.protocol}, session ${tlsInfo.resumed ? 'resumed from the control connection' : 'NOT resumed (full handshake)'}`, ctrl.name);
    return secured;
  };
  const startData = (): Promise<void> =>
    (dataDone ??= channel.socket(stepTimeoutMs).then(protect).then((socket) => {
      idle.touch();
      return req.upload ? writeAll(socket, req.upload, sink, idle) : readAll(socket, sink, idle);
    }));
  try {
    ctrl.send(req.command);
    // A download may start streaming before the 1yz is read; an upload waits for the 1yz.
    if (!req.upload && channel.mode !== 'port' && channel.mode !== 'eprt') startData().catch(() => undefined);
    const answer = ctrl.nextReply(stepTimeoutMs);
    answer.catch(() => undefined);
    if (req.upload) {
      // A server that sends no 1yz waits for the data before it replies at all: after a grace
      // period the data goes anyway, so the missing 1yz is reported as the §5.4 deviation it is
      // (below) rather than as a timeout.
      const grace = Math.min(UPLOAD_GRACE_MS, stepTimeoutMs / 4);
      let timer: NodeJS.Timeout | undefined;
      const replied = await Promise.race([answer.then(() => true, () => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), grace)))]);
      clearTimeout(timer);
      if (!replied) {
        transcript.note(`no reply to ${req.command.split(' ')[0]} within ${grace} ms: sending the data without a 1yz`, ctrl.name);
        startData().catch(() => undefined);
      }
    }
    const first = await answer;
    if (first.code >= 100 && first.code < 200) {
      const data = startData();
      data.catch(() => undefined);
      const finalPromise = ctrl.nextReply(24 * 3600 * 1000);
      finalPromise.catch(() => undefined);
      // Whichever ends first: the data, or a completion reply (e.g. 426 while data still flows).
      const firstDone = await Promise.race([data.then(() => 'data' as const), finalPromise.then(() => 'reply' as const), idle.promise]);
      let dataProblem: string | undefined;
      if (firstDone === 'data') {
        idle.stop();
        const wait = idleTimer(stepTimeoutMs, () => `no completion reply within ${stepTimeoutMs} ms after the data connection closed`);
        try {
          const final = await Promise.race([finalPromise, wait.promise]);
          return { preliminary: first, final, digest: sink.digest(), tls: tlsInfo };
        } finally {
          wait.stop();
        }
      }
      const final = await finalPromise;
      try {
        await Promise.race([data, idle.promise]);
      } catch (e) {
        dataProblem = (e as Error).message;
      }
      if (final.code >= 200 && final.code < 300 && dataProblem) throw new WireError('timeout', `${final.code} reported success but ${dataProblem}`);
      return { preliminary: first, final, digest: sink.digest(), dataProblem, tls: tlsInfo };
    }
    if (first.code >= 200 && first.code < 300) {
      if (req.preliminaryRequired) {
        const d = deviation('missing-preliminary', `${first.code} completed ${req.command.split(' ')[0]} with no 1yz before it`, first.raw);
        ctrl.deviations.push(d);
        transcript.note(`deviation ${d.kind}: ${d.message} [${d.ref}]`, ctrl.name);
      }
      // An upload sent without a 1yz: let it finish before the digest is taken.
      if (req.upload && dataDone) await Promise.race([dataDone, idle.promise]).catch(() => undefined);
      // Collect what the server sent anyway, so the content checks can still speak.
      if (!req.upload) {
        try {
          await Promise.race([startData(), idle.promise]);
        } catch (e) {
          return { final: first, digest: sink.digest(), dataProblem: (e as Error).message };
        }
      }
      return { final: first, digest: sink.digest() };
    }
    return { final: first };
  } finally {
    idle.stop();
    channel.close();
  }
}
