/** RETR and STOR throughput of one server, and the client's own ceiling over bare loopback sockets. */
import { spawn, spawnSync } from 'node:child_process';
import * as net from 'node:net';
import { ByteCounter, connectData, FtpControl, sendBytes, timedRetr, timedStor, untilEnd, type Timed } from './ftp-client';
import { benchScript, type BenchServer } from './servers';

export const PAYLOAD = 'payload.bin';
const UPLOAD = 'upload.bin';

/** One preallocated 4 MiB block, written again and again: STOR never waits on a generator. */
export const BLOCK = Buffer.alloc(4 * 1024 * 1024);
for (let i = 0, state = 0x9e3779b9; i < BLOCK.length; i++) {
  state = (state ^ (state << 13)) >>> 0;
  state = (state ^ (state >>> 17)) >>> 0;
  state = (state ^ (state << 5)) >>> 0;
  BLOCK[i] = state & 0xff;
}

export interface Rates {
  retr: number[];
  stor: number[];
}

function rate(timed: Timed, expected: number, what: string): number {
  if (timed.bytes !== expected) throw new Error(`${what}: moved ${timed.bytes} bytes, expected ${expected}`);
  return timed.bytes / timed.seconds / 1e6;
}

/** One RETR and one STOR of `size` bytes on a logged-in session; MB/s (10^6 bytes per second). */
export async function measureOnce(server: BenchServer, size: number): Promise<{ retr: number; stor: number }> {
  const control = await FtpControl.login(server.port, server.user, server.password);
  try {
    await control.expect('TYPE I', 200);
    const retr = rate(await timedRetr(control, PAYLOAD), size, `${server.name} RETR`);
    // Start every upload with no dirty pages left by the previous one (another server's, perhaps):
    // otherwise the kernel's write-back throttling lands on whoever comes next.
    spawnSync('sync');
    const stor = rate(await timedStor(control, UPLOAD, size, BLOCK), size, `${server.name} STOR`);
    await control.expect(`DELE ${UPLOAD}`, 250);
    await control.quit();
    return { retr, stor };
  } finally {
    control.close();
  }
}

/**
 * The same client code against a peer process that only sends or only discards: how fast this
 * client can go at all. A server measured near this number is limited by the client, not itself.
 */
export async function measureCeiling(size: number, runs: number): Promise<Rates> {
  const peer = spawn(process.execPath, [benchScript('loopback-peer.js'), String(size)], { stdio: ['pipe', 'pipe', 'inherit'] });
  try {
    const { sendPort } = await new Promise<{ sendPort: number }>((resolve, reject) => {
      let out = '';
      peer.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('\n')) resolve(JSON.parse(out.slice(0, out.indexOf('\n'))) as { sendPort: number });
      });
      peer.once('exit', (code) => reject(new Error(`loopback peer exited (${code})`)));
    });
    // For sending, the peer dials in (its reading side uses `onread`, like ours) to this listener.
    const listener = net.createServer();
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    const rates: Rates = { retr: [], stor: [] };
    try {
      for (let run = 0; run < runs; run++) {
        const counter = new ByteCounter();
        let started = process.hrtime.bigint();
        const incoming = await connectData(sendPort, counter);
        const bytes = await untilEnd(incoming, counter);
        rates.retr.push(rate({ bytes, seconds: Number(process.hrtime.bigint() - started) / 1e9 }, size, 'ceiling receive'));
        incoming.destroy();

        const accepted = new Promise<net.Socket>((resolve) => listener.once('connection', resolve));
        peer.stdin.write(`${(listener.address() as net.AddressInfo).port}\n`);
        const outgoing = await accepted;
        const closed = new Promise((resolve) => outgoing.once('close', resolve));
        started = process.hrtime.bigint();
        await sendBytes(outgoing, size, BLOCK);
        await closed;
        rates.stor.push(rate({ bytes: size, seconds: Number(process.hrtime.bigint() - started) / 1e9 }, size, 'ceiling send'));
      }
    } finally {
      listener.close();
    }
    return rates;
  } finally {
    peer.stdin.end();
    peer.kill();
  }
}
