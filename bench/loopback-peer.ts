/**
 * The client's ceiling: a peer in another process, no FTP, no disk. It sends `size` bytes to whoever
 * connects to its port, and for each port number read from stdin it dials that port and discards
 * what arrives (into one reused buffer) until the sender ends. What the benchmark client reaches
 * against it is the most it could measure of any server.
 * `node dist/bench/loopback-peer.js <size>` prints `{"sendPort":…}`.
 */
import * as net from 'node:net';

const BLOCK = Buffer.alloc(4 * 1024 * 1024, 0x5a);
const DISCARD = Buffer.alloc(4 * 1024 * 1024);

async function send(socket: net.Socket, size: number): Promise<void> {
  let left = size;
  while (left > 0) {
    const piece = left >= BLOCK.length ? BLOCK : BLOCK.subarray(0, left);
    left -= piece.length;
    if (!socket.write(piece)) await new Promise((resolve) => socket.once('drain', resolve));
  }
  socket.end();
}

function discardFrom(port: number): void {
  const socket = net.connect({ host: '127.0.0.1', port, onread: { buffer: DISCARD, callback: () => true } });
  socket.on('error', () => undefined);
  socket.on('end', () => socket.end());
}

function main(): void {
  const size = Number(process.argv[2]);
  const server = net.createServer((socket) => {
    socket.on('error', () => undefined);
    void send(socket, size);
  });
  server.listen(0, '127.0.0.1', () => {
    process.stdout.write(`${JSON.stringify({ sendPort: (server.address() as net.AddressInfo).port })}\n`);
  });
  let pending = '';
  process.stdin.on('data', (chunk: Buffer) => {
    pending += chunk.toString();
    let end: number;
    while ((end = pending.indexOf('\n')) >= 0) {
      discardFrom(Number(pending.slice(0, end)));
      pending = pending.slice(end + 1);
    }
  });
  process.stdin.on('end', () => process.exit(0));
}

main();
