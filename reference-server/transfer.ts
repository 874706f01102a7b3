/**
 * The transfer engine: the reply sequence of RFC 959 §5.4 around every data transfer.
 *   425 when no data connection was prepared or it cannot be opened;
 *   125 (connection already open) or 150 (about to open) before any byte moves;
 *   226 after the data connection is closed and the file is in place;
 *   426 when the transfer is aborted (ABOR, or the client drops the data connection);
 *   451/552 (and 550 for permission) when the disk fails during the transfer.
 * ABOR and STAT reach a running transfer through `session.transfer`.
 */
import type * as net from 'node:net';
import { Transform, type Readable, type Writable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { replies, type Reply } from './replies';
import { replyForIoError } from './commands/errors';
import type { Session, TransferInProgress } from './session';
import { DataProtectionError } from './data-connection';

export interface TransferContext {
  readonly signal: AbortSignal;
  /** Report wire bytes moved, for STAT during the transfer. */
  readonly count: (bytes: number) => void;
}

export interface TransferJob {
  /** `RETR readme.txt`: used in the 150 text and in STAT. */
  readonly description: string;
  /** STOU needs its own preliminary replies (RFC 1123 §4.1.2.9). */
  readonly preliminary?: { readonly opening: Reply; readonly alreadyOpen: Reply };
  run(socket: net.Socket, context: TransferContext): Promise<void>;
  /** After the data moved and before 226: put the uploaded file in place. */
  commit?(): Promise<void>;
  /** After a failure or abort: remove whatever the job left behind. */
  discard?(): Promise<void>;
}

/** A failure of the local file, as opposed to the data connection. */
export class DiskError extends Error {
  constructor(override readonly cause: NodeJS.ErrnoException) {
    super(cause.message);
  }
}

export async function performTransfer(session: Session, job: TransferJob): Promise<void> {
  const channel = session.data;
  if (channel === null) {
    await job.discard?.();
    session.reply(replies.noDataConnection);
    return;
  }
  // Stream mode closes the connection at end of file, so each transfer needs a fresh PASV/PORT.
  session.data = null;
  const controller = new AbortController();
  let finished!: () => void;
  const transfer: TransferInProgress = {
    description: job.description,
    startedAt: Date.now(),
    bytes: 0,
    abort: () => controller.abort(),
    done: new Promise<void>((resolve) => (finished = resolve)),
  };
  session.transfer = transfer;
  let socket: net.Socket | undefined;
  try {
    const preliminary = job.preliminary ?? {
      opening: replies.openingDataConnection(job.description),
      alreadyOpen: replies.dataConnectionAlreadyOpen(job.description),
    };
    session.reply(channel.connected ? preliminary.alreadyOpen : preliminary.opening);
    try {
      socket = await untilAborted(
        channel.open({ timeoutMs: session.server.settings.dataConnectionTimeoutMs, wrap: session.dataWrap }),
        controller.signal,
      );
    } catch (error) {
      await job.discard?.();
      session.reply(
        controller.signal.aborted ? replies.transferAborted : error instanceof DataProtectionError ? replies.dataProtectionFailed : replies.cannotOpenDataConnection,
      );
      return;
    }
    // A transfer that stalls is idle too: without this a silent client would hold the session forever.
    const stalled = socket;
    stalled.setTimeout(session.server.settings.idleTimeoutMs, () => stalled.destroy(new Error('data connection idle')));
    try {
      await job.run(socket, { signal: controller.signal, count: (bytes) => (transfer.bytes += bytes) });
      if (controller.signal.aborted) throw new Error('aborted');
      await job.commit?.();
      await closeGracefully(socket);
      session.reply(replies.transferComplete);
    } catch (error) {
      socket.destroy();
      await job.discard?.().catch(() => undefined);
      if (controller.signal.aborted) session.reply(replies.transferAborted);
      else if (error instanceof DiskError) session.reply(replyForIoError(error.cause, true));
      else session.reply(replies.transferAborted);
    }
  } finally {
    channel.close();
    session.transfer = null;
    finished();
  }
}

/**
 * Run a pipeline; if one of `diskStreams` failed, throw a DiskError so the reply says 451/552 and
 * not 426. The signal destroys every stage at once when ABOR arrives.
 */
export async function runPipeline(
  stages: ReadonlyArray<Readable | Writable | Transform>,
  diskStreams: ReadonlyArray<Readable | Writable>,
  signal: AbortSignal,
): Promise<void> {
  let diskFailure: NodeJS.ErrnoException | undefined;
  for (const stream of diskStreams) stream.once('error', (error: NodeJS.ErrnoException) => (diskFailure ??= error));
  try {
    await pipeline(stages as unknown as [Readable, Writable], { signal });
  } catch (error) {
    if (diskFailure !== undefined && !signal.aborted) throw new DiskError(diskFailure);
    throw error;
  }
}

/** Counts the bytes that pass, for STAT. */
export function byteCounter(count: (bytes: number) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      count(chunk.length);
      callback(null, chunk);
    },
  });
}

/** Drops the first `bytes` bytes: REST in a representation where wire and disk offsets differ. */
export function skipBytes(bytes: number): Transform {
  let remaining = bytes;
  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      if (remaining >= chunk.length) {
        remaining -= chunk.length;
        return callback();
      }
      const rest = chunk.subarray(remaining);
      remaining = 0;
      callback(null, rest);
    },
  });
}

/** Wait for the peer to close its side (so it has read everything), but not forever. */
async function closeGracefully(socket: net.Socket): Promise<void> {
  if (socket.destroyed) return;
  if (!socket.writableEnded) socket.end();
  socket.resume();
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 2000);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  socket.destroy();
}

function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        if (signal.aborted) {
          (value as { destroy?: () => void }).destroy?.();
          reject(new Error('aborted'));
        } else resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
